import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Position } from '../../infrastructure/storage/keyset.js';
import type { EventLog } from '../events/event-log.js';
import type { Actor } from '../events/event-types.js';
import { GatehouseError, type FieldError } from '../../infrastructure/http/gatehouse-error.js';
import type { TenantRecord } from '../tenants/tenant.js';
import { redirectUriProblems } from './client-redirect-uris.js';
import { generateClientSecret, hashClientSecret } from './client-secret.js';
import { clientSettingsProblems, DEFAULT_CLIENT_SETTINGS, type SettingsContext } from './client-settings.js';
import { ClientRepository, isConfidentialKind, type ClientKind, type ClientRecordWithUsage, type ClientSettings } from './client.repository.js';

/** Settings as a request names them: undefined, not named; null, back to the default. */
export type ClientSettingsInput = { [K in keyof ClientSettings]?: ClientSettings[K] | null };

export interface NewClientInput extends ClientSettingsInput {
  kind: ClientKind;
  name: string;
  redirect_uris?: string[];
  scopes?: string[];
}

export interface ClientChanges extends ClientSettingsInput {
  name?: string;
  redirect_uris?: string[];
  scopes?: string[];
}

const SETTING_NAMES = Object.keys(DEFAULT_CLIENT_SETTINGS) as (keyof ClientSettings)[];

/** The settings a request names, null ones replaced by their default. */
function namedSettings(input: ClientSettingsInput): Partial<ClientSettings> {
  return Object.fromEntries(SETTING_NAMES.filter((name) => input[name] !== undefined).map((name) => [name, input[name] ?? DEFAULT_CLIENT_SETTINGS[name]]));
}

function settingsOf(client: ClientSettings): ClientSettings {
  return Object.fromEntries(SETTING_NAMES.map((name) => [name, client[name] ?? DEFAULT_CLIENT_SETTINGS[name]])) as unknown as ClientSettings;
}

/** What each kind gets when the request names no scopes. */
export const DEFAULT_SCOPES: Record<ClientKind, readonly string[]> = {
  web: ['openid', 'profile', 'email', 'phone', 'offline_access'],
  mobile: ['openid', 'profile', 'email', 'phone', 'offline_access'],
  downloader: ['openid', 'profile', 'offline_access'],
  integration: ['openid'],
};

/** Scopes a kind may never hold, and why (the 400 says it). */
const REFUSED_SCOPES: Record<ClientKind, Readonly<Record<string, string>>> = {
  web: {},
  // Administrative power stays in a browser session: never in an app's or PC's long-lived tokens.
  mobile: { admin: 'mobile clients may not request the admin scope' },
  downloader: { admin: 'downloader clients may not request the admin scope' },
  integration: {
    // Scopes never make an operator (only the server-side flag does); a tenant integration asking
    // for admin would only look like one.
    admin: 'integration clients may not request the admin scope: only operator clients use the admin API',
    offline_access: 'integration clients use client_credentials, which issues no refresh tokens',
  },
};

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Registers, changes, rotates and deletes a tenant's clients (DESIGN §5). Authorization happens
 * before (admin routes); this enforces what holds whoever asks: the redirect URIs and scopes
 * each kind allows, secrets shown once and stored only as digests, tenant clients never
 * operators, and that every change reaches this replica's provider at once.
 */
export class ClientAdminService {
  private readonly clients: ClientRepository;

  constructor(
    private readonly knex: Knex,
    private readonly events: EventLog,
    /** Drops a client from the provider's in-process cache after a change. */
    private readonly invalidateClient: (clientId: string) => void,
    private readonly settingsContext: SettingsContext = { idTokenSigningAlgs: ['RS256'] },
  ) {
    this.clients = new ClientRepository(knex);
  }

  find(tenant: TenantRecord, clientId: string): Promise<ClientRecordWithUsage | undefined> {
    return this.clients.findInTenant(tenant.id, clientId);
  }

  list(tenant: TenantRecord, page: { limit: number; after?: Position }): Promise<ClientRecordWithUsage[]> {
    return this.clients.listInTenant(tenant.id, page);
  }

  /** Creates a client; `secret` (confidential kinds only) exists nowhere else and is shown once. */
  async create(tenant: TenantRecord, input: NewClientInput, actor: Actor): Promise<{ client: ClientRecordWithUsage; secret?: string }> {
    const redirectUris = input.redirect_uris ?? [];
    const requestedScopes = input.scopes ?? DEFAULT_SCOPES[input.kind];
    const named = namedSettings(input);
    const settings = { ...DEFAULT_CLIENT_SETTINGS, ...named };
    assertNoProblems([...redirectUriProblems(input.kind, redirectUris), ...scopeProblems(input.kind, requestedScopes), ...clientSettingsProblems(input.kind, settings, this.settingsContext)]);
    const scopes = unique(requestedScopes);

    const secret = isConfidentialKind(input.kind) ? generateClientSecret() : undefined;
    const client = await this.knex.transaction(async (trx) => {
      const inserted = await new ClientRepository(trx).insert({
        client_id: newClientId(),
        tenant_id: tenant.id,
        kind: input.kind,
        name: input.name,
        redirect_uris: redirectUris,
        scopes: scopes.join(' '),
        ...settings,
        secret_hash: secret ? hashClientSecret(secret) : null,
        secret_created_at: secret ? new Date() : null,
        // There is no way to set it here: only the bootstrap or an operator makes operators.
        is_operator: false,
      });
      await this.events.writeIn(trx, {
        type: 'admin.client_created',
        tenant_id: tenant.id,
        client_id: inserted.client_id,
        client_kind: inserted.kind,
        actor,
        details: { name: inserted.name, redirect_uris: redirectUris, scopes, ...(Object.keys(named).length ? { settings: Object.keys(named) } : {}) },
      });
      return inserted;
    });
    this.invalidateClient(client.client_id);
    return { client, secret };
  }

