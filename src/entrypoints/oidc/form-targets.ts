import type { Context, Middleware } from 'koa';
import type Provider from 'oidc-provider';
import { allowFormTarget } from '../../infrastructure/http/security-headers.js';

interface ClientLike {
  redirectUriAllowed(uri: string): boolean;
  postLogoutRedirectUriAllowed(uri: string): boolean;
}

/**
 * The sign-in ends at the client: a form_post page posts there, and a submitted form (login,
 * logout confirmation) is redirected there, which Chromium checks against `form-action` too.
 * Each page may send its forms to the one redirect URI of its request, when the client
 * registered it, and nowhere else.
 */
export function allowClientFormTargets(): Middleware {
  return async (ctx, next) => {
    await next();
    if (!ctx.response.is('html')) return;
    const oidc = (ctx as { oidc?: { client?: ClientLike; params?: Record<string, unknown> } }).oidc;
    if (!oidc) return;
    try {
      allowRegistered(ctx, oidc.client, oidc.params);
    } catch {
      // A request the provider refused early has no client or params: nothing to allow.
    }
  };
}

/** The same for Gatehouse's own pages of an interaction (`/interaction/:uid/…`). */
export async function allowInteractionFormTargets(ctx: Context, provider: Provider, uid: string): Promise<void> {
  const interaction = await provider.Interaction.find(uid).catch(() => undefined);
  const params = interaction?.params as Record<string, unknown> | undefined;
  if (!params || typeof params.client_id !== 'string') return;
  const client = await provider.Client.find(params.client_id).catch(() => undefined);
  allowRegistered(ctx, client as unknown as ClientLike | undefined, params);
}

function allowRegistered(ctx: Context, client: ClientLike | undefined, params: Record<string, unknown> | undefined): void {
  if (!client || !params) return;
  const redirect = params.redirect_uri;
  if (typeof redirect === 'string' && client.redirectUriAllowed(redirect)) allowFormTarget(ctx, redirect);
  const logout = params.post_logout_redirect_uri;
  if (typeof logout === 'string' && client.postLogoutRedirectUriAllowed(logout)) allowFormTarget(ctx, logout);
}
