import type { Context } from 'koa';
import { clientKind } from '../../domain/clients/client-tenancy.js';
import type { SignInSource } from '../../domain/events/sign-in-events.js';

/** Where a hosted-page sign-in comes from: address, browser and the client it is for. */
export function signInSource(ctx: Context, client: { clientId: string } | undefined): SignInSource {
  return { ip: ctx.ip, userAgent: ctx.get('user-agent') || null, clientId: client?.clientId ?? null, clientKind: clientKind(client) ?? null };
}
