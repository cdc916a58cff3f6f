import type { Context, Middleware } from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { SsoConnectionRepository } from '../../../domain/federation/sso-connection.repository.js';
import type { UpstreamProvider } from '../../../infrastructure/federation/openid-upstream.js';
import { endpointOf } from '../../../domain/federation/sso-connection.js';
import type { UserRepository } from '../../../domain/users/user.repository.js';
import type { SecretBox } from '../../../infrastructure/crypto/secret-box.js';
import type { Logger } from '../../../infrastructure/observability/logger.js';
import { allowFormTarget } from '../../../infrastructure/http/security-headers.js';

const COOKIE = 'gh_sso_logout';
const CONFIRM_PATH = '/session/end/confirm';
const TTL_MS = 15 * 60_000;

export interface UpstreamSignOutDependencies {
  users: UserRepository;
  connections: SsoConnectionRepository;
  upstream: UpstreamProvider;
  seal: SecretBox;
  issuer: string;
  secureCookies: boolean;
  logger: Logger;
}

/**
 * RP-initiated logout that continues at the tenant's provider, where the tenant asks for it
 * (`upstream_logout`): the confirmation page notes (in a sealed cookie) that this session came
 * from the upstream; once the provider has ended Gatehouse's session, its redirect (to the
 * application, or to the "signed out" page) goes through the upstream's end-session endpoint
 * first, which returns to `/sso/signed-out` and from there to where the provider meant to go.
 */
export class UpstreamSignOut {
  constructor(private readonly deps: UpstreamSignOutDependencies) {}

  /** Called while the logout confirmation page is rendered, with the session to be ended. */
  async prepare(ctx: KoaContextWithOIDC): Promise<void> {
    const session = ctx.oidc.session as { accountId?: string; amr?: string[] } | undefined;
    if (!session?.accountId || !session.amr?.includes('fed')) return;
    const user = await this.deps.users.findById(session.accountId);
    const connection = user && (await this.deps.connections.ofTenant(user.tenant_id));
    if (!connection?.enabled || !connection.upstream_logout) return;
    try {
      // The confirmation form's answer redirects there: the page's form-action must allow it.
      allowFormTarget(ctx as unknown as Context, await this.deps.upstream.endSessionUrl(endpointOf(connection), { postLogoutRedirectUri: `${this.deps.issuer}/sso/signed-out`, state: '' }));
    } catch (err) {
      this.deps.logger.warn({ err, tenantId: connection.tenant_id }, 'the upstream provider cannot be reached: the sign-out ends at Gatehouse');
      return;
    }
    ctx.cookies.set(COOKIE, this.deps.seal.seal(JSON.stringify({ tenantId: connection.tenant_id, exp: Date.now() + TTL_MS })), {
      path: CONFIRM_PATH,
      httpOnly: true,
      sameSite: 'lax',
      secure: this.deps.secureCookies,
      maxAge: TTL_MS,
    });
  }

  /** Around the provider's logout confirmation: its answer goes through the upstream first. */
  middleware(): Middleware {
    return async (ctx, next) => {
      if (ctx.path !== CONFIRM_PATH || ctx.method !== 'POST') return next();
      const noted = this.noted(ctx);
      await next();
      if (!noted) return;
      ctx.cookies.set(COOKIE, null, { path: CONFIRM_PATH });
      // Only "sign out of everything" ends the whole session (and so the upstream's); signing out of one app does not.
      const ended = Boolean((ctx as { oidc?: { params?: { logout?: unknown } } }).oidc?.params?.logout);
      if (!ended || (ctx.status !== 302 && ctx.status !== 303)) return;
      const then = ctx.response.get('Location');
      try {
        const connection = await this.deps.connections.ofTenant(noted.tenantId);
        if (!connection?.enabled) return;
        const state = this.deps.seal.seal(JSON.stringify({ then, exp: Date.now() + TTL_MS }));
        const url = await this.deps.upstream.endSessionUrl(endpointOf(connection), { postLogoutRedirectUri: `${this.deps.issuer}/sso/signed-out`, state });
        if (!url) return;
        ctx.status = 303;
        ctx.redirect(url);
      } catch (err) {
        // Gatehouse's session is ended either way; the upstream's stays, as without the setting.
        this.deps.logger.warn({ err, tenantId: noted.tenantId }, 'could not continue the sign-out at the upstream provider');
      }
    };
  }

  /** Back from the upstream: where the provider meant to send the browser; undefined: the "signed out" page. */
  returnTo(state: string | undefined): string | undefined {
    if (!state) return undefined;
    try {
      const { then, exp } = JSON.parse(this.deps.seal.open(state).plaintext) as { then: string; exp: number };
      return exp > Date.now() && then ? then : undefined;
    } catch {
      return undefined;
    }
  }

  private noted(ctx: Context): { tenantId: string } | undefined {
    const sealed = ctx.cookies.get(COOKIE);
    if (!sealed) return undefined;
    try {
      const note = JSON.parse(this.deps.seal.open(sealed).plaintext) as { tenantId: string; exp: number };
      return note.exp > Date.now() ? { tenantId: note.tenantId } : undefined;
    } catch {
      return undefined;
    }
  }
}
