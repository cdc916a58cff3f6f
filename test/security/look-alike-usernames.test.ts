import pg from 'pg';
import { startOperatorGatehouse } from '../helpers/operator-gatehouse.js';
import { randomBytes } from 'node:crypto';
import knexFactory from 'knex';
import { adminCall, createUser } from '../helpers/admin-api.js';
import { fullestStorage, PATIENT_STORAGE_ENV, type TestGatehouse } from '../helpers/test-gatehouse.js';
import { migrations } from '../../migrations/index.js';

// The embedded database serves every connection from one session and does not hold up under
// hundreds of parallel requests; these run on the real servers (CI sets TEST_DATABASE_URL).
const onRealPostgres = fullestStorage() !== 'embedded';

/**
 * The attack: `аdmin` (Cyrillic а) was created next to `admin`, a look-alike that a colleague
 * or an audit would read as the administrator. Usernames are normalised (RFC 8265) and a new
 * one whose Unicode TS #39 skeleton matches an existing user's is refused with 409, by a unique
 * index, so parallel creations of look-alikes cannot both succeed.
 */
describe('look-alike usernames', () => {
  let server: TestGatehouse;
  let issuer: string;
  let operator: string;

  beforeAll(async () => {
    // The creations race on one name; a slow machine must not shed them (503) first.
    ({ server, issuer, operator } = await startOperatorGatehouse(PATIENT_STORAGE_ENV));
  });
  afterAll(async () => server?.stop());

  const create = (username: string, tenant = 'demo') => adminCall(issuer, operator, 'POST', `/tenants/${tenant}/users`, { username, email: 'someone@demo.test', password: 'amber-lantern-4242' });

  it('refuses a Cyrillic, full-width or rn-for-m look-alike of an existing username with a clear 409', async () => {
    for (const lookAlike of ['\u0430dmin', 'ＡＤＭＩＮ', 'adrnin', 'ADMIN', 'admın'.replace('ı', 'і')]) {
      const answer = await create(lookAlike);
      expect({ lookAlike, status: answer.status }).toEqual({ lookAlike, status: 409 });
      expect(answer.headers.get('content-type')).toMatch(/problem\+json/);
      expect(answer.body.title).toMatch(/already taken|looks too much like an existing username/);
    }
    expect((await create('\u0430dmin')).body.title).toMatch(/looks too much like an existing username/);
  });

  it('refuses look-alikes across tenants too (usernames are global)', async () => {
    expect((await adminCall(issuer, operator, 'POST', '/tenants', { slug: 'lookalike-clinic', name: 'Look-alike clinic' })).status).toBe(201);
    expect((await create('\u0430lice', 'lookalike-clinic')).status).toBe(409);
  });

  (onRealPostgres ? it : it.skip)('lets exactly one of many parallel look-alikes be created', async () => {
    const variants = ['nurse-jo', 'nurse-j\u043e', 'nurse-\u0458o', 'NURSE-JO', 'nurse-ｊo', 'nurse-\u0458\u043e'];
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => create(variants[i % variants.length]!)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status !== 201 && a.status !== 409).map((a) => [a.status, a.body])).toEqual([]);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(59);
  });

  it('still creates names that only look different', async () => {
    expect((await create('alicia')).status).toBe(201);
    const rows = await server.gatehouse.database.knex('users').whereNotNull('username_skeleton').count<{ count: string }[]>('* as count');
    expect(Number(rows[0]!.count)).toBeGreaterThanOrEqual(3);
    await createUser(issuer, operator, { username: 'bob-the-builder' });
  });

  it('backfills existing rows in the migration, keeping the oldest of existing look-alikes', async () => {
    if (!process.env.TEST_DATABASE_URL) return;
    const name = `gatehouse_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(process.env.TEST_DATABASE_URL);
    url.pathname = `/${name}`;
    const knex = knexFactory({ client: 'pg', connection: url.toString() });
    try {
      const before = migrations.findIndex((m) => m.name === '20261129_012_username_skeletons');
      for (const migration of migrations.slice(0, before)) await migration.up(knex);
      const [tenant] = await knex('tenants').insert({ slug: 't', name: 'T' }).returning('id');
      for (const [i, username] of ['admin', '\u0430dmin', 'carol'].entries()) {
        await knex('users').insert({ tenant_id: tenant.id, username, username_normalized: username.normalize('NFKC').toLowerCase(), created_at: new Date(Date.now() + i * 1000) });
      }
      await migrations[before]!.up(knex);
      const rows = await knex('users').select('username', 'username_skeleton').orderBy('created_at');
      expect(rows).toEqual([
        { username: 'admin', username_skeleton: 'adrnin' },
        { username: '\u0430dmin', username_skeleton: null },
        { username: 'carol', username_skeleton: 'carol' },
      ]);
      await expect(knex('users').insert({ tenant_id: tenant.id, username: 'x', username_normalized: 'x', username_skeleton: 'adrnin' })).rejects.toThrow(/unique/);
    } finally {
      await knex.destroy();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
