import type { KoaContextWithOIDC } from 'oidc-provider';
import { renderMessage, renderPage } from '../rendering/page-renderer.js';
import { readProviderForm } from '../provider-form.js';
import { t } from '../rendering/page-text.js';
import { markWrongUserCode } from './user-code-guesses.js';

// What the provider raises for a code that matches no device waiting for its person.
const WRONG_CODE_ERRORS = new Set(['NotFoundError', 'ExpiredError', 'AlreadyUsedError']);

// Long enough to type a code shown on a device (its device code lives 10 minutes).
const NEW_SESSION_SECONDS = 3600;

interface ProviderSession {
  id: string;
  exp?: number;
  save(ttlSeconds: number): Promise<unknown>;
}

/**
 * The provider re-renders the code form after an error with a fresh CSRF token kept in the
 * browser session. A browser that came without a session cookie has a session nobody saved
 * yet, and the provider fails (500) trying to update it: it is saved here, and its cookie set,
 * so the form that follows works.
 */
async function keepNewSession(ctx: KoaContextWithOIDC): Promise<void> {
  const session = ctx.oidc?.session as unknown as ProviderSession | undefined;
  if (!session || typeof session.exp === 'number') return;
  await session.save(NEW_SESSION_SECONDS);
  const secure = (ctx.cookies as unknown as { secure?: boolean }).secure === true;
  ctx.cookies.set(ctx.oidc.provider.cookieName('session'), session.id, { httpOnly: true, sameSite: 'lax', signed: true, secure, maxAge: NEW_SESSION_SECONDS * 1000, overwrite: true });
}

/** How the confirmation names a signed-in person (their username). */
export type DescribeAccount = (accountId: string) => Promise<string | undefined>;

/** The device flow's pages (RFC 8628 verification URI), plugged into `features.deviceFlow`. */
export function createDevicePages(describeAccount?: DescribeAccount) {
  return {
    async userCodeInputSource(ctx: KoaContextWithOIDC, form: string, _out: unknown, err?: Error & { userCode?: string }) {
      if (err) await keepNewSession(ctx);
      if (err && WRONG_CODE_ERRORS.has(err.name)) markWrongUserCode(ctx);
      const { action, xsrf } = readProviderForm(form);
      let error: string | undefined;
      if (err?.userCode !== undefined || err?.name === 'NoCodeError') error = t('device.invalid_code');
      else if (err?.name === 'AbortedError') error = t('device.aborted');
      else if (err) error = t('device.failed');
      ctx.type = 'html';
      ctx.body = renderPage('device-input', { action, xsrf, error, userCode: err?.userCode });
    },

    async userCodeConfirmSource(ctx: KoaContextWithOIDC, form: string, client: { clientName?: string; clientId: string }, _deviceInfo: unknown, userCode: string) {
      const { action, xsrf } = readProviderForm(form);
      // Signed in already: the device gets this account, so the page says which ("Not you?").
      const accountId = ctx.oidc.session?.accountId;
      const account = accountId ? await describeAccount?.(accountId) : undefined;
      ctx.type = 'html';
      ctx.body = renderPage('device-confirm', { action, xsrf, userCode, clientName: client.clientName ?? client.clientId, account });
    },

    async successSource(ctx: KoaContextWithOIDC) {
      const name = ctx.oidc.client?.clientName ?? t('device.your_device');
      ctx.type = 'html';
      ctx.body = renderMessage({ title: t('device.success_title'), message: t('device.success', { client: name }) });
    },
  };
}
