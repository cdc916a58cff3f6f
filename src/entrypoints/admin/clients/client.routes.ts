import type { ClientAdminService } from '../../../domain/clients/client-admin.service.js';
import type { TenantRepository } from '../../../domain/tenants/tenant.repository.js';
import { eventActor, type AdminActor } from '../admin-actor.js';
import type { AdminApi } from '../admin-route.js';
import { decodeCursor, pageOf } from '../pagination.js';
import { clientManagingTenant, manageableClient } from './client-scope.js';
import {
  clientListQuerySchema,
  clientListSchema,
  clientSchema,
  clientView,
  createClientSchema,
  createdClientSchema,
  rotatedSecretSchema,
  rotateSecretSchema,
  updateClientSchema,
} from './client.schemas.js';

export interface ClientRouteDependencies {
  tenants: TenantRepository;
  clientAdmin: ClientAdminService;
}

/** A tenant's clients: its administrators and operators register and manage them. */
export function registerClientRoutes(api: AdminApi, deps: ClientRouteDependencies): void {
  const loadTenant = (actor: AdminActor, params: Record<string, string>) => clientManagingTenant(deps, actor, params.t!);
  const loadClient = (actor: AdminActor, params: Record<string, string>) => manageableClient(deps, actor, params.t!, params.id!);

  api.route({
    method: 'post',
    path: '/tenants/{t}/clients',
    summary: 'Register a client (confidential kinds: the secret is in this answer only)',
    body: createClientSchema,
    success: { status: 201, schema: createdClientSchema, description: 'The client, with client_secret for web and integration clients' },
    errors: [403, 404],
    handler: async ({ actor, params, body }) => {
      const tenant = await loadTenant(actor, params);
      const { client, secret } = await deps.clientAdmin.create(tenant, body, eventActor(actor));
      if (!secret) return clientView(client);
      return { ...clientView(client), client_secret: secret };
    },
  });

  api.route({
    method: 'get',
    path: '/tenants/{t}/clients',
    summary: "List a tenant's clients",
    query: clientListQuerySchema,
    success: { status: 200, schema: clientListSchema, description: 'A page of clients' },
    errors: [403, 404],
    handler: async ({ actor, params, query }) => {
      const tenant = await loadTenant(actor, params);
      const rows = await deps.clientAdmin.list(tenant, { limit: query.limit, after: decodeCursor(query.cursor) });
      const page = pageOf(rows, query.limit, (c) => ({ at: c.created_at.toISOString(), id: c.client_id }));
      return { items: page.items.map(clientView), next_cursor: page.next_cursor };
    },
  });

  api.route({
    method: 'get',
    path: '/tenants/{t}/clients/{id}',
    summary: 'Read a client, with when each of its secrets was last used',
    success: { status: 200, schema: clientSchema, description: 'The client' },
    errors: [403, 404],
    handler: async ({ actor, params }) => clientView((await loadClient(actor, params)).client),
  });

  api.route({
    method: 'patch',
    path: '/tenants/{t}/clients/{id}',
    summary: "Change a client's name, redirect URIs, scopes or protocol settings (null puts a setting back to its default)",
    body: updateClientSchema,
    success: { status: 200, schema: clientSchema, description: 'The updated client' },
    errors: [403, 404],
    handler: async ({ actor, params, body }) => {
      const { tenant, client } = await loadClient(actor, params);
      return clientView(await deps.clientAdmin.update(tenant, client, body, eventActor(actor)));
    },
  });

  api.route({
    method: 'delete',
    path: '/tenants/{t}/clients/{id}',
    summary: 'Delete a client with its grants and tokens',
    success: { status: 204, description: 'Deleted; the client can no longer sign anyone in or get tokens' },
    errors: [403, 404],
    handler: async ({ actor, params }) => {
      const { tenant, client } = await loadClient(actor, params);
      await deps.clientAdmin.delete(tenant, client, eventActor(actor));
    },
  });

  api.route({
    method: 'post',
    path: '/tenants/{t}/clients/{id}/secrets',
    summary: 'Rotate the secret of a web or integration client; the previous one keeps working for the overlap',
    body: rotateSecretSchema,
    success: { status: 201, schema: rotatedSecretSchema, description: 'The new secret, shown once' },
    errors: [403, 404, 409],
    handler: async ({ actor, params, body }) => {
      const { tenant, client } = await loadClient(actor, params);
      const rotated = await deps.clientAdmin.rotateSecret(tenant, client, body.overlap_days, eventActor(actor));
      return { client_id: client.client_id, client_secret: rotated.secret, previous_secret_expires_at: rotated.previousExpiresAt.toISOString() };
    },
  });
}
