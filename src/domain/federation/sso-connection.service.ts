import type { Knex } from 'knex';
import type { SecretBox } from '../../infrastructure/crypto/secret-box.js';
import { GatehouseError } from '../../infrastructure/http/gatehouse-error.js';
import type { EventLog } from '../events/event-log.js';
import type { Actor } from '../events/event-types.js';
import type { TenantRecord } from '../tenants/tenant.js';
import type { FederatedIdentityRepository } from './federated-identity.repository.js';
import { DEFAULT_CLAIM_MAPPING, type ClaimMapping, type ConnectionKind, type SsoConnection } from './sso-connection.js';
import type { SsoConnectionRepository } from './sso-connection.repository.js';

/** A connection as an administrator writes it (PUT): the secret only when it is new or changes. */
export interface ConnectionInput {
  kind: ConnectionKind;
  entra_tenant_id?: string | null;
  issuer?: string | null;
  display_name?: string;
  client_id: string;
  client_secret?: string;
  allowed_domains?: string[];
  claim_mapping?: Partial<ClaimMapping>;
  enabled?: boolean;
  required?: boolean;
  jit?: boolean;
  trust_upstream_mfa?: boolean;
  upstream_logout?: boolean;
}

/** What the admin API shows: everything but the secret, and the URLs to register upstream. */
export interface ConnectionView extends Omit<SsoConnection, 'client_secret_sealed' | 'created_at' | 'updated_at'> {
  client_secret_set: true;
  redirect_uri: string;
  post_logout_redirect_uri: string;
  created_at: string;
  updated_at: string;
}

export interface SsoConnectionServiceDependencies {
  knex: Knex;
  connections: SsoConnectionRepository;
  identities: FederatedIdentityRepository;
  secrets: SecretBox;
  events: EventLog;
  issuer: string;
  /** Production: the upstream must be https. */
  production: boolean;
}

/** A tenant's administrators (and operators) set up, change and remove its single sign-on. */
export class SsoConnectionService {
  constructor(private readonly deps: SsoConnectionServiceDependencies) {}

  view(connection: SsoConnection): ConnectionView {
    const { client_secret_sealed: _sealed, created_at, updated_at, ...rest } = connection;
    return {
      ...rest,
      client_secret_set: true,
      redirect_uri: `${this.deps.issuer}/sso/callback`,
      post_logout_redirect_uri: `${this.deps.issuer}/sso/signed-out`,
      created_at: created_at.toISOString(),
      updated_at: updated_at.toISOString(),
    };
  }

  async save(tenant: TenantRecord, input: ConnectionInput, actor: Actor): Promise<SsoConnection> {
    const current = await this.deps.connections.ofTenant(tenant.id);
    const errors = this.problems(input, Boolean(current));
    if (errors.length) throw new GatehouseError('invalid_request', `Invalid connection: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, { errors });
    const domains = [...new Set((input.allowed_domains ?? current?.allowed_domains ?? []).map((domain) => domain.trim().toLowerCase()))];
    const owners = await this.deps.connections.domainOwners(domains, tenant.id);
    if (owners.length) throw domainsTaken(owners.map((owner) => owner.domain));
    const required = input.required ?? current?.required ?? false;
    const connection = {
      tenant_id: tenant.id,
      kind: input.kind,
      entra_tenant_id: input.kind === 'entra' ? input.entra_tenant_id!.toLowerCase() : null,
      issuer: input.kind === 'oidc' ? input.issuer!.replace(/\/$/, '') : null,
      display_name: input.display_name ?? current?.display_name ?? (input.kind === 'entra' ? 'Microsoft' : 'your organisation'),
      client_id: input.client_id,
      client_secret_sealed: input.client_secret ? this.deps.secrets.seal(input.client_secret) : current!.client_secret_sealed,
      allowed_domains: domains,
      claim_mapping: { ...DEFAULT_CLAIM_MAPPING, ...(current?.claim_mapping ?? {}), ...(input.claim_mapping ?? {}) },
      // Required implies enabled: password sign-in off with no way in would lock everyone out.
      enabled: required || (input.enabled ?? current?.enabled ?? false),
      required,
      jit: input.jit ?? current?.jit ?? false,
      trust_upstream_mfa: input.trust_upstream_mfa ?? current?.trust_upstream_mfa ?? false,
      upstream_logout: input.upstream_logout ?? current?.upstream_logout ?? false,
    };
    try {
      return await this.deps.knex.transaction(async (trx) => {
        const saved = await this.deps.connections.save(connection, trx);
        // SSO now required: the users already linked lose the password they can no longer use.
        if (required && !current?.required) {
          await trx('users').whereIn('id', this.deps.identities.linkedUsers(tenant.id, trx)).update({ password_hash: null, password_temporary: false, password_expires_at: null, updated_at: trx.fn.now() });
        }
        const changed = current ? Object.keys(connection).filter((key) => JSON.stringify(connection[key as keyof typeof connection]) !== JSON.stringify(current[key as keyof SsoConnection])) : Object.keys(connection);
        await this.deps.events.writeIn(trx, { type: 'admin.sso_updated', tenant_id: tenant.id, actor, details: { changed: changed.map((key) => (key === 'client_secret_sealed' ? 'client_secret' : key)), enabled: saved.enabled, required: saved.required } });
        return saved;
      });
    } catch (err) {
      // Another tenant claimed one of the domains at the same moment: its primary key decided.
      if ((err as { code?: string }).code === '23505') throw domainsTaken(domains);
      throw err;
    }
  }

  async remove(tenant: TenantRecord, actor: Actor): Promise<void> {
    const removed = await this.deps.knex.transaction(async (trx) => {
      const gone = await this.deps.connections.delete(tenant.id, trx);
      if (gone) await this.deps.events.writeIn(trx, { type: 'admin.sso_removed', tenant_id: tenant.id, actor, details: null });
      return gone;
    });
    if (!removed) throw new GatehouseError('not_found', 'This tenant has no single sign-on connection.');
  }

  private problems(input: ConnectionInput, exists: boolean): { field: string; message: string }[] {
    const errors: { field: string; message: string }[] = [];
    if (input.kind === 'entra' && !input.entra_tenant_id) errors.push({ field: 'entra_tenant_id', message: 'is required for Microsoft Entra ID (the directory id, a GUID)' });
    if (input.kind === 'oidc') {
      if (!input.issuer) errors.push({ field: 'issuer', message: 'is required: the issuer URL whose /.well-known/openid-configuration describes the provider' });
      else if (this.deps.production && !input.issuer.startsWith('https://')) errors.push({ field: 'issuer', message: 'must be an https URL' });
    }
    if (!exists && !input.client_secret) errors.push({ field: 'client_secret', message: 'is required when the connection is created' });
    return errors;
  }
}

function domainsTaken(domains: string[]): GatehouseError {
  return new GatehouseError('conflict', `Another tenant already routes ${domains.join(', ')} to its own sign-in: a domain belongs to one tenant.`, { reason: 'domain_taken' });
}
