import type { Knex } from 'knex';
import * as oidc from 'openid-client';
import { opaqueId, seededTenantSlug, seededUuid, SEEDED_CLIENT_ID } from '../../bench/seed/seeded-ids.js';
import { seededUsername, FAMILY_NAMES, FAMILY_STEP } from '../../bench/seed/people.js';
import { seedAtScale, type ScaleSeedOptions, type ScaleSeedResult } from '../../bench/seed/scale-seed.js';
import { refusalToSeed } from '../../bench/seed/seed-guard.js';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { usernameSkeleton } from '../../src/domain/users/user.js';
import { deleteInBatches } from '../../src/infrastructure/storage/batched-delete.js';
import { openDatabase, type Database } from '../../src/infrastructure/storage/database.js';
import { adminCall, OPERATOR_ENV, operatorToken } from '../helpers/admin-api.js';
import { discoverClient, signInWithCode } from '../helpers/relying-party.js';
import { startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

/**
 * The scale seed at a tiny scale (seconds): what it writes is what Gatehouse itself would have
 * written, so Gatehouse signs the seeded people in, finds them, refreshes their tokens and
 * cleans up the seeded expired rows. The figures at scale come from `npm run bench:scale`.
 */
const SMALL: ScaleSeedOptions = { tenants: 3, users: 200, refreshTokens: 1_000, sessions: 20, expiredShare: 0.05, batch: 300, password: 'gatehouse-scale', bcryptCost: 4 };

const describeWithPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

describeWithPostgres('the scale seed, at a tiny scale', () => {
  let server: TestGatehouse;
  let database: Database;
  let seed: ScaleSeedResult;

  beforeAll(async () => {
    server = await startTestGatehouse('postgres', { env: OPERATOR_ENV });
    database = await openDatabase({ url: server.databaseUrl!, poolMax: 2 });
    // The demo tenant is there: a database of someone's own is refused without --force.
    expect(await refusalToSeed(database.knex, {}, false)).toMatch(/--force/);
    expect(await refusalToSeed(database.knex, { NODE_ENV: 'production' }, true)).toMatch(/production/);
    expect(await refusalToSeed(database.knex, {}, true)).toBeUndefined();
    seed = await seedAtScale(database.knex, SMALL);
  });

  afterAll(async () => {
    await database?.close();
    await server?.stop();
  });

  it('writes the counts asked for, and refuses to seed the same database twice', async () => {
    const counts = await database.knex('oidc_artifacts').select('type').count<{ type: string; count: number }[]>('* as count').groupBy('type');
    const live = await database.knex('oidc_artifacts').select('type').count<{ type: string; count: number }[]>('* as count').where('expires_at', '>', database.knex.fn.now()).groupBy('type');
    const of = (rows: { type: string; count: number }[], type: string) => Number(rows.find((row) => row.type === type)?.count ?? 0);
    expect(of(live, 'RefreshToken')).toBe(SMALL.refreshTokens);
    expect(of(counts, 'RefreshToken')).toBe(SMALL.refreshTokens + seed.expiredRefreshTokens);
    expect(of(counts, 'Grant')).toBe(SMALL.refreshTokens + seed.expiredRefreshTokens);
    expect(of(live, 'Session')).toBe(SMALL.sessions);
    expect(seed.expiredRefreshTokens).toBe(50);
    expect(Number((await database.knex('users').count<{ count: number }[]>('* as count').whereLike('username', '%\\_%'))[0]!.count)).toBe(SMALL.users);
    expect(Number((await database.knex('tenants').count<{ count: number }[]>('* as count').whereLike('slug', 'seed-%'))[0]!.count)).toBe(SMALL.tenants);
    expect(await refusalToSeed(database.knex, {}, true)).toMatch(/already holds 3 seeded tenants/);
  });

  it('derives ids and look-alike skeletons in SQL exactly as Gatehouse and the bench do in Node', async () => {
    for (const n of [0, 1, 10, 101, 199]) {
      const user = await database.knex('users').where({ username: seededUsername(n) }).first();
      expect(user).toMatchObject({ id: seededUuid(seed.salt, 'user', n), tenant_id: seededUuid(seed.salt, 'tenant', n % SMALL.tenants), username_skeleton: usernameSkeleton(seededUsername(n)) });
    }
    const token = await database.knex('oidc_artifacts').where({ type: 'RefreshToken', id: opaqueId(seed.salt, 'rt', 7) }).first();
    expect(token).toMatchObject({ account_id: seededUuid(seed.salt, 'user', 7), grant_id: opaqueId(seed.salt, 'grant', 7), client_id: SEEDED_CLIENT_ID });
  });

  it('signs a seeded person in with the seeded password', async () => {
    const mobile = await discoverClient(server.issuer, DEMO.mobile.clientId);
    const { tokens } = await signInWithCode(mobile, { username: seededUsername(42), password: SMALL.password, redirectUri: `${server.issuer}${DEMO.callbackPath}` });
    expect(tokens.claims()?.sub).toBe(seededUuid(seed.salt, 'user', 42));
  });

  it('finds seeded people with the admin search of their tenant', async () => {
    const n = 17;
    const family = FAMILY_NAMES[(n * FAMILY_STEP) % FAMILY_NAMES.length]!;
    const found = await adminCall(server.issuer, await operatorToken(server.issuer), 'GET', `/tenants/${seededTenantSlug(n % SMALL.tenants)}/users?q=${family.toLowerCase()}&limit=100`);
    expect(found.status).toBe(200);
    expect(found.body.items.map((user: { username: string }) => user.username)).toContain(seededUsername(n));
    expect(found.body.items.every((user: { email: string }) => user.email.includes(seededTenantSlug(n % SMALL.tenants)))).toBe(true);
  });

  it('refreshes a seeded refresh token at the token endpoint, and refuses an expired one', async () => {
    const app = await discoverClient(server.issuer, SEEDED_CLIENT_ID);
    const presented = opaqueId(seed.salt, 'rt', 7);
    const tokens = await oidc.refreshTokenGrant(app, presented);
    expect(tokens.refresh_token).toBeDefined();
    expect(tokens.refresh_token).not.toBe(presented);
    expect(tokens.claims()?.sub).toBe(seededUuid(seed.salt, 'user', 7));
    const expired = opaqueId(seed.salt, 'rt', SMALL.refreshTokens + 3);
    await expect(oidc.refreshTokenGrant(app, expired)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('deletes expired rows in bounded statements, then the cleanup deletes exactly the rest of the seeded expired rows', async () => {
    // Each DELETE takes at most a batch of rows, so no statement of the hourly cleanup holds
    // locks on more than that many rows at once, however many expired.
    const deletedPerStatement: number[] = [];
    // knex reports a delete's response as the number of rows it deleted.
    const onResponse = (response: unknown, query: { method?: string }) => {
      if (query.method === 'del') deletedPerStatement.push(Number(response));
    };
    database.knex.on('query-response', onResponse);
    const expiredTokens = (q: Knex.QueryBuilder) => q.where('type', 'RefreshToken').andWhere('expires_at', '<', new Date());
    const deleted = await deleteInBatches(database.knex, 'oidc_artifacts', expiredTokens, 20);
    database.knex.off('query-response', onResponse);
    expect(deleted).toBe(seed.expiredRefreshTokens);
    expect(deletedPerStatement).toEqual([20, 20, 10]);

    const report = await server.gatehouse.cleanup.run();
    expect(report.oidc_artifacts).toBe(seed.expiredSessions);
    expect(Number((await database.knex('oidc_artifacts').count<{ count: number }[]>('* as count').where('expires_at', '<', database.knex.fn.now()))[0]!.count)).toBe(0);
    // Live seeded tokens are untouched: another one still refreshes.
    const app = await discoverClient(server.issuer, SEEDED_CLIENT_ID);
    await expect(oidc.refreshTokenGrant(app, opaqueId(seed.salt, 'rt', 8))).resolves.toHaveProperty('access_token');
  });
});
