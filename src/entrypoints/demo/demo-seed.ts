import type { UserRepository } from '../../domain/users/user.repository.js';
import { hashClientSecret } from '../../domain/clients/client-secret.js';
import type { ClientRepository } from '../../domain/clients/client.repository.js';
import type { PasswordHasher } from '../../domain/passwords/password-hasher.js';
import type { TenantRepository } from '../../domain/tenants/tenant.repository.js';
import { DEMO } from './demo-objects.js';

export interface SeedDependencies {
  tenants: TenantRepository;
  users: UserRepository;
  clients: ClientRepository;
  hasher: PasswordHasher;
  issuer: string;
}

/**
 * Creates the demo objects if they are missing. Idempotent: users keep passwords changed since,
 * clients get their redirect URIs refreshed for the current ISSUER.
 */
export async function seedDemo(deps: SeedDependencies): Promise<void> {
  const tenant = await deps.tenants.ensure(DEMO.tenant.slug, DEMO.tenant.name);
  const passwordHash = await deps.hasher.hash(DEMO.password);
  for (const user of DEMO.users) {
    await deps.users.ensure({ tenant_id: tenant.id, ...user, password_hash: passwordHash });
  }
  const callback = [`${deps.issuer}${DEMO.callbackPath}`];
  const everyone = { tenant_id: null };
  await deps.clients.upsert({ client_id: DEMO.web.clientId, ...everyone, kind: 'web', name: 'Demo web app', redirect_uris: callback, post_logout_redirect_uris: [`${deps.issuer}/`], scopes: 'openid profile email phone offline_access admin', secret_hash: hashClientSecret(DEMO.web.secret) });
  await deps.clients.upsert({ client_id: DEMO.mobile.clientId, ...everyone, kind: 'mobile', name: 'Demo mobile app', redirect_uris: callback, scopes: 'openid profile email phone offline_access' });
  await deps.clients.upsert({ client_id: DEMO.downloader.clientId, ...everyone, kind: 'downloader', name: 'Demo downloader', scopes: 'openid profile offline_access' });
  await deps.clients.upsert({ client_id: DEMO.integration.clientId, tenant_id: tenant.id, kind: 'integration', name: 'Demo integration', scopes: 'openid', secret_hash: hashClientSecret(DEMO.integration.secret) });
}
