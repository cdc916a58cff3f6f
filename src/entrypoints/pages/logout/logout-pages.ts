import type { KoaContextWithOIDC } from 'oidc-provider';
import { renderMessage, renderPage } from '../rendering/page-renderer.js';
import { readProviderForm } from '../provider-form.js';
import { t } from '../rendering/page-text.js';
import { applyUiLocales } from '../../../infrastructure/i18n/page-language.js';

/** What the confirmation page asks of single sign-on: note a session whose sign-out continues upstream. */
export interface SignOutPreparation {
  prepare(ctx: KoaContextWithOIDC): Promise<void>;
}

/** RP-initiated logout pages, plugged into `features.rpInitiatedLogout`. */
export function createLogoutPages(upstream?: SignOutPreparation) {
  return {
    async logoutSource(ctx: KoaContextWithOIDC, form: string) {
      const { action, xsrf } = readProviderForm(form);
      await upstream?.prepare(ctx);
      applyUiLocales(ctx.oidc.params?.ui_locales);
      ctx.type = 'html';
      ctx.body = renderPage('logout', { action, xsrf, clientName: ctx.oidc.client?.clientName, apps: await appsOfSession(ctx) });
    },

    async postLogoutSuccessSource(ctx: KoaContextWithOIDC) {
      ctx.type = 'html';
      ctx.body = renderSignedOut();
    },
  };
}

/**
 * The apps this browser's session signed in to: what "sign out of everything" ends, named on the
 * page so nobody signs out of more (or less) than they think.
 */
async function appsOfSession(ctx: KoaContextWithOIDC): Promise<string[]> {
  const clientIds = Object.keys((ctx.oidc.session as { authorizations?: Record<string, unknown> } | undefined)?.authorizations ?? {}).slice(0, 20);
  const clients = await Promise.all(clientIds.map((clientId) => ctx.oidc.provider.Client.find(clientId).catch(() => undefined)));
  return clients.flatMap((client, i) => (client ? [client.clientName ?? clientIds[i]!] : []));
}

export function renderSignedOut(): string {
  return renderMessage({ title: t('logout.signed_out_title'), message: t('logout.signed_out') });
}
