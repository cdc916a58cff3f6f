import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { EventLog } from '../events/event-log.js';
import { sourceFields, type SignInSource } from '../events/sign-in-events.js';
import type { Logger } from '../../infrastructure/observability/logger.js';
import { NoSeatLeft, takeSeat } from '../tenants/seats.js';
import type { TenantRepository } from '../tenants/tenant.repository.js';
import type { TenantRecord } from '../tenants/tenant.js';
import type { UserRepository } from '../users/user.repository.js';
import type { UserRecord } from '../users/user.js';
import { profileFrom, type UpstreamProfile } from './claim-mapping.js';
import type { FederatedIdentityRepository } from './federated-identity.repository.js';
import { domainOf, endpointOf, upstreamSubject, type SsoConnection } from './sso-connection.js';
import type { SsoConnectionRepository } from './sso-connection.repository.js';
import type { UpstreamHints, UpstreamProvider, UpstreamTrip } from '../../infrastructure/federation/openid-upstream.js';

/** Why a sign-in through the tenant's provider ends without a Gatehouse sign-in; each has its page. */
export type FederatedRefusal =
  /** The Gatehouse account is disabled. */
  | 'disabled'
  /** JIT would create the user, and every seat of the tenant is taken. */
  | 'no_seat_left'
  /** Gatehouse has no user for this person and the tenant does not create them. */
  | 'unknown_user'
  /** The person's email domain is not among the connection's allowed domains. */
  | 'domain_not_allowed'
  /** The upstream answered with an error (the person cancelled, or it refused them). */
  | 'upstream_refused'
  /** The upstream could not be reached, or what it answered did not validate. */
  | 'upstream_failed'
  /** A new user's username is taken by a user Gatehouse cannot link by a verified identity. */
  | 'username_taken';

export type FederatedOutcome =
  | { ok: true; user: UserRecord; tenant: TenantRecord; connection: SsoConnection; amr: string[] }
  | { ok: false; reason: FederatedRefusal; connection?: SsoConnection; upstreamError?: string };

/** What travels with the browser (sealed) while it is at the upstream. */
export interface PendingTrip extends UpstreamTrip {
  tenantId: string;
  /** The person chose "Stay signed in on this device" before leaving. */
  remember?: boolean;
}

export interface FederatedSignInDependencies {
  knex: Knex;
  connections: SsoConnectionRepository;
  identities: FederatedIdentityRepository;
  users: UserRepository;
  tenants: TenantRepository;
  upstream: UpstreamProvider;
  events: EventLog;
  logger: Logger;
  now: () => Date;
}

/**
 * Signing in through a tenant's own OpenID Connect provider. The upstream's ID token (validated
 * by the upstream client) is tied to a Gatehouse user by its stable subject; a first sign-in
 * links an existing user only through an identifier the upstream vouches for within the
 * tenant's domains, or creates one (JIT) within the seat limit. What follows is an ordinary
 * Gatehouse sign-in: the tenant's second-factor policy, the same tokens.
 */
export class FederatedSignIn {
  constructor(private readonly deps: FederatedSignInDependencies) {}

  /** The upstream's authorization URL and what must come back with its answer; not ok when the upstream cannot be reached. */
  async begin(connection: SsoConnection, redirectUri: string, statePrefix: string, hints: UpstreamHints, source: SignInSource): Promise<{ ok: true; url: string; trip: PendingTrip } | { ok: false }> {
    const trip: PendingTrip = {
      tenantId: connection.tenant_id,
      redirectUri,
      // The prefix (the interaction's id) lets the fixed callback find its way back to the sign-in.
      state: `${statePrefix}.${randomBytes(24).toString('base64url')}`,
      nonce: randomBytes(24).toString('base64url'),
      codeVerifier: randomBytes(48).toString('base64url'),
    };
    try {
      return { ok: true, url: await this.deps.upstream.authorizationUrl(endpointOf(connection), trip, hints), trip };
    } catch (err) {
      this.deps.logger.warn({ err, tenantId: connection.tenant_id }, 'the upstream provider could not be discovered');
      await this.refuse({ reason: 'upstream_failed', connection, source, details: { cause: errorName(err), step: 'discovery' } });
      return { ok: false };
    }
  }

