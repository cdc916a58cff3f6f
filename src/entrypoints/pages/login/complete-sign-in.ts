import type { Context } from 'koa';
import type { UserRecord } from '../../../domain/users/user.js';
import { ensureDeviceHash } from '../../../infrastructure/http/device-cookie.js';
import { clientAdmitsTenant } from '../../../domain/clients/client-tenancy.js';
import { grantFirstPartyScopes } from '../consent/first-party-grant.js';
import type { InteractionDependencies } from '../interaction-context.js';
import { signInSource } from '../sign-in-source.js';
import { REFUSAL_WORDING } from '../../oidc/refusal-wording.js';

type Details = Awaited<ReturnType<InteractionDependencies['provider']['interactionDetails']>>;

/**
 * Ends the password step of an authorization request: the user is known, so the provider may
 * go on (to the next prompt, or back to the client). Used by the login form and by a completed
 * password reset, so both end the same way.
 */
export async function completeSignIn(ctx: Context, deps: InteractionDependencies, details: Details, user: UserRecord): Promise<void> {
  const client = await deps.provider.Client.find(String(details.params.client_id));
  const source = signInSource(ctx, client);
  if (!clientAdmitsTenant(client, user.tenant_id)) {
    deps.signInEvents.failed(user, source, 'client_of_another_tenant');
    const url = await deps.provider.interactionResult(ctx.req, ctx.res, {
      error: 'access_denied',
      error_description: REFUSAL_WORDING.client_of_another_tenant,
    });
    return seeOther(ctx, url);
  }
  const grantId = await grantFirstPartyScopes(deps.provider, details, user);
  await deps.users.recordLogin(user.id, new Date());
  // This browser now knows this user: spared the username-wide lockout, eligible to be remembered.
  const newBrowser = await deps.devices.touch(ensureDeviceHash(ctx, deps.secureCookies), user.id);
  // A security notice (DESIGN §8) for a new browser, but not at the very first sign-in.
  if (newBrowser && user.last_login_at) deps.notifyNewDevice(user, { client: client?.clientName ?? String(details.params.client_id), ip: source.ip, userAgent: ctx.get('user-agent') || 'unknown' });
  deps.signInEvents.succeeded(user, source);
  const url = await deps.provider.interactionResult(
    ctx.req,
    ctx.res,
    { login: { accountId: user.id, amr: ['pwd'] }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
  seeOther(ctx, url);
}

/** After a form POST, continue with a GET. */
export function seeOther(ctx: Context, url: string): void {
  ctx.status = 303;
  ctx.redirect(url);
}
