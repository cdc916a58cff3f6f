import type { KoaContextWithOIDC } from 'oidc-provider';
import { renderMessage } from './rendering/page-renderer.js';
import { t } from './rendering/page-text.js';
import { applyUiLocales } from '../../infrastructure/i18n/page-language.js';
import type { SecretBox } from '../../infrastructure/crypto/secret-box.js';
import { applicationOf, openRestart, wayOnward } from './way-onward.js';

/**
 * What a person sees when an OAuth request cannot go on and cannot be sent back to the
 * application with an OAuth error (the provider redirects every error it can: this is an unknown
 * client, a redirect URI not registered, an expired step). Never a stack trace: the application
 * when known, the error id of the logs, and a way onward back to the application.
 */
export function providerErrorPage(restartSeal?: SecretBox) {
  return async function renderProviderError(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }) {
    applyUiLocales(ctx.oidc?.params?.ui_locales);
    const application = applicationOf(ctx.oidc?.client);
    const way = wayOnward({ application, restart: restartSeal ? openRestart(ctx, restartSeal) : undefined });
    ctx.type = 'html';
    ctx.body = renderMessage({ title: t('common.cannot_continue'), alert: true, ...friendlyDescription(out), ...way });
  };
}

/** The page without a remembered sign-in to restart (tests, and callers without the seal). */
export const renderProviderError = providerErrorPage();

/** The OAuth error codes with a sentence of their own (catalog `error.*`): what the person can do. */
const ERROR_SENTENCES: Record<string, string> = {
  invalid_client: 'error.invalid_client',
  unauthorized_client: 'error.code_unauthorized_client',
  invalid_redirect_uri: 'error.invalid_redirect_uri',
  redirect_uri_mismatch: 'error.invalid_redirect_uri',
  temporarily_unavailable: 'error.temporarily_unavailable',
  server_error: 'error.server_error',
  invalid_request: 'error.code_invalid_request',
  invalid_request_object: 'error.code_invalid_request',
  invalid_request_uri: 'error.code_invalid_request',
  request_not_supported: 'error.code_invalid_request',
  access_denied: 'error.code_access_denied',
  login_required: 'error.code_login_required',
  consent_required: 'error.code_consent_required',
  interaction_required: 'error.code_interaction_required',
  account_selection_required: 'error.code_interaction_required',
  invalid_scope: 'error.code_invalid_scope',
  unsupported_response_type: 'error.code_unsupported_response_type',
  unsupported_response_mode: 'error.code_unsupported_response_type',
  invalid_grant: 'error.code_invalid_grant',
  session_not_found: 'error.code_session_not_found',
};

/**
 * The page's words for a provider error: a translated sentence as the message (never the
 * provider's English), and its own description only as a technical detail beneath, for whoever
 * builds the application.
 */
export function friendlyDescription(out: { error: string; error_description?: string }): { message: string; detail?: string } {
  const detail = out.error_description && out.error_description !== out.error ? out.error_description : undefined;
  // An interaction that ran out (the sign-in page left open too long) has its own way onward.
  if ((out.error === 'invalid_request' || out.error === 'session_not_found') && detail?.includes('interaction')) return { message: t('error.interaction_expired'), detail };
  const key = Object.hasOwn(ERROR_SENTENCES, out.error) ? ERROR_SENTENCES[out.error]! : 'error.generic';
  return { message: t(key), detail: detail ?? (key === 'error.generic' ? out.error : undefined) };
}
