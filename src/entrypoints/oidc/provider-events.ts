import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { UserRepository } from '../../domain/users/user.repository.js';
import type { EventLog } from '../../domain/events/event-log.js';
import { sourceFields, type SignInSource } from '../../domain/events/sign-in-events.js';
import type { Logger } from '../../infrastructure/observability/logger.js';
import { clientKind, clientTenant } from '../../domain/clients/client-tenancy.js';
import { refusalFacts } from './readable-refusal.js';
import { classifyRefusal, type ClassifiedRefusal } from './token-refusals.js';

export interface ProviderEventDependencies {
  events: EventLog;
  users: UserRepository;
  logger: Logger;
}

// The provider's error events of the endpoints where clients authenticate or receive tokens.
const REFUSAL_EVENTS = ['grant.error', 'introspection.error', 'revocation.error', 'device_authorization.error'] as const;

/** A refusal's facts, read from the request while it is still being answered. */
interface Refusal extends ClassifiedRefusal {
  source: SignInSource;
  accountId?: string;
  clientTenant: string | null;
}

/**
 * Every refusal at the token endpoint (and every failed client authentication) becomes an event
 * (DESIGN §6): `token.refresh_denied`, `token.code_denied`, `token.device_code_denied`,
 * `token.client_credentials_denied`, `client.auth_failed`. Successes are not events: they
 * update the coalesced last-used figures instead. Refusals the provider words only as "grant
 * request is invalid" get an `error_description` a client can show the person (DESIGN §3).
 *
 * The event is recorded after the user is looked up, off the request: nothing here delays or
 * fails the answer.
 */
export function installProviderEvents(provider: Provider, deps: ProviderEventDependencies): void {
  const readable = new WeakMap<object, string>();

  const onRefusal = (ctx: KoaContextWithOIDC, err: unknown) => {
    const refusal = readRefusal(ctx, err);
    if (!refusal) return;
    if (refusal.description) readable.set(ctx, refusal.description);
    record(deps, refusal).catch((error: unknown) => deps.logger.warn({ err: error, type: refusal.type }, 'could not record a refusal'));
  };
  for (const name of REFUSAL_EVENTS) provider.on(name as 'grant.error', onRefusal);

  // Runs after the provider's error handler has written the body and emitted the event above.
  provider.use(async (ctx, next) => {
    await next();
    const description = readable.get(ctx);
    const body = ctx.body as { error?: unknown; error_description?: unknown } | undefined;
    if (description && body && typeof body === 'object' && typeof body.error === 'string') body.error_description = description;
  });
}

function readRefusal(ctx: KoaContextWithOIDC, err: unknown): Refusal | undefined {
  const error = err as { error?: string; error_detail?: string; error_description?: string };
  const facts = refusalFacts(err);
  const classified = classifyRefusal({
    route: ctx.oidc?.route ?? '',
    grantType: typeof ctx.oidc?.params?.grant_type === 'string' ? ctx.oidc.params.grant_type : undefined,
    error: error.error ?? '',
    detail: error.error_detail,
    description: error.error_description,
    facts,
  });
  if (!classified) return undefined;
  const client = ctx.oidc?.client;
  const entities = (ctx.oidc?.entities ?? {}) as Record<string, { accountId?: string } | undefined>;
  return {
    ...classified,
    source: { ip: ctx.ip, userAgent: ctx.get('user-agent') || null, clientId: client?.clientId ?? null, clientKind: clientKind(client) ?? null },
    accountId: facts?.accountId ?? entities.RefreshToken?.accountId ?? entities.AuthorizationCode?.accountId ?? entities.DeviceCode?.accountId ?? undefined,
    clientTenant: clientTenant(client),
  };
}

async function record(deps: ProviderEventDependencies, refusal: Refusal): Promise<void> {
  const user = refusal.accountId ? await deps.users.findById(refusal.accountId) : undefined;
  // Neither a known client nor a user: nobody to show it to (an unknown client id, for one).
  if (!refusal.accountId && !refusal.source.clientId) return;
  deps.events.record({
    type: refusal.type,
    tenant_id: user?.tenant_id ?? refusal.clientTenant,
    // A deleted user's id still ties the refusal to the person support asks about.
    user_id: user?.id ?? refusal.accountId ?? null,
    ...sourceFields(refusal.source),
    reason: refusal.reason,
  });
}
