import { requestSlot } from '../../infrastructure/context/request-scope.js';
import type Provider from 'oidc-provider';
import { secretMatchesHash } from '../../domain/clients/client-secret.js';
import type { AcceptedSecret } from './client-metadata.js';
import { readableInvalidClient } from './readable-refusal.js';
import { clientSecretExpiredMessage } from './refusal-wording.js';

export interface SecretUseRecorder {
  (clientId: string, usedPrevious: boolean): void;
}

/** The secret of an HTTP Basic header exactly as sent, before the provider decoded it. */
const sentInBasic = requestSlot<string>('secret as sent in Basic');

/**
 * Client secrets are stored as SHA-256 digests: the provider compares through this override,
 * accepting the current secret and, during a rotation's overlap, the previous one.
 *
 * HTTP Basic credentials are form-urlencoded before base64 (RFC 6749 §2.3.1), and the provider
 * decodes them: `+` becomes a space, `%2B` a plus. Ordinary HTTP clients (`curl -u id:secret`)
 * send the secret as it is, so a secret with base64 characters (`+`, `/`, `=`, as from
 * `openssl rand -base64`) would fail there. Both forms are accepted: the decoded secret, then
 * the secret as sent. Either way the caller had to know the secret.
 */
export function installHashedClientSecrets(provider: Provider, recordUse: SecretUseRecorder): void {
  provider.use((ctx, next) => {
    const credentials = basicCredentials(ctx.get('authorization'));
    if (!credentials) return next();
    // A part that is not valid form-urlencoding can only have been sent as it is: encode it, or
    // the provider refuses the header before any secret is compared.
    if (!decodable(credentials.id) || !decodable(credentials.secret)) {
      const encode = (part: string) => (decodable(part) ? part : encodeURIComponent(part));
      ctx.req.headers.authorization = `Basic ${Buffer.from(`${encode(credentials.id)}:${encode(credentials.secret)}`).toString('base64')}`;
    }
    return sentInBasic.run(credentials.secret, next);
  });

  provider.Client.prototype.compareClientSecret = function compareClientSecret(this: { clientId: string; gh_secrets?: AcceptedSecret[] }, decoded: string) {
    const now = Math.floor(Date.now() / 1000);
    const asSent = sentInBasic.get();
    const candidates = asSent !== undefined && asSent !== decoded ? [decoded, asSent] : [decoded];
    for (const secret of this.gh_secrets ?? []) {
      if (!candidates.some((presented) => secretMatchesHash(presented, secret.hash))) continue;
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

function basicCredentials(header: string): { id: string; secret: string } | undefined {
  const match = /^basic ([A-Za-z0-9+/]+={0,2})$/i.exec(header.trim());
  if (!match) return undefined;
  const text = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon === -1 ? undefined : { id: text.slice(0, colon), secret: text.slice(colon + 1) };
}

function decodable(part: string): boolean {
  try {
    decodeURIComponent(part.replace(/\+/g, '%20'));
    return true;
  } catch {
    return false;
  }
}
