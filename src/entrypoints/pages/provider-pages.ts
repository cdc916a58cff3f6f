import type { ProviderPages } from '../oidc/create-provider.js';
import { createDevicePages, type DescribeAccount } from './device/device-pages.js';
import { providerErrorPage } from './error-page.js';
import { createLogoutPages, type SignOutPreparation } from './logout/logout-pages.js';
import { renderMessage } from './rendering/page-renderer.js';
import type { HtmlErrorPage } from '../../infrastructure/http/error-handler.js';
import type { SecretBox } from '../../infrastructure/crypto/secret-box.js';
import { currentRestart, wayOnward } from './way-onward.js';

/** The pages the provider renders itself: the device flow, logout and its error page. */
export function createProviderPages(options: { upstreamSignOut?: SignOutPreparation; restartSeal?: SecretBox; describeAccount?: DescribeAccount } = {}): ProviderPages {
  return {
    deviceFlow: createDevicePages(options.describeAccount),
    logout: createLogoutPages(options.upstreamSignOut),
    renderError: providerErrorPage(options.restartSeal) as ProviderPages['renderError'],
  };
}

/**
 * An error of Gatehouse's own routes, for a browser: its error id, and the way back to the
 * sign-in this browser started (see way-onward.ts), else the start page.
 */
export const htmlErrorPage: HtmlErrorPage = ({ title, message }) => renderMessage({ title, alert: true, message, ...wayOnward({ restart: currentRestart() }) });
