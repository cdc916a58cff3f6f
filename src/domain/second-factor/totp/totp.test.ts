import { matchingStep, newTotpSecret, totpCodeAt } from './totp.js';

describe('authenticator codes (RFC 6238)', () => {
  const secret = newTotpSecret();
  const now = new Date('2026-11-29T12:00:10Z');
  const step = Math.floor(now.getTime() / 30_000);

  it('accepts the code of this step and of one step either side, nothing further', () => {
    expect(matchingStep(secret, totpCodeAt(secret, now), now)).toBe(step);
    expect(matchingStep(secret, totpCodeAt(secret, new Date(now.getTime() - 30_000)), now)).toBe(step - 1);
    expect(matchingStep(secret, totpCodeAt(secret, new Date(now.getTime() + 30_000)), now)).toBe(step + 1);
    expect(matchingStep(secret, totpCodeAt(secret, new Date(now.getTime() - 90_000)), now)).toBeUndefined();
    expect(matchingStep(secret, 'abcdef', now)).toBeUndefined();
  });
});
