import { requestSlot } from '../../infrastructure/context/request-scope.js';
import type { Context, Next } from 'koa';
import type { SecretBox } from '../../infrastructure/crypto/secret-box.js';
import { currentRequestId } from '../../infrastructure/observability/request-context.js';
import { t } from './rendering/page-text.js';
import type { InteractionDetails } from './interaction-context.js';

const COOKIE = 'gh_restart';
/** As long as a sign-in page may sensibly be left open, and a little more: then it goes stale. */
const RESTART_TTL_MS = 2 * 3600_000;
/** Browsers drop cookies above about 4 kB: a longer request is simply not remembered. */
const MAX_URL_LENGTH = 2500;

/** The application a sign-in was started for, as an error page can name it and lead back to it. */
export interface ApplicationOf {
  clientId: string;
  name?: string;
  /** The client's registered sign-in URL (`initiate_login_uri`) or home page (`client_uri`). */
  homeUrl?: string;
}

/** The authorization request of the sign-in in progress: where "Start again" goes. */
export interface SignInRestart extends ApplicationOf {
  uid: string;
  /** `/auth?…`: the original request, parameters and all (a replayed `state` is the application's to check). */
  url: string;
}

/** What a provider `Client` says about the application (its name, its registered way in). */
export function applicationOf(client: { clientId: string; clientName?: string; initiateLoginUri?: string; clientUri?: string } | undefined): ApplicationOf | undefined {
  if (!client) return undefined;
  return { clientId: client.clientId, name: client.clientName, homeUrl: client.initiateLoginUri ?? client.clientUri };
}

/**
 * On a sign-in page's first showing: the authorization request is remembered, sealed (AES-GCM),
 * in a short-lived cookie, so a page that expired or was used already can start it over.
 */
export function rememberSignInStart(ctx: Context, seal: SecretBox, details: InteractionDetails, application: ApplicationOf | undefined, secure: boolean): void {
  const current = openRestart(ctx, seal);
  if (current?.uid === details.uid) return;
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(details.params)) {
    if (typeof value === 'string') query.set(name, value);
    else if (typeof value === 'number' || typeof value === 'boolean') query.set(name, String(value));
  }
  const url = `/auth?${query.toString()}`;
  if (url.length > MAX_URL_LENGTH) return;
  const restart: SignInRestart = { uid: details.uid, url, clientId: String(details.params.client_id), name: application?.name, homeUrl: application?.homeUrl };
  ctx.cookies.set(COOKIE, seal.seal(JSON.stringify({ ...restart, exp: Date.now() + RESTART_TTL_MS })), {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure,
    maxAge: RESTART_TTL_MS,
    overwrite: true,
  });
}

/** The remembered sign-in of this browser, if one is and it has not gone stale. */
export function openRestart(ctx: Pick<Context, 'cookies'>, seal: SecretBox): SignInRestart | undefined {
  const sealed = ctx.cookies.get(COOKIE);
  if (!sealed) return undefined;
  try {
    const restart = JSON.parse(seal.open(sealed).plaintext) as SignInRestart & { exp: number };
    if (typeof restart.exp !== 'number' || restart.exp < Date.now() || typeof restart.url !== 'string' || !restart.url.startsWith('/auth?')) return undefined;
    return { uid: restart.uid, url: restart.url, clientId: restart.clientId, name: restart.name, homeUrl: restart.homeUrl };
  } catch {
    return undefined;
  }
}

const storage = requestSlot<SignInRestart | undefined>('sign-in restart');

/**
 * For the error pages of Gatehouse's own routes (rendered without the request at hand): the
 * remembered sign-in of the request's browser, read once per request.
 */
export function rememberedSignIn(seal: SecretBox) {
  return (ctx: Context, next: Next) => storage.run(openRestart(ctx, seal), next);
}

/** The remembered sign-in of the request in progress (see `rememberedSignIn`). */
export function currentRestart(): SignInRestart | undefined {
  return storage.get();
}

/** What an error page offers: whom it is about, its error id, and the ways onward. */
export interface WayOnward {
  clientName?: string;
  errorId?: string;
  linkUrl: string;
  linkText: string;
  secondaryUrl?: string;
  secondaryText?: string;
}

/**
 * The way onward from a page that cannot go on: the sign-in started again at the same
 * application where it is known; else the application's registered sign-in or home page;
 * Gatehouse's start page only when nothing is known.
 */
export function wayOnward(known: { application?: ApplicationOf; restart?: SignInRestart }): WayOnward {
  const application = known.application ?? known.restart;
  const restart = known.restart && (!known.application || known.application.clientId === known.restart.clientId) ? known.restart : undefined;
  const errorId = currentRequestId();
  const clientName = application?.name;
  const backText = clientName ? t('error.return_to_app', { app: clientName }) : t('common.return_to_application');
  if (restart) {
    return { clientName, errorId, linkUrl: restart.url, linkText: t('error.sign_in_again'), ...(application?.homeUrl ? { secondaryUrl: application.homeUrl, secondaryText: backText } : {}) };
  }
  if (application?.homeUrl) return { clientName, errorId, linkUrl: application.homeUrl, linkText: backText };
  return { clientName, errorId, linkUrl: '/', linkText: t('common.go_to_start_page') };
}
