import type { ProviderPages } from '../oidc/create-provider.js';
import { createDevicePages, type DescribeAccount } from './device/device-pages.js';
import { renderProviderError } from './error-page.js';
import { createLogoutPages, type SignOutPreparation } from './logout/logout-pages.js';
import { renderMessage } from './rendering/page-renderer.js';
import { t } from './rendering/page-text.js';
import type { HtmlErrorPage } from '../../infrastructure/http/error-handler.js';

/** The pages the provider renders itself: the device flow, logout and its error page. */
export function createProviderPages(options: { upstreamSignOut?: SignOutPreparation; describeAccount?: DescribeAccount } = {}): ProviderPages {
  return {
    deviceFlow: createDevicePages(options.describeAccount),
    logout: createLogoutPages(options.upstreamSignOut),
    renderError: renderProviderError as ProviderPages['renderError'],
  };
}

/** An error of Gatehouse's own routes, for a browser. */
export const htmlErrorPage: HtmlErrorPage = ({ title, message }) => renderMessage({ title, alert: true, message, linkUrl: '/', linkText: t('common.go_to_start_page') });
