import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import type { FirstPartyApp } from '../../domain/clients/first-party-clients.js';
import type { FirstPartySession, FirstPartySessionRepository } from '../../domain/sessions/first-party-session.repository.js';
import type { TenantRepository } from '../../domain/tenants/tenant.repository.js';
import type { TenantRecord } from '../../domain/tenants/tenant.js';
import type { UserRepository } from '../../domain/users/user.repository.js';
import type { UserRecord } from '../../domain/users/user.js';
import type { SecretBox } from '../../infrastructure/crypto/secret-box.js';
import { CodeExchangeError, redeemCode, type SignedInClaims } from './code-exchange.js';

/** Idle time after which the person signs in again (each request slides it forward). */
const IDLE_MS = 15 * 60_000;
/** However active, a session ends after this long. */
const MAX_AGE_MS = 8 * 60 * 60_000;
/** Long enough to sign in (password, second factor), short enough to go stale. */
const TRIP_TTL_MS = 15 * 60_000;

export interface FirstPartyWebAppOptions {
  app: FirstPartyApp;
  issuer: string;
  clientSecret: string;
  /** The provider's token endpoint on this process's own socket (see code-exchange.ts). */
  tokenEndpoint: () => string;
  sessions: FirstPartySessionRepository;
  users: UserRepository;
  tenants: TenantRepository;
  /** Seals the trip to the authorization endpoint and back (state, nonce, PKCE verifier). */
  tripSeal: SecretBox;
  secureCookies: boolean;
  now: () => Date;
  /** Called once a person signed in to the app (an event). */
  onSignedIn?: (ctx: Context, user: UserRecord, claims: SignedInClaims) => void;
}

/** A request of a signed-in person: their session (with the app's state), user and tenant. */
export interface SignedIn {
  session: FirstPartySession;
  user: UserRecord;
  tenant: TenantRecord;
}

interface Trip {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
  exp: number;
  /** A fresh authentication of the person already signed in (not a new session). */
  fresh?: boolean;
}

/** What the callback did: a new session, a fresh authentication of the current one, or why neither. */
export type SignInOutcome = { ok: true; returnTo: string; fresh: boolean } | { ok: false; error: string };

/**
 * "First-party web app sign-in": one of Gatehouse's own web apps (the account page; the admin
 * console next) signs people in through Gatehouse like any relying party — authorization code
 * with PKCE and a nonce — so the person goes through the same login page, second factor,
 * lockout and tenant rules as everywhere. Everything the app knows stays server-side
 * (first_party_sessions); the browser holds an httpOnly cookie with a random id, scoped to
 * the app's path, idle after 15 minutes. Each form carries a per-session token (`csrf`)
 * besides the same-origin check every own form gets.
 */
export class FirstPartyWebApp {
  readonly callbackPath: string;
  private readonly sessionCookie: string;
  private readonly tripCookie: string;

  constructor(private readonly options: FirstPartyWebAppOptions) {
    this.callbackPath = `${options.app.path}/callback`;
    const slug = options.app.path.replace(/[^a-z0-9]/gi, '');
    this.sessionCookie = `gh_${slug}_session`;
    this.tripCookie = `gh_${slug}_trip`;
  }

  get clientId(): string {
    return this.options.app.clientId;
  }

