import { GRANT_TTL, REFRESH_TOKEN_ABSOLUTE_TTL, SESSION_ABSOLUTE_TTL, SESSION_IDLE_TTL, refreshTokenTtl, sessionTtl } from './lifetimes.js';

const now = () => Math.floor(Date.now() / 1000);
const DAY = 24 * 60 * 60;

describe('lifetimes (DESIGN §3)', () => {
  it('count a refresh token chain 30 days from the sign-in that started it, whatever the rotations', () => {
    expect(refreshTokenTtl(now())).toBe(30 * DAY);
    expect(refreshTokenTtl(now() - 29 * DAY)).toBe(DAY);
    expect(refreshTokenTtl(now() - 31 * DAY)).toBe(1);
  });

  it('end a browser session after a day idle and 14 days after sign-in', () => {
    expect(sessionTtl(now())).toBe(SESSION_IDLE_TTL);
    expect(sessionTtl(now() - 13.5 * DAY)).toBe(DAY / 2);
    expect(sessionTtl(undefined)).toBe(SESSION_IDLE_TTL);
  });

  it('keep a grant alive longer than any refresh token a session can start under it', () => {
    expect(GRANT_TTL).toBeGreaterThan(SESSION_ABSOLUTE_TTL + REFRESH_TOKEN_ABSOLUTE_TTL);
  });
});
