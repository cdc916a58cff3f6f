import type Provider from 'oidc-provider';
import type { GrantRevoker } from '../../domain/sessions/sign-out.service.js';

/**
 * Revokes one grant the way the provider would: its access tokens, codes and the grant itself,
 * wherever each model is stored. Refresh tokens are left to the caller (tombstoned with a
 * reason, see sessions/sign-out.service.ts).
 */
export function createGrantRevoker(provider: Provider): GrantRevoker {
  return async (grantId) => {
    await Promise.all(
      [provider.AccessToken, provider.AuthorizationCode, provider.DeviceCode].map((model) => model.adapter.revokeByGrantId(grantId)),
    );
    await provider.Grant.adapter.destroy(grantId);
  };
}
