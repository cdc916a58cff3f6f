import { GatehouseError } from '../../infrastructure/http/gatehouse-error.js';
import type { SsoConnectionRepository } from './sso-connection.repository.js';
import type { SsoConnection } from './sso-connection.js';

/**
 * Where a tenant requires its own provider, its users have no Gatehouse password: setting,
 * resetting or emailing one would hand them a password that nothing accepts. The answer names
 * the reason and the way out (turning `required` off).
 */
export async function assertPasswordsInUse(connections: SsoConnectionRepository, tenantId: string): Promise<void> {
  const connection = await connections.ofTenant(tenantId);
  if (connection?.required) throw passwordsNotInUse(connection);
}

/** The 409 of a password call in a tenant that signs in only through its own provider. */
export function passwordsNotInUse(connection: Pick<SsoConnection, 'display_name'>): GatehouseError {
  return new GatehouseError(
    'conflict',
    `This tenant requires sign-in with ${connection.display_name} (single sign-on), so its users have no Gatehouse password. Turn "required" off in the tenant's single sign-on settings first to give them one.`,
    { reason: 'sso_required' },
  );
}
