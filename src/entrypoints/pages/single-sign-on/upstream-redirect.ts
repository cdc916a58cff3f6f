import type { Context } from 'koa';
import type { FederatedSignIn } from '../../../domain/federation/federated-sign-in.service.js';
import type { HomeRealm } from '../../../domain/federation/home-realm.js';
import type { SsoConnection } from '../../../domain/federation/sso-connection.js';
import type { SecretBox } from '../../../infrastructure/crypto/secret-box.js';
import { currentRequestId } from '../../../infrastructure/observability/request-context.js';
import type { InteractionDependencies, InteractionDetails } from '../interaction-context.js';
import { renderMessage } from '../rendering/page-renderer.js';
import { signInSource } from '../sign-in-source.js';
import { refusalPage } from './sso-messages.js';
import { setTripCookie } from './upstream-trip-cookie.js';
import type { UpstreamSignOut } from './upstream-sign-out.js';

export interface SsoPageDependencies extends InteractionDependencies {
  homeRealm: HomeRealm;
  federatedSignIn: FederatedSignIn;
  ssoTripSeal: SecretBox;
  upstreamSignOut: UpstreamSignOut;
  issuer: string;
}

/**
 * On the login page's first showing: an application's `tenant_hint`, or a `login_hint` whose
 * organisation signs in with its own provider, goes there at once. `?sso=off` (the way back from
 * a refused upstream sign-in) shows the page instead.
 */
export async function routeByHints(ctx: Context, deps: SsoPageDependencies, details: InteractionDetails): Promise<boolean> {
  if (ctx.query.sso === 'off') return false;
  const tenantHint = typeof details.params.tenant_hint === 'string' ? details.params.tenant_hint : undefined;
  const loginHint = typeof details.params.login_hint === 'string' ? details.params.login_hint.slice(0, 256) : undefined;
  const connection = (tenantHint ? await deps.homeRealm.forTenantHint(tenantHint) : undefined) ?? (loginHint ? await deps.homeRealm.forIdentifier(loginHint) : undefined);
  if (!connection) return false;
  await goUpstream(ctx, deps, details, connection, { loginHint });
  return true;
}

/**
 * Sends the browser to its tenant's provider. After a form post the answer is a page that moves
 * on by itself (a `Refresh`, no script needed), since a form's redirect to another origin would
 * meet the page's `form-action`.
 */
export async function goUpstream(ctx: Context, deps: SsoPageDependencies, details: InteractionDetails, connection: SsoConnection, options: { loginHint?: string; chooseAccount?: boolean; afterForm?: boolean; remember?: boolean }): Promise<void> {
  const client = await deps.provider.Client.find(String(details.params.client_id));
  const begun = await deps.federatedSignIn.begin(connection, `${deps.issuer}/sso/callback`, details.uid, { loginHint: options.loginHint, chooseAccount: options.chooseAccount }, signInSource(ctx, client));
  if (!begun.ok) {
    const page = refusalPage('upstream_failed', connection);
    ctx.status = page.status;
    ctx.type = 'html';
    ctx.body = renderMessage({ title: page.title, alert: true, message: page.message, errorId: currentRequestId(), ...(connection.required ? {} : { linkUrl: `/interaction/${details.uid}?sso=off`, linkText: 'Sign in with a Gatehouse password instead' }) });
    return;
  }
  setTripCookie(ctx, deps.ssoTripSeal, details.uid, { ...begun.trip, remember: options.remember === true }, deps.secureCookies);
  if (!options.afterForm) return ctx.redirect(begun.url);
  ctx.set('Refresh', `0; url=${begun.url}`);
  ctx.type = 'html';
  ctx.body = renderMessage({
    title: `Continue with ${connection.display_name}`,
    message: `Your organisation signs you in with ${connection.display_name}.`,
    linkUrl: begun.url,
    linkText: `Continue to ${connection.display_name}`,
  });
}
