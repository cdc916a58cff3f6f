import { createHash, randomBytes } from 'node:crypto';
import type { Context } from 'koa';

const COOKIE = 'gatehouse_device';
// Over https: Secure, for the whole host, settable by no other subdomain.
const HOST_COOKIE = '__Host-gatehouse_device';
// Browsers cap cookie lifetime at 400 days.
const MAX_AGE_MS = 400 * 24 * 60 * 60 * 1000;

/**
 * The long-lived, signed device cookie: a random token that identifies this browser (not a
 * user). Only its digest is stored; the cookie alone grants nothing without the user's password.
 */
export function readDeviceHash(ctx: Context): string | undefined {
  // The plain name too: browsers remembered before the https name keep being recognised.
  const token = ctx.cookies.get(HOST_COOKIE, { signed: true }) ?? ctx.cookies.get(COOKIE, { signed: true });
  return token ? digest(token) : undefined;
}

/** The browser's device digest, issuing the cookie first when it has none. */
export function ensureDeviceHash(ctx: Context, secure: boolean): string {
  const existing = readDeviceHash(ctx) ?? issued.get(ctx);
  if (existing) return existing;
  const token = randomBytes(32).toString('base64url');
  ctx.cookies.set(secure ? HOST_COOKIE : COOKIE, token, { signed: true, httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: MAX_AGE_MS, overwrite: true });
  issued.set(ctx, digest(token));
  return digest(token);
}

/** A cookie issued in this response is not in the request: one request, one new cookie. */
const issued = new WeakMap<Context, string>();

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
