import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';
import type { UserRepository } from '../../domain/users/user.repository.js';
import type { ClientRepository } from '../../domain/clients/client.repository.js';
import { GatehouseError } from '../../infrastructure/http/gatehouse-error.js';
import { actorOfPerson, type AdminActor } from './admin-actor.js';

export interface AdminAuthenticationDependencies {
  provider: Provider;
  users: UserRepository;
  clients: ClientRepository;
}

/**
 * Bearer tokens issued by Gatehouse with scope `admin`. The scope is necessary, not sufficient:
 * the caller is looked up in the database on every request (the operator flag of a client, the
 * current role and state of a user), so a demotion or a disabled account takes effect at once.
 */
export function authenticateAdmin(deps: AdminAuthenticationDependencies): Middleware {
  return async (ctx, next) => {
    const value = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(ctx.get('authorization'))?.[1];
    if (!value) unauthorized('Send an access token with the admin scope as "Authorization: Bearer <token>".');
    ctx.state.actor = await resolveActor(deps, value);
    await next();
  };
}

async function resolveActor(deps: AdminAuthenticationDependencies, value: string): Promise<AdminActor> {
  const token = (await deps.provider.AccessToken.find(value)) ?? (await deps.provider.ClientCredentials.find(value));
  if (!token || token.isExpired) unauthorized('The access token is invalid or has expired.');
  // A token issued for an API (RFC 8707 resource) is for that API only.
  if ((token as { aud?: unknown }).aud !== undefined) unauthorized('This access token was issued for another API.');
  if (!token.scopes.has('admin')) throw new GatehouseError('forbidden', 'The access token lacks the admin scope.');

  const accountId = (token as { accountId?: string }).accountId;
  if (!accountId) {
    const client = await deps.clients.findById(token.clientId!);
    if (!client) unauthorized('The client of this token no longer exists.');
    // Scopes never make an operator: only the server-side flag does.
    if (!client.is_operator) throw new GatehouseError('forbidden', 'This client is not an operator.');
    return { kind: 'operator', clientId: client.client_id };
  }

  // A user's token is only as good as the app it was issued to: a deleted client's tokens end.
  if (!(await deps.clients.findById(token.clientId!))) unauthorized('The app this token was issued to no longer exists.');
  const user = await deps.users.findById(accountId);
  if (!user || user.disabled) unauthorized('The user of this token no longer exists or is disabled.');
  if (user.tokens_valid_after && (token.iat ?? 0) * 1000 < user.tokens_valid_after.getTime()) unauthorized('This token was revoked; sign in again.');
  return actorOfPerson(user, token.clientId!);
}

function unauthorized(message: string): never {
  throw new GatehouseError('unauthorized', message);
}
