import type { FederatedRefusal } from '../../../domain/federation/federated-sign-in.service.js';
import type { SsoConnection } from '../../../domain/federation/sso-connection.js';

/** The page of each refusal: what happened, in the person's terms, and what to do next. */
export function refusalPage(reason: FederatedRefusal, connection: SsoConnection | undefined, upstreamError?: string): { title: string; message: string; status: number; retry: boolean } {
  const upstream = connection?.display_name ?? 'your organisation';
  switch (reason) {
    case 'disabled':
      return { status: 403, retry: false, title: 'Your account is disabled', message: `${upstream} signed you in, but your Gatehouse account is disabled. Ask your organisation's administrator to enable it.` };
    case 'no_seat_left':
      return { status: 403, retry: false, title: 'Your organisation has no seat left', message: `${upstream} signed you in, but every seat of your organisation is taken, so no account could be created for you. Ask your administrator to free a seat or add more, then sign in again.` };
    case 'unknown_user':
      return { status: 403, retry: false, title: 'Your account has not been set up', message: `${upstream} signed you in, but your organisation has not added you yet. Ask your administrator to add you, then sign in again.` };
    case 'domain_not_allowed': {
      const domains = connection?.allowed_domains.length ? ` (${connection.allowed_domains.join(', ')})` : '';
      return { status: 403, retry: true, title: 'This account is not allowed here', message: `Your organisation signs in only people with its own email addresses${domains}. Sign in with your work account, or ask your administrator.` };
    }
    case 'upstream_refused':
      return {
        status: 401,
        retry: true,
        title: `${upstream} did not sign you in`,
        message: upstreamError === 'access_denied' ? `The sign-in at ${upstream} was cancelled or refused. Try again when you are ready.` : `${upstream} answered "${upstreamError ?? 'error'}". Try again; if it happens again, tell your administrator.`,
      };
    case 'username_taken':
      return { status: 409, retry: false, title: 'Your account needs your administrator', message: `${upstream} signed you in, but a Gatehouse user with your name exists already and cannot be linked to you automatically. Ask your administrator to link your account.` };
    case 'upstream_failed':
      return { status: 502, retry: true, title: `Signing in with ${upstream} did not work`, message: `Gatehouse could not complete the sign-in with ${upstream}. Try again in a moment; if it keeps failing, give your administrator the error id below.` };
  }
}
