import type { Adapter } from 'oidc-provider';
import type { GrantRevoker } from '../../domain/sessions/sign-out.service.js';

/**
 * Revokes one grant the way the provider would: its access tokens, codes and the grant itself,
 * wherever each model is stored. Refresh tokens are left to the caller (tombstoned with a
 * reason, see sessions/sign-out.service.ts). `adapters` must hand out the provider's own adapter
 * instances (the grant adapter keeps a short cache that must see the revocation).
 */
export function createGrantRevoker(adapters: (model: string) => Adapter): GrantRevoker {
  return async (grantId) => {
    await Promise.all(['AccessToken', 'AuthorizationCode', 'DeviceCode'].map((model) => adapters(model).revokeByGrantId(grantId)));
    await adapters('Grant').destroy(grantId);
  };
}
