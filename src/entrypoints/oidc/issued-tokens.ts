import type Provider from 'oidc-provider';
import { clientKind } from '../../domain/clients/client-tenancy.js';

/**
 * Successful token requests, by grant type and client kind (metrics). Refusals are events of
 * the event log instead (provider-events.ts), counted from there.
 */
export function watchIssuedTokens(provider: Provider, issued: (grant: string | undefined, clientKind: string | undefined) => void): void {
  provider.on('grant.success', (ctx) => {
    const grant = ctx.oidc.params?.grant_type;
    issued(typeof grant === 'string' ? grant : undefined, clientKind(ctx.oidc.client));
  });
}
