import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import type { PendingTrip } from '../../../domain/federation/federated-sign-in.service.js';
import type { SecretBox } from '../../../infrastructure/crypto/secret-box.js';

const COOKIE = 'gh_sso';
/** Long enough to sign in at the upstream (with its own second factor), short enough to go stale. */
const TRIP_TTL_MS = 15 * 60_000;

/**
 * The trip to the upstream travels with the browser, sealed (AES-GCM), in a cookie of the
 * sign-in's own path: no state on any replica, and only the browser that left can come back
 * with its answer (a callback in another browser finds no trip: no login CSRF).
 */
export function setTripCookie(ctx: Context, seal: SecretBox, uid: string, trip: PendingTrip, secure: boolean): void {
  ctx.cookies.set(COOKIE, seal.seal(JSON.stringify({ ...trip, uid, exp: Date.now() + TRIP_TTL_MS })), {
    path: `/interaction/${uid}`,
    httpOnly: true,
    // Lax: the upstream sends the browser back with a top-level GET, which Lax cookies accompany.
    sameSite: 'lax',
    secure,
    maxAge: TRIP_TTL_MS,
    overwrite: true,
  });
}

/**
 * The trip of this sign-in whose state the callback carries; undefined when none matches. Left in
 * place: the callback forgets it (`forgetTripCookie`) once its answer is settled.
 */
export function readTripCookie(ctx: Context, seal: SecretBox, uid: string, state: string): PendingTrip | undefined {
  const sealed = ctx.cookies.get(COOKIE);
  if (!sealed) return undefined;
  try {
    const trip = JSON.parse(seal.open(sealed).plaintext) as PendingTrip & { uid: string; exp: number };
    if (trip.uid !== uid || trip.exp < Date.now() || !sameText(trip.state, state)) return undefined;
    return { tenantId: trip.tenantId, redirectUri: trip.redirectUri, state: trip.state, nonce: trip.nonce, codeVerifier: trip.codeVerifier, remember: trip.remember === true };
  } catch {
    return undefined;
  }
}

/** The trip is over (signed in, or refused for good): a second answer for it finds none. */
export function forgetTripCookie(ctx: Context, uid: string): void {
  ctx.cookies.set(COOKIE, null, { path: `/interaction/${uid}` });
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
