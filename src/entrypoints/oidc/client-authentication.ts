import type Provider from 'oidc-provider';
import { secretMatchesHash } from '../../domain/clients/client-secret.js';
import type { AcceptedSecret } from './client-metadata.js';
import { readableInvalidClient } from './readable-refusal.js';
import { clientSecretExpiredMessage } from './refusal-wording.js';

export interface SecretUseRecorder {
  (clientId: string, usedPrevious: boolean): void;
}

/**
 * Client secrets are stored as SHA-256 digests: the provider compares through this override,
 * accepting the current secret and, during a rotation's overlap, the previous one.
 */
export function installHashedClientSecrets(provider: Provider, recordUse: SecretUseRecorder): void {
  provider.Client.prototype.compareClientSecret = function compareClientSecret(this: { clientId: string; gh_secrets?: AcceptedSecret[] }, presented: string) {
    const now = Math.floor(Date.now() / 1000);
    for (const secret of this.gh_secrets ?? []) {
      if (!secretMatchesHash(presented, secret.hash)) continue;
      // Whoever presents a replaced secret once held it: telling them it expired (and when)
      // is what lets an integration's owner fix it, and it helps nobody guess.
      if (secret.expires_at !== undefined && secret.expires_at <= now) throw expiredSecret(secret.expires_at);
      recordUse(this.clientId, secret.previous);
      return true;
    }
    return false;
  } as never;
}

function expiredSecret(expiresAt: number) {
  return readableInvalidClient(clientSecretExpiredMessage(new Date(expiresAt * 1000)), { reason: 'client_secret_expired' });
}