  async complete(trip: PendingTrip, callbackUrl: URL, source: SignInSource): Promise<FederatedOutcome> {
    const connection = await this.deps.connections.ofTenant(trip.tenantId);
    if (!connection?.enabled) return this.refuse({ reason: 'upstream_failed', tenantId: trip.tenantId, source, details: { cause: 'connection_off' } });
    const upstreamError = callbackUrl.searchParams.get('error');
    if (upstreamError) {
      return this.refuse({ reason: 'upstream_refused', connection, source, details: { upstream_error: upstreamError.slice(0, 64) } });
    }
    let claims: Record<string, unknown>;
    try {
      claims = await this.deps.upstream.redeem(endpointOf(connection), callbackUrl, trip);
    } catch (err) {
      this.deps.logger.warn({ err, tenantId: connection.tenant_id }, 'the upstream sign-in did not complete');
      return this.refuse({ reason: 'upstream_failed', connection, source, details: { cause: errorName(err) } });
    }
    // Entra: the token must come from the configured directory (its issuer says so too).
    if (connection.kind === 'entra' && claims.tid !== connection.entra_tenant_id) {
      return this.refuse({ reason: 'upstream_failed', connection, source, details: { cause: 'wrong_directory' } });
    }
    const subject = upstreamSubject(connection, claims);
    if (!subject) return this.refuse({ reason: 'upstream_failed', connection, source, details: { cause: 'no_subject' } });
    const profile = profileFrom(claims, connection.claim_mapping);
    const domain = domainOf(profile.email) ?? domainOf(profile.username);
    if (connection.allowed_domains.length && (!domain || !connection.allowed_domains.includes(domain))) {
      return this.refuse({ reason: 'domain_not_allowed', connection, source, details: { domain: domain ?? null, upstream_username: profile.username ?? null } });
    }
    const tenant = (await this.deps.tenants.findById(connection.tenant_id))!;
    const found = await this.userFor(connection, tenant, subject, profile, source);
    if (!found.ok) return found;
    const { user } = found;
    if (user.disabled) return this.refuse({ reason: 'disabled', connection, source, user, details: { upstream_username: profile.username ?? null } });
    await this.deps.identities.touch(connection.tenant_id, subject, this.deps.now());
    const mfaTrusted = connection.trust_upstream_mfa && profile.amr.includes('mfa');
    return { ok: true, user, tenant, connection, amr: mfaTrusted ? ['fed', 'mfa'] : ['fed'] };
  }

  /** The linked user; or, at a first sign-in, a user linked by a vouched-for identifier, or created. */
  private async userFor(connection: SsoConnection, tenant: TenantRecord, subject: string, profile: UpstreamProfile, source: SignInSource): Promise<{ ok: true; user: UserRecord } | Extract<FederatedOutcome, { ok: false }>> {
    const identity = await this.deps.identities.find(connection.tenant_id, subject);
    if (identity) {
      const user = await this.deps.users.findById(identity.user_id);
      if (user) return { ok: true, user };
    }
    const existing = await this.linkableUser(connection, profile);
    if (existing) return { ok: true, user: await this.link(connection, existing, subject, source) };
    const named = { upstream_username: profile.username ?? null };
    if (!connection.jit) return this.refuse({ reason: 'unknown_user', connection, source, details: named });
    if (!profile.username) return this.refuse({ reason: 'upstream_failed', connection, source, details: { cause: 'no_username_claim' } });
    try {
      const created = await this.create(connection, tenant, profile, subject, source);
      if (created) return { ok: true, user: created };
    } catch (err) {
      if (err instanceof NoSeatLeft) return this.refuse({ reason: 'no_seat_left', connection, source, details: { ...named, limit: err.limit } });
      if (!(err instanceof LinkedMeanwhile)) throw err;
    }
    // The username was taken, or a parallel first sign-in of the same person linked first: use its user.
    const raced = await this.deps.identities.find(connection.tenant_id, subject);
    const user = raced && (await this.deps.users.findById(raced.user_id));
    if (user) return { ok: true, user };
    return this.refuse({ reason: 'username_taken', connection, source, details: named });
  }

