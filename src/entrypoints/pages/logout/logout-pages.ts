import type { KoaContextWithOIDC } from 'oidc-provider';
import { renderMessage, renderPage } from '../rendering/page-renderer.js';
import { readProviderForm } from '../provider-form.js';

/** RP-initiated logout pages, plugged into `features.rpInitiatedLogout`. */
export const logoutPages = {
  async logoutSource(ctx: KoaContextWithOIDC, form: string) {
    const { action, xsrf } = readProviderForm(form);
    ctx.type = 'html';
    ctx.body = renderPage('logout', { action, xsrf, clientName: ctx.oidc.client?.clientName });
  },

  async postLogoutSuccessSource(ctx: KoaContextWithOIDC) {
    ctx.type = 'html';
    ctx.body = renderMessage({ title: 'Signed out', message: 'You are signed out of Gatehouse. You can close this page.' });
  },
};
