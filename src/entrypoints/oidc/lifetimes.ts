/**
 * Token and session lifetimes (DESIGN §3), in seconds.
 */
const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const ACCESS_TOKEN_TTL = HOUR;
/**
 * A JWT access token cannot be recalled: an API that verifies it locally accepts it until it
 * expires, whatever happened since (sign-out, password change). Short, so that window is too.
 */
export const JWT_ACCESS_TOKEN_TTL = 10 * MINUTE;
export const ID_TOKEN_TTL = HOUR;
/** Refresh tokens: 30 days counted from the sign-in that started the chain, whatever the rotations. */
export const REFRESH_TOKEN_ABSOLUTE_TTL = 30 * DAY;
export const SESSION_ABSOLUTE_TTL = 14 * DAY;
export const SESSION_IDLE_TTL = 24 * HOUR;
/**
 * A grant must outlive every refresh token issued under it. A browser session (up to 14 days)
 * can start a new 30-day chain on an existing grant, so the grant lives for both.
 */
export const GRANT_TTL = SESSION_ABSOLUTE_TTL + REFRESH_TOKEN_ABSOLUTE_TTL + DAY;
export const AUTHORIZATION_CODE_TTL = MINUTE;
export const DEVICE_CODE_TTL = 10 * MINUTE;
export const INTERACTION_TTL = HOUR;

const now = () => Math.floor(Date.now() / 1000);

/** Remaining life of a refresh token chain started at `iiat` (initial issued-at). */
export function refreshTokenTtl(iiat: number | undefined): number {
  const started = iiat ?? now();
  return Math.max(1, started + REFRESH_TOKEN_ABSOLUTE_TTL - now());
}

/** Sessions end after a day idle (every use saves them anew) and 14 days after sign-in. */
export function sessionTtl(loginTs: number | undefined): number {
  if (!loginTs) return SESSION_IDLE_TTL;
  return Math.max(1, Math.min(SESSION_IDLE_TTL, loginTs + SESSION_ABSOLUTE_TTL - now()));
}