  /**
   * An existing user of the tenant this first sign-in may be linked to: only by an identifier
   * in one of the tenant's own domains (which the tenant's administrator claimed for this
   * connection), and, outside Entra, only by an email the upstream marks verified. A user
   * linked to someone else already is never taken over.
   */
  private async linkableUser(connection: SsoConnection, profile: UpstreamProfile): Promise<UserRecord | undefined> {
    const candidates = [profile.username, connection.kind === 'entra' || profile.emailVerified ? profile.email : undefined].filter((value): value is string => Boolean(value));
    for (const identifier of candidates) {
      const domain = domainOf(identifier);
      if (!domain || !connection.allowed_domains.includes(domain)) continue;
      if (connection.kind !== 'entra' && identifier === profile.username && !(profile.emailVerified && identifier === profile.email)) continue;
      const user = (await this.deps.users.findByUsername(identifier)) ?? (await this.deps.users.findByEmailInTenant(connection.tenant_id, identifier));
      if (user && user.tenant_id === connection.tenant_id && !(await this.deps.identities.ofUser(user.id))) return user;
    }
    return undefined;
  }

  private async link(connection: SsoConnection, user: UserRecord, subject: string, source: SignInSource): Promise<UserRecord> {
    return this.deps.knex.transaction(async (trx) => {
      await this.deps.identities.link({ tenant_id: connection.tenant_id, subject, user_id: user.id }, trx);
      // Where SSO is required, a linked user has no Gatehouse password left to leak or guess.
      const linked = connection.required ? await this.deps.users.update(user.id, { password_hash: null, password_temporary: false, password_expires_at: null }, trx) : user;
      await this.deps.events.writeIn(trx, { type: 'sso.user_linked', tenant_id: connection.tenant_id, user_id: user.id, ...sourceFields(source), details: { kind: connection.kind } });
      return linked;
    });
  }

  /** Just-in-time: a new member of the tenant, linked, with no password; undefined when the username is taken. */
  private async create(connection: SsoConnection, tenant: TenantRecord, profile: UpstreamProfile, subject: string, source: SignInSource): Promise<UserRecord | undefined> {
    return this.deps.knex.transaction(async (trx) => {
      const user = await this.deps.users.insert(
        {
          tenant_id: tenant.id,
          username: profile.username!,
          email: profile.email ?? null,
          name: profile.name ?? null,
          given_name: profile.given_name ?? null,
          family_name: profile.family_name ?? null,
          role: 'member',
          password_hash: null,
        },
        trx,
      );
      if (!user) return undefined;
      // A parallel first sign-in of the same person linked first: undo this user.
      if (!(await this.deps.identities.link({ tenant_id: tenant.id, subject, user_id: user.id }, trx))) throw new LinkedMeanwhile();
      await this.deps.events.writeIn(trx, { type: 'sso.user_created', tenant_id: tenant.id, user_id: user.id, ...sourceFields(source), details: { kind: connection.kind } });
      // Last: the tenant's row stays locked only for the count and the commit.
      await takeSeat(trx, tenant, { counted: true });
      return user;
    });
  }

  private async refuse(input: {
    reason: FederatedRefusal;
    connection?: SsoConnection;
    tenantId?: string;
    source: SignInSource;
    user?: UserRecord;
    details?: Record<string, unknown>;
  }): Promise<Extract<FederatedOutcome, { ok: false }>> {
    await this.deps.events.write({
      type: 'sso.refused',
      tenant_id: input.connection?.tenant_id ?? input.tenantId ?? null,
      user_id: input.user?.id ?? null,
      reason: input.details?.cause === 'wrong_directory' ? 'wrong_directory' : input.reason,
      ...sourceFields(input.source),
      details: input.details ?? null,
    });
    return { ok: false, reason: input.reason, connection: input.connection, upstreamError: typeof input.details?.upstream_error === 'string' ? input.details.upstream_error : undefined };
  }
}

class LinkedMeanwhile extends Error {}

function errorName(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code.slice(0, 64) : err instanceof Error ? err.name : 'unknown';
}
