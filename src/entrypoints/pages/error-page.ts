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
    ctx.body = renderMessage({ title: t('common.cannot_continue'), alert: true, message: friendlyDescription(out), ...way });
  };
}

/** The page without a remembered sign-in to restart (tests, and callers without the seal). */
export const renderProviderError = providerErrorPage();

function friendlyDescription(out: { error: string; error_description?: string }): string {
  switch (out.error) {
    case 'invalid_client':
      return t('error.invalid_client');
    case 'temporarily_unavailable':
      return t('error.temporarily_unavailable');
    case 'server_error':
      return t('error.server_error');
    case 'invalid_redirect_uri':
      return t('error.invalid_redirect_uri');
    case 'session_not_found':
    case 'invalid_request':
      return out.error_description?.includes('interaction')
        ? t('error.interaction_expired')
        : t('error.invalid_request', { detail: out.error_description ?? out.error });
    default:
      // The provider's own description is English: it names a protocol detail, not a person's task.
      return out.error_description ? t('error.described', { detail: out.error_description }) : t('error.generic');
  }
}