  /**
   * Sends the browser to the authorization endpoint; it comes back to the callback. `fresh`:
   * the person must enter their password again however recently they signed in (`prompt=login`,
   * `max_age=0`); the callback then records the new `auth_time` in the current session.
   */
  beginSignIn(ctx: Context, returnTo: string, options: { fresh?: boolean } = {}): void {
    const trip: Trip = { state: random(), nonce: random(), verifier: random(), returnTo: this.ownPath(returnTo), exp: Date.now() + TRIP_TTL_MS, ...(options.fresh ? { fresh: true } : {}) };
    ctx.cookies.set(this.tripCookie, this.options.tripSeal.seal(JSON.stringify(trip)), {
      path: this.callbackPath,
      httpOnly: true,
      // Lax: the provider sends the browser back with a top-level GET, which Lax cookies accompany.
      sameSite: 'lax',
      secure: this.options.secureCookies,
      maxAge: TRIP_TTL_MS,
      overwrite: true,
    });
    const url = new URL(`${this.options.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: this.clientId,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: this.redirectUri,
      state: trip.state,
      nonce: trip.nonce,
      code_challenge: createHash('sha256').update(trip.verifier).digest('base64url'),
      code_challenge_method: 'S256',
      ...(options.fresh ? { prompt: 'login', max_age: '0' } : {}),
    }).toString();
    ctx.set('Cache-Control', 'no-store');
    ctx.redirect(url.toString());
  }

  /**
   * The callback: the trip cookie must match the state (so a code injected into another
   * browser finds nothing), the code is redeemed, and a session begins. Returns where to go,
   * or why it failed (the page says so and offers to start again).
   */
  async finishSignIn(ctx: Context): Promise<SignInOutcome> {
    const sealed = ctx.cookies.get(this.tripCookie);
    ctx.cookies.set(this.tripCookie, null, { path: this.callbackPath });
    const trip = sealed ? this.openTrip(sealed) : undefined;
    const state = String(ctx.query.state ?? '');
    if (!trip || trip.exp < Date.now() || !sameText(trip.state, state)) return { ok: false, error: 'stale' };
    if (typeof ctx.query.error === 'string') return { ok: false, error: ctx.query.error };
    const code = String(ctx.query.code ?? '');
    if (!code) return { ok: false, error: 'no_code' };
    const now = this.options.now();
    const claims = await redeemCode({
      tokenEndpoint: this.options.tokenEndpoint(),
      issuer: this.options.issuer,
      clientId: this.clientId,
      clientSecret: this.options.clientSecret,
      redirectUri: this.redirectUri,
      code,
      codeVerifier: trip.verifier,
      nonce: trip.nonce,
      now,
    }).catch((err: unknown) => {
      // A refused code (replayed, expired, a revoked account) is the person's to retry; anything else is ours.
      if (err instanceof CodeExchangeError) return undefined;
      throw err;
    });
    if (!claims) return { ok: false, error: 'code_refused' };
    const user = await this.options.users.findById(claims.sub);
    if (!user || user.disabled) return { ok: false, error: 'account_unavailable' };
    const authTime = claims.authTime ? claims.authTime * 1000 : now.getTime();
    if (trip.fresh) {
      // The password must have been entered on this trip (prompt=login): never an older sign-in.
      if (!claims.authTime || claims.authTime * 1000 < trip.exp - TRIP_TTL_MS - 1000) return { ok: false, error: 'stale' };
      // Only the person of this session can renew it: someone else's password proves nothing about them.
      const current = await this.current(ctx);
      if (!current) return { ok: false, error: 'stale' };
      if (current.user.id !== user.id) return { ok: false, error: 'other_person' };
      // On the app's clock, which decides how fresh it still is.
      await this.save(current, { authTime: now.getTime(), amr: claims.amr ?? [] });
      return { ok: true, returnTo: trip.returnTo, fresh: true };
    }
    const session = await this.options.sessions.create({
      clientId: this.clientId,
      userId: user.id,
      tenantId: user.tenant_id,
      signedInAt: now,
      expiresAt: new Date(now.getTime() + IDLE_MS),
      // `csrf`: the forms' token; `scope`: binds what the app opens (codes being confirmed) to this session.
      // `authTime`: when the password was last entered (a fresh authentication moves it).
      state: { csrf: random(), scope: random(), maxUntil: now.getTime() + MAX_AGE_MS, amr: claims.amr ?? [], authTime },
    });
    this.setSessionCookie(ctx, session.token);
    this.options.onSignedIn?.(ctx, user, claims);
    return { ok: true, returnTo: trip.returnTo, fresh: false };
  }

  /**
   * The signed-in person of this request, or undefined (then sign in again). The session ends
   * when idle, past its maximum age, or when the person's tokens were cut off after it began
   * (a password changed, an administrator's sign-out, a disabled account).
   */
  async current(ctx: Context): Promise<SignedIn | undefined> {
    const token = ctx.cookies.get(this.sessionCookie);
    if (!token) return undefined;
    const now = this.options.now();
    const session = await this.options.sessions.find(token, this.clientId, now);
    if (!session) return undefined;
    const user = await this.options.users.findById(session.userId);
    const cutOff = user?.tokens_valid_after && user.tokens_valid_after.getTime() > session.signedInAt.getTime();
    const tooOld = now.getTime() > Number(session.state.maxUntil ?? 0);
    const tenant = user && !user.disabled && !cutOff && !tooOld ? await this.options.tenants.findById(user.tenant_id) : undefined;
    if (!user || !tenant) {
      await this.options.sessions.end(token);
      return undefined;
    }
    session.expiresAt = new Date(now.getTime() + IDLE_MS);
    await this.options.sessions.touch(token, { expiresAt: session.expiresAt });
    this.setSessionCookie(ctx, token);
    return { session, user, tenant };
  }

  /** Saves the app's state of this session (what a page remembers between two requests). */
  async save(signedIn: SignedIn, state: Record<string, unknown>): Promise<void> {
    signedIn.session.state = { ...signedIn.session.state, ...state };
    await this.options.sessions.touch(signedIn.session.token, { expiresAt: signedIn.session.expiresAt, state: signedIn.session.state });
  }

  /**
   * After a change that cut off the person's tokens on purpose from this very session (their
   * own password change): the session counts from now, so it survives the cut it made.
   */
  async renew(signedIn: SignedIn): Promise<void> {
    // One second later than the cut, which is in whole seconds.
    const at = new Date(Math.ceil((this.options.now().getTime() + 1) / 1000) * 1000);
    signedIn.session.signedInAt = at;
    await this.options.sessions.touch(signedIn.session.token, { expiresAt: signedIn.session.expiresAt, signedInAt: at });
  }

  async signOut(ctx: Context): Promise<void> {
    const token = ctx.cookies.get(this.sessionCookie);
    if (token) await this.options.sessions.end(token);
    ctx.cookies.set(this.sessionCookie, null, { path: this.options.app.path });
  }

  /** When the person last entered their password for this session (epoch ms; 0: unknown). */
  authTime(signedIn: SignedIn): number {
    return Number(signedIn.session.state.authTime ?? 0);
  }

  csrfToken(signedIn: SignedIn): string {
    return String(signedIn.session.state.csrf ?? '');
  }

  /** The form's token matches this session's. */
  validCsrf(signedIn: SignedIn, token: unknown): boolean {
    return typeof token === 'string' && token.length > 0 && sameText(token, this.csrfToken(signedIn));
  }

  private get redirectUri(): string {
    return `${this.options.issuer}${this.callbackPath}`;
  }

  /** Only a path of the app itself is returned to (no open redirect). */
  private ownPath(returnTo: string): string {
    const base = this.options.app.path;
    return returnTo === base || (returnTo.startsWith(`${base}/`) && !returnTo.startsWith('//') && !returnTo.includes('\\')) ? returnTo : base;
  }

  private setSessionCookie(ctx: Context, token: string): void {
    ctx.cookies.set(this.sessionCookie, token, { path: this.options.app.path, httpOnly: true, sameSite: 'lax', secure: this.options.secureCookies, maxAge: IDLE_MS, overwrite: true });
  }

  private openTrip(sealed: string): Trip | undefined {
    try {
      return JSON.parse(this.options.tripSeal.open(sealed).plaintext) as Trip;
    } catch {
      return undefined;
    }
  }
}

/** 32 bytes: 43 characters, the shortest PKCE verifier RFC 7636 allows. */
function random(): string {
  return randomBytes(32).toString('base64url');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
