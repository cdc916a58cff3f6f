import type { KoaContextWithOIDC } from 'oidc-provider';
import { renderMessage } from './rendering/page-renderer.js';

/**
 * What a person sees when an OAuth request cannot go on (unknown client, wrong redirect URI,
 * expired step). Never a stack trace; always a way onward.
 */
export async function renderProviderError(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }) {
  ctx.type = 'html';
  ctx.body = renderMessage({
    title: 'This sign-in cannot continue',
    alert: true,
    message: friendlyDescription(out),
    linkUrl: '/',
    linkText: 'Start again from the application you were using',
  });
}

function friendlyDescription(out: { error: string; error_description?: string }): string {
  switch (out.error) {
    case 'invalid_client':
      return 'The application that sent you here is not known to Gatehouse.';
    case 'temporarily_unavailable':
      return 'Gatehouse is briefly unavailable. Nothing was changed: please try again in a moment.';
    case 'server_error':
      return 'Something went wrong on our side. Please try again in a moment.';
    case 'invalid_redirect_uri':
      return 'The application asked to return to an address it is not registered for.';
    case 'session_not_found':
    case 'invalid_request':
      return out.error_description?.includes('interaction')
        ? 'This sign-in page has expired. Go back to the application and sign in again.'
        : `The request was not valid: ${out.error_description ?? out.error}.`;
    default:
      return out.error_description ? `${out.error_description}.` : 'The request could not be completed.';
  }
}
