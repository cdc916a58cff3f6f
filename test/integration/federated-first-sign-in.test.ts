import type { Knex } from 'knex';
import pino from 'pino';
import { EventLog } from '../../src/domain/events/event-log.js';
import { FederatedIdentityRepository } from '../../src/domain/federation/federated-identity.repository.js';
import { FederatedSignIn, type PendingTrip } from '../../src/domain/federation/federated-sign-in.service.js';
import type { SsoConnection } from '../../src/domain/federation/sso-connection.js';
import { SsoConnectionRepository } from '../../src/domain/federation/sso-connection.repository.js';
import type { UpstreamProvider } from '../../src/infrastructure/federation/openid-upstream.js';
import { TenantRepository } from '../../src/domain/tenants/tenant.repository.js';
import { UserRepository } from '../../src/domain/users/user.repository.js';
import type { Database } from '../../src/infrastructure/storage/database.js';
import { openMigratedDatabase, type MigratedDatabase } from '../helpers/test-gatehouse.js';

const DIRECTORY = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const source = { ip: '203.0.113.9', userAgent: 'test', clientId: null, clientKind: null };
const trip = (tenantId: string): PendingTrip => ({ tenantId, redirectUri: 'http://localhost/sso/callback', state: 's', nonce: 'n', codeVerifier: 'v' });
const callback = new URL('http://localhost/sso/callback?code=c&state=s');

/**
 * First sign-ins racing on real PostgreSQL: the same person arriving in many tabs at once gets one
 * user, and many new people at once never take more seats than the tenant has. The upstream is the
 * only stand-in: it answers the claims an Entra directory would (the ID token's validation is the
 * library's, tested end to end in the browser suite).
 */
describe('first sign-ins through a tenant\'s provider, in parallel', () => {
  let database: Database;
  let opened: MigratedDatabase;
  let knex: Knex;
  let signIn: FederatedSignIn;
  let claimsFor: () => Record<string, unknown>;
  let events: EventLog;

  beforeAll(async () => {
    opened = await openMigratedDatabase({ onServer: Boolean(process.env.TEST_DATABASE_URL) });
    database = opened.database;
    knex = database.knex;
    const upstream: UpstreamProvider = {
      authorizationUrl: async () => 'http://upstream.invalid/authorize',
      redeem: async () => claimsFor(),
      endSessionUrl: async () => undefined,
    };
    const connections = new SsoConnectionRepository(knex);
    signIn = new FederatedSignIn({
      knex,
      connections,
      identities: new FederatedIdentityRepository(knex),
      users: new UserRepository(knex),
      tenants: new TenantRepository(knex),
      upstream,
      events: (events = new EventLog(knex, pino({ level: 'silent' }))),
      logger: pino({ level: 'silent' }),
      now: () => new Date(),
    });
  });
  afterAll(async () => opened?.dispose());

  async function tenantWithJit(slug: string, seats: number | null): Promise<string> {
    const [tenant] = await knex('tenants').insert({ slug, name: slug, settings: JSON.stringify({ seats: { limit: seats } }) }).returning('id');
    const connection: Omit<SsoConnection, 'created_at' | 'updated_at'> = {
      tenant_id: tenant.id,
      kind: 'entra',
      entra_tenant_id: DIRECTORY,
      issuer: null,
      display_name: 'Microsoft',
      client_id: 'c',
      client_secret_sealed: 'v1.x.y.z',
      allowed_domains: [`${slug}.test`],
      claim_mapping: { username: 'preferred_username', email: 'email', name: 'name', given_name: 'given_name', family_name: 'family_name', phone: 'phone_number' },
      enabled: true,
      required: false,
      jit: true,
      trust_upstream_mfa: false,
      upstream_logout: false,
    };
    await knex.transaction((trx) => new SsoConnectionRepository(knex).save(connection, trx));
    return tenant.id;
  }

  // The embedded database serves one connection at a time: fewer racers there, the same question.
  const racers = process.env.TEST_DATABASE_URL ? 100 : 20;

  it('gives one person arriving many times at once one user', async () => {
    const tenantId = await tenantWithJit('tabs', null);
    claimsFor = () => ({ tid: DIRECTORY, oid: 'same-person', preferred_username: 'pat@tabs.test', email: 'pat@tabs.test' });
    const outcomes = await Promise.all(Array.from({ length: racers }, () => signIn.complete(trip(tenantId), callback, source)));
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    expect(new Set(outcomes.map((o) => (o.ok ? o.user.id : '')))).toHaveProperty('size', 1);
    expect((await knex('users').where({ tenant_id: tenantId })).length).toBe(1);
  });

  it('never creates more users than the tenant has seats', async () => {
    const tenantId = await tenantWithJit('crowd', 5);
    let next = 0;
    claimsFor = () => {
      next += 1;
      return { tid: DIRECTORY, oid: `person-${next}`, preferred_username: `p${next}@crowd.test`, email: `p${next}@crowd.test` };
    };
    const outcomes = await Promise.all(Array.from({ length: racers }, () => signIn.complete(trip(tenantId), callback, source)));
    expect(outcomes.filter((o) => o.ok)).toHaveLength(5);
    expect(outcomes.filter((o) => !o.ok).every((o) => !o.ok && o.reason === 'no_seat_left')).toBe(true);
    expect((await knex('users').where({ tenant_id: tenantId })).length).toBe(5);
  });

  it('refuses a token of another directory, whatever else it says', async () => {
    const tenantId = await tenantWithJit('strict', null);
    claimsFor = () => ({ tid: 'another-directory', oid: 'x', preferred_username: 'x@strict.test' });
    await expect(signIn.complete(trip(tenantId), callback, source)).resolves.toMatchObject({ ok: false, reason: 'upstream_failed' });
    expect((await knex('events').where({ type: 'sso.refused', tenant_id: tenantId }).first()).reason).toBe('wrong_directory');
  });

  it('answers an upstream that cannot be reached with a refusal page, not an error, and records it', async () => {
    const tenantId = await tenantWithJit('unreachable', null);
    claimsFor = () => {
      throw Object.assign(new Error('connect ECONNREFUSED 203.0.113.1:443'), { code: 'ECONNREFUSED' });
    };
    await expect(signIn.complete(trip(tenantId), callback, source)).resolves.toEqual({ ok: false, reason: 'upstream_failed', connection: expect.objectContaining({ tenant_id: tenantId }), upstreamError: undefined });
    await events.flush();
    expect((await knex('events').where({ type: 'sso.refused', tenant_id: tenantId }).first()).details).toMatchObject({ cause: 'ECONNREFUSED' });
    expect((await knex('users').where({ tenant_id: tenantId })).length).toBe(0);
  });
});
