import type { Adapter } from 'oidc-provider';
import type { GrantRevoker } from '../../domain/sessions/sign-out.service.js';

/**
 * Revokes one grant the way the provider would: its access tokens, codes and the grant itself,
 * wherever each model is stored. Refresh tokens are left to the caller (tombstoned with a
 * reason, see sessions/sign-out.service.ts), which has already deleted the grant in its
 * transaction: this clears what lives outside it (Redis, the grant cache of this replica).
 * `adapters` must hand out the provider's own adapter instances (the grant adapter keeps a
 * short cache that must see the revocation). It runs after the change committed, so a failure
 * is reported, not thrown: the change stands, and every token of the grant is refused anyway
 * (access tokens are checked against the user's `tokens_valid_after` on every use).
 */
export function createGrantRevoker(adapters: (model: string) => Adapter, onError: (err: unknown, grantId: string) => void): GrantRevoker {
  return async (grantId) => {
    try {
      await Promise.all(['AccessToken', 'AuthorizationCode', 'DeviceCode'].map((model) => adapters(model).revokeByGrantId(grantId)));
      await adapters('Grant').destroy(grantId);
    } catch (err) {
      onError(err, grantId);
    }
  };
}
