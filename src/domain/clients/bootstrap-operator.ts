import { hashClientSecret } from './client-secret.js';
import type { ClientRepository } from './client.repository.js';

/**
 * The first operator client (BOOTSTRAP_OPERATOR_CLIENT_ID/_SECRET), created idempotently at
 * start: `client_credentials` with scope `admin` and the server-side operator flag. Setting the
 * variables again with a new secret replaces the secret.
 */
export async function bootstrapOperatorClient(clients: ClientRepository, operator: { clientId: string; clientSecret: string }): Promise<void> {
  await clients.upsert({
    client_id: operator.clientId,
    tenant_id: null,
    kind: 'integration',
    name: 'Operator',
    scopes: 'admin',
    secret_hash: hashClientSecret(operator.clientSecret),
    is_operator: true,
  });
}