  /** Changes name, redirect URIs or scopes; the ones given are checked against the client's kind. */
  async update(tenant: TenantRecord, client: ClientRecordWithUsage, changes: ClientChanges, actor: Actor): Promise<ClientRecordWithUsage> {
    const named = namedSettings(changes);
    const settings: ClientSettings = { ...settingsOf(client), ...named };
    assertNoProblems([
      ...(changes.redirect_uris ? redirectUriProblems(client.kind, changes.redirect_uris) : []),
      ...(changes.scopes ? scopeProblems(client.kind, changes.scopes) : []),
      ...(Object.keys(named).length ? clientSettingsProblems(client.kind, settings, this.settingsContext) : []),
    ]);
    const scopes = changes.scopes && unique(changes.scopes);
    const changed = Object.keys(changes).filter((key) => changes[key as keyof ClientChanges] !== undefined);
    if (!changed.length) return client;

    const changedSettings = Object.fromEntries(Object.keys(named).map((name) => [name, settings[name as keyof ClientSettings]]));
    const updated = await this.knex.transaction(async (trx) => {
      const row = await new ClientRepository(trx).update(client.client_id, { name: changes.name, redirect_uris: changes.redirect_uris, scopes: scopes?.join(' '), ...changedSettings });
      if (!row) return undefined;
      await this.events.writeIn(trx, {
        type: 'admin.client_updated',
        tenant_id: tenant.id,
        client_id: client.client_id,
        client_kind: client.kind,
        actor,
        details: { changed, ...(changes.redirect_uris ? { redirect_uris: changes.redirect_uris } : {}), ...(scopes ? { scopes } : {}) },
      });
      return row;
    });
    this.invalidateClient(client.client_id);
    if (!updated) throw clientGone();
    return updated;
  }

  /**
   * Deletes the client and its grants and tokens held in PostgreSQL; short-lived tokens in Redis
   * expire on their own and are refused meanwhile, since their client no longer exists.
   */
  async delete(tenant: TenantRecord, client: ClientRecordWithUsage, actor: Actor): Promise<void> {
    const deleted = await this.knex.transaction(async (trx) => {
      const outcome = await new ClientRepository(trx).deleteWithArtifacts(client.client_id);
      if (outcome.deleted) {
        await this.events.writeIn(trx, {
          type: 'admin.client_deleted',
          tenant_id: tenant.id,
          client_id: client.client_id,
          client_kind: client.kind,
          actor,
          details: { name: client.name, artifacts_deleted: outcome.artifacts },
        });
      }
      return outcome.deleted;
    });
    this.invalidateClient(client.client_id);
    if (!deleted) throw clientGone();
  }

  /**
   * A new secret becomes current; the current one stays accepted for `overlapDays` (0: refused at
   * once) so deployments can switch without downtime. A previous secret still in its overlap is
   * replaced, and so stops working now. The new secret is returned once.
   */
  async rotateSecret(
    tenant: TenantRecord,
    client: ClientRecordWithUsage,
    overlapDays: number,
    actor: Actor,
  ): Promise<{ client: ClientRecordWithUsage; secret: string; previousExpiresAt: Date }> {
    if (!isConfidentialKind(client.kind)) throw new GatehouseError('conflict', `${client.kind} clients are public: they have no secret to rotate.`);
    const secret = generateClientSecret();
    const previousExpiresAt = new Date(Date.now() + overlapDays * DAY_MS);
    const details = { overlap_days: overlapDays, previous_secret_expires_at: previousExpiresAt.toISOString() };
    // A secret that works but that no event explains would be the worst kind of audit gap.
    const updated = await this.knex.transaction(async (trx) => {
      const row = await new ClientRepository(trx).rotateSecret(client.client_id, hashClientSecret(secret), previousExpiresAt);
      if (!row) return undefined;
      await this.events.writeIn(trx, { type: 'admin.client_secret_rotated', tenant_id: tenant.id, client_id: client.client_id, client_kind: client.kind, actor, details });
      await this.events.writeIn(trx, { type: 'client.secret_rotated', tenant_id: tenant.id, client_id: client.client_id, client_kind: client.kind, actor, details });
      return row;
    });
    if (!updated) throw clientGone();
    this.invalidateClient(client.client_id);
    return { client: updated, secret, previousExpiresAt };
  }
}

/** Problems with the scopes a kind asks for (unknown scopes are refused by the request schema). */
function scopeProblems(kind: ClientKind, scopes: readonly string[]): FieldError[] {
  if (!scopes.length) return [{ field: 'scopes', message: 'at least one scope' }];
  return scopes.flatMap((scope, index) => {
    const refused = REFUSED_SCOPES[kind];
    const reason = Object.hasOwn(refused, scope) ? refused[scope] : undefined;
    return reason ? [{ field: `scopes.${index}`, message: reason }] : [];
  });
}

/** `gh_` and 120 random bits: not guessable, and safe in URLs and HTTP Basic authentication. */
function newClientId(): string {
  return `gh_${randomBytes(15).toString('base64url')}`;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function assertNoProblems(errors: FieldError[]): void {
  if (errors.length) throw new GatehouseError('invalid_request', `Invalid client: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, { errors });
}

/** Deleted by someone else between look-up and change. */
function clientGone(): GatehouseError {
  return new GatehouseError('not_found', 'No such client.');
}
