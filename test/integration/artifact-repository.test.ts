import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { ClientRepository } from '../../src/domain/clients/client.repository.js';
import type { ArtifactWrite } from '../../src/domain/sessions/artifact.js';
import { ArtifactRepository, FIND_REFRESH_TOKENS_SQL } from '../../src/domain/sessions/artifact.repository.js';
import { judgeChain } from '../../src/domain/sessions/refresh-chain.js';
import type { Database } from '../../src/infrastructure/storage/database.js';
import { openMigratedDatabase, type MigratedDatabase } from '../helpers/test-gatehouse.js';

interface PgConnection {
  query(query: string | { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

const HOUR = 60 * 60 * 1000;
const later = (ms = HOUR) => new Date(Date.now() + ms);
const earlier = (ms = HOUR) => new Date(Date.now() - ms);
const id = () => randomBytes(12).toString('base64url');

function write(fields: Partial<ArtifactWrite> = {}): ArtifactWrite {
  return { payload: { kind: 'test' }, grantId: null, userCode: null, uid: null, accountId: null, clientId: null, expiresAt: later(), ...fields };
}

/** The embedded database, and the real server when the environment names one. */
const kinds = ['embedded', ...(process.env.TEST_DATABASE_URL ? ['postgres'] : [])] as const;

describe.each(kinds)('the artifact repository on %s PostgreSQL', (kind) => {
  let database: Database;
  let opened: MigratedDatabase;
  let knex: Knex;
  let artifacts: ArtifactRepository;

  beforeAll(async () => {
    opened = await openMigratedDatabase({ onServer: kind === 'postgres' });
    database = opened.database;
    knex = database.knex;
    artifacts = new ArtifactRepository(knex);
  });
  afterAll(async () => opened?.dispose());

  /** The SQL statements `work` sends, counted as the database sees them. */
  async function statementsOf(work: () => Promise<unknown>): Promise<number> {
    let count = 0;
    const onQuery = () => count++;
    knex.on('query', onQuery);
    try {
      await work();
    } finally {
      knex.off('query', onQuery);
    }
    return count;
  }

  it('finds what it stored until it expires, by id, uid and user code', async () => {
    const [a, b] = [id(), id()];
    await artifacts.upsert('DeviceCode', a, write({ payload: { n: 1 }, uid: `uid-${a}`, userCode: `UC-${a}`, accountId: 'u1' }));
    await artifacts.upsert('DeviceCode', b, write({ expiresAt: earlier(1000) }));
    expect(await artifacts.find('DeviceCode', a)).toEqual({ payload: { n: 1 }, consumed_at: null, revoked_at: null, revoked_reason: null, account_id: 'u1' });
    expect(await artifacts.find('DeviceCode', b)).toBeUndefined();
    expect(await artifacts.find('Grant', a)).toBeUndefined();
    expect((await artifacts.findByUid('DeviceCode', `uid-${a}`))?.payload).toEqual({ n: 1 });
    expect((await artifacts.findByUserCode('DeviceCode', `UC-${a}`))?.payload).toEqual({ n: 1 });

    await artifacts.upsert('DeviceCode', a, write({ payload: { n: 2 }, uid: `uid-${a}`, expiresAt: null }));
    expect((await artifacts.find('DeviceCode', a))?.payload).toEqual({ n: 2 });
    expect(await artifacts.findByUserCode('DeviceCode', `UC-${a}`)).toBeUndefined();
  });

  it('lets exactly one of many parallel consumes win', async () => {
    const code = id();
    await artifacts.upsert('AuthorizationCode', code, write());
    const results = await Promise.all(Array.from({ length: 30 }, () => artifacts.consume('AuthorizationCode', code)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await artifacts.find('AuthorizationCode', code))?.consumed_at).toBeInstanceOf(Date);
  });

  it("saves one artifact from many requests at once, uid and user code kept: a browser's parallel requests each save its session", async () => {
    // An upsert of an existing row (INSERT … ON CONFLICT) raced another's update of it and failed
    // on the uid or user-code index, which ON CONFLICT does not cover: one of a browser's
    // parallel form posts got a 500. Many first saves of one new id at once met there too, or
    // deadlocked. Repeated rounds, each a new artifact saved at once and then saved again at
    // once, as the races need two saves to meet.
    for (let round = 0; round < 10; round++) {
      const session = id();
      const save = (n: number) => artifacts.upsert('Session', session, write({ payload: { round, n }, uid: `uid-${session}`, userCode: `UC-${session}`, expiresAt: later(HOUR + n) }));
      for (const wave of [0, 1]) {
        const failures = (await Promise.allSettled(Array.from({ length: 40 }, (_, n) => save(wave * 40 + n)))).filter((one) => one.status === 'rejected');
        expect(failures.map((failure) => String((failure as PromiseRejectedResult).reason))).toEqual([]);
      }
      expect((await artifacts.findByUid('Session', `uid-${session}`))?.payload).toMatchObject({ round });
      expect(await artifacts.findByUserCode('Session', `UC-${session}`)).toBeDefined();
    }
  });

  it('keeps both new identifiers of a session given by two sign-ins completing at once, finds the newest by uid, and a sign-out ends both', async () => {
    // Each completed sign-in gives the browser session a new identifier (same uid) and destroys
    // the previous one: two tabs completing at once both start from the same previous one.
    const uid = `uid-${id()}`;
    const [previous, first, second] = [id(), id(), id()];
    await artifacts.upsert('Session', previous, write({ uid, payload: { n: 0 } }));
    await Promise.all([artifacts.destroy('Session', previous), artifacts.destroy('Session', previous)]);
    await artifacts.upsert('Session', first, write({ uid, payload: { n: 1 } }));
    await artifacts.upsert('Session', second, write({ uid, payload: { n: 2 } }));
    expect((await artifacts.find('Session', first))?.payload).toEqual({ n: 1 });
    expect((await artifacts.findByUid('Session', uid))?.payload).toEqual({ n: 2 });
    // Another session's sign-out touches neither.
    await artifacts.upsert('Session', 'other', write({ uid: `uid-${id()}` }));
    await artifacts.destroy('Session', 'other');
    expect(await artifacts.find('Session', first)).toBeDefined();
    // A sign-out in the tab holding the older identifier ends the newer one too.
    await artifacts.destroy('Session', first);
    expect(await artifacts.find('Session', second)).toBeUndefined();
    expect(await artifacts.findByUid('Session', uid)).toBeUndefined();
  });

  /** A user of a tenant of its own, and a live grant of theirs: what a rotation checks. */
  async function chainOwner(): Promise<{ userId: string; grantId: string }> {
    const name = id().toLowerCase();
    const [tenant] = await knex('tenants').insert({ slug: `t-${name}`, name: 'Tenant' }).returning<{ id: string }[]>('id');
    const [user] = await knex('users').insert({ tenant_id: tenant!.id, username: `u-${name}`, username_normalized: `u-${name}`, role: 'member' }).returning<{ id: string }[]>('id');
    const grantId = id();
    await artifacts.upsert('Grant', grantId, write({ accountId: user!.id }));
    return { userId: user!.id, grantId };
  }
  const chainStart = () => Math.floor(Date.now() / 1000) - 60;

  it('rotates a refresh token in one statement: the old one consumed, the new one written, once, and remembered as its successor', async () => {
    const { userId, grantId } = await chainOwner();
    const old = id();
    const token = () => write({ grantId, accountId: userId, payload: { iiat: chainStart() } });
    await artifacts.upsert('RefreshToken', old, token());
    const successors = Array.from({ length: 30 }, () => id());
    const results = await Promise.all(successors.map((next) => artifacts.rotateRefreshToken(old, next, token(), chainStart())));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = successors[results.indexOf(true)]!;
    const written = await knex('oidc_artifacts').whereIn('id', successors).select('id');
    expect(written.map((row) => row.id)).toEqual([winner]);
    expect((await artifacts.find('RefreshToken', old))?.consumed_at).toBeInstanceOf(Date);
    expect(await artifacts.rotateRefreshToken(old, id(), token(), chainStart())).toBe(false);

    // From the old token, the chain leads to the winner, and further along each rotation.
    expect(judgeChain(await artifacts.refreshChain(old))).toEqual({ kind: 'current', tokenId: winner });
    const third = id();
    expect(await artifacts.rotateRefreshToken(winner, third, token(), chainStart())).toBe(true);
    expect(judgeChain(await artifacts.refreshChain(old))).toEqual({ kind: 'current', tokenId: third });
  });

  it('does not rotate a chain whose grant is gone or whose user was signed out, disabled or deleted since it began', async () => {
    const rotates = async (change: (owner: { userId: string; grantId: string }) => Promise<unknown>) => {
      const owner = await chainOwner();
      const token = id();
      const stored = () => write({ grantId: owner.grantId, accountId: owner.userId, payload: { iiat: chainStart() } });
      await artifacts.upsert('RefreshToken', token, stored());
      await change(owner);
      const rotated = await artifacts.rotateRefreshToken(token, id(), stored(), chainStart());
      return { rotated, verdict: judgeChain(await artifacts.refreshChain(token)) };
    };
    expect(await rotates(async () => undefined)).toMatchObject({ rotated: true });
    expect(await rotates(({ userId }) => knex('users').where({ id: userId }).update({ tokens_valid_after: new Date(), tokens_revoked_reason: 'password_changed_by_admin' }))).toEqual({
      rotated: false,
      verdict: { kind: 'revoked', reason: 'password_changed_by_admin' },
    });
    expect(await rotates(({ userId }) => knex('users').where({ id: userId }).update({ disabled: true }))).toEqual({ rotated: false, verdict: { kind: 'revoked', reason: 'account_disabled' } });
    expect(await rotates(({ userId }) => knex('users').where({ id: userId }).delete())).toEqual({ rotated: false, verdict: { kind: 'revoked', reason: 'user_deleted' } });
    expect(await rotates(({ grantId }) => artifacts.destroy('Grant', grantId))).toEqual({ rotated: false, verdict: { kind: 'ended' } });
    // A sign-out before the chain began (an older one) does not concern it.
    expect(await rotates(({ userId }) => knex('users').where({ id: userId }).update({ tokens_valid_after: new Date(Date.now() - 3_600_000) }))).toMatchObject({ rotated: true });
  });

  it('keeps the refresh path at one statement per step (find, rotate, consume, write)', async () => {
    const { userId, grantId } = await chainOwner();
    const token = id();
    await artifacts.upsert('RefreshToken', token, write({ grantId, accountId: userId }));
    expect(await statementsOf(() => artifacts.find('RefreshToken', token))).toBe(1);
    expect(await statementsOf(() => artifacts.rotateRefreshToken(token, id(), write({ grantId, accountId: userId }), chainStart()))).toBe(1);
    expect(await statementsOf(() => artifacts.consume('RefreshToken', token))).toBe(1);
    expect(await statementsOf(() => artifacts.upsert('RefreshToken', id(), write()))).toBe(1);
  });

  it('finds the refresh tokens asked for in one turn with one statement, each caller its own token and grant', async () => {
    const owners = await Promise.all([chainOwner(), chainOwner()]);
    const tokens = [id(), id(), id()];
    await artifacts.upsert('RefreshToken', tokens[0]!, write({ grantId: owners[0].grantId, accountId: owners[0].userId, payload: { n: 0 } }));
    await artifacts.upsert('RefreshToken', tokens[1]!, write({ grantId: owners[1].grantId, accountId: owners[1].userId, payload: { n: 1 } }));
    await artifacts.upsert('RefreshToken', tokens[2]!, write({ grantId: id(), payload: { n: 2 } }));
    let found: Awaited<ReturnType<ArtifactRepository['findRefreshToken']>>[] = [];
    const statements = await statementsOf(async () => {
      found = await Promise.all([...tokens, 'unknown', tokens[0]!].map((token) => artifacts.findRefreshToken(token)));
    });
    // On a PostgreSQL server, the look-ups of one turn of the event loop go together (TickBatch).
    expect(statements).toBe(kind === 'postgres' ? 1 : 5);
    expect(found.map((row) => row?.payload)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }, undefined, { n: 0 }]);
    expect(found.map((row) => row?.account_id ?? null)).toEqual([owners[0].userId, owners[1].userId, null, null, owners[0].userId]);
    // Each with its own grant; a grant that does not exist is null.
    expect(found.map((row) => row && row.grant_payload)).toEqual([{ kind: 'test' }, { kind: 'test' }, null, undefined, { kind: 'test' }]);
  });

  it('answers three hundred look-ups at once, each with its own token or none', async () => {
    const tokens = Array.from({ length: 150 }, () => id());
    await knex('oidc_artifacts').insert(tokens.map((token, n) => ({ type: 'RefreshToken', id: token, payload: { n }, expires_at: later() })));
    const asked = tokens.flatMap((token) => [token, `missing-${token}`]);
    const found = await Promise.all(asked.map((token) => artifacts.findRefreshToken(token)));
    expect(found.map((row) => row?.payload)).toEqual(tokens.flatMap((_, n) => [{ n }, undefined]));
  });

  (kind === 'postgres' ? it : it.skip)('looks the tokens of a batch up by key, with the plan PostgreSQL keeps, even when the statistics say the table is nearly empty', async () => {
    // A young database: the table analysed while it held a few rows, then thousands written.
    await knex.raw('ANALYZE oidc_artifacts');
    await knex.raw(`INSERT INTO oidc_artifacts (type, id, payload, expires_at) SELECT 'RefreshToken', 'bulk-' || g, '{}'::jsonb, now() + interval '1 day' FROM generate_series(1, 5000) AS g`);
    const ids = ['bulk-10', 'bulk-2500', 'bulk-4999'];
    const client = knex.client as unknown as { acquireConnection(): Promise<PgConnection>; releaseConnection(c: PgConnection): Promise<void> };
    const connection = await client.acquireConnection();
    try {
      // Prepared as Gatehouse prepares it; after five runs PostgreSQL may keep one plan for
      // every later run: the one checked here.
      const text = FIND_REFRESH_TOKENS_SQL.replace('?', '$1');
      for (let i = 0; i < 6; i++) await connection.query({ name: 'batch_probe', text, values: [ids] });
      const { rows } = await connection.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE batch_probe ('{${ids.join(',')}}')`);
      const plan = (rows[0] as { 'QUERY PLAN': [{ Plan: { 'Actual Rows': number; 'Shared Hit Blocks': number } }] })['QUERY PLAN'][0].Plan;
      expect(plan['Actual Rows']).toBe(3);
      // A few index pages and a heap page per token, not the 5,000 tokens' pages.
      expect(plan['Shared Hit Blocks']).toBeLessThan(40);
      await connection.query('DEALLOCATE batch_probe');
    } finally {
      await client.releaseConnection(connection);
      await knex('oidc_artifacts').where('id', 'like', 'bulk-%').delete();
    }
  });

  it('rotates the refresh tokens of one turn each on its own, each judged on its own chain', async () => {
    const [live, ended, disabled] = await Promise.all([chainOwner(), chainOwner(), chainOwner()]);
    const started = chainStart();
    const stored = (owner: { userId: string; grantId: string }) => write({ grantId: owner.grantId, accountId: owner.userId, payload: { iiat: started } });
    const tokens = { live: id(), ended: id(), disabled: id() };
    await artifacts.upsert('RefreshToken', tokens.live, stored(live));
    await artifacts.upsert('RefreshToken', tokens.ended, stored(ended));
    await artifacts.upsert('RefreshToken', tokens.disabled, stored(disabled));
    await artifacts.destroy('Grant', ended.grantId);
    await knex('users').where({ id: disabled.userId }).update({ disabled: true });

    const successors = [id(), id(), id(), id()];
    let results: boolean[] = [];
    // A rotation is never sent set-wise (see ArtifactRepository): one statement each.
    const statements = await statementsOf(async () => {
      results = await Promise.all([
        artifacts.rotateRefreshToken(tokens.live, successors[0]!, stored(live), chainStart()),
        artifacts.rotateRefreshToken(tokens.ended, successors[1]!, stored(ended), chainStart()),
        // The same token twice in one turn (an app that sent its refresh twice): one rotation.
        artifacts.rotateRefreshToken(tokens.live, successors[2]!, stored(live), chainStart()),
        artifacts.rotateRefreshToken(tokens.disabled, successors[3]!, stored(disabled), chainStart()),
      ]);
    });
    expect(statements).toBe(4);
    expect([results[1], results[3]]).toEqual([false, false]);
    expect([results[0], results[2]].filter(Boolean)).toHaveLength(1);
    const winner = results[0] ? successors[0]! : successors[2]!;
    const written = await knex('oidc_artifacts').whereIn('id', successors).select('id', 'payload', 'grant_id', 'account_id');
    expect(written).toEqual([{ id: winner, payload: { iiat: started }, grant_id: live.grantId, account_id: live.userId }]);
    expect(judgeChain(await artifacts.refreshChain(tokens.live))).toEqual({ kind: 'current', tokenId: winner });
    expect(judgeChain(await artifacts.refreshChain(tokens.ended))).toEqual({ kind: 'ended' });
    expect(judgeChain(await artifacts.refreshChain(tokens.disabled))).toEqual({ kind: 'revoked', reason: 'account_disabled' });
  });

  it('finds the other refresh tokens of a turn when the database refuses one look-up', async () => {
    const tokens = [id(), id()];
    for (const [n, token] of tokens.entries()) await artifacts.upsert('RefreshToken', token, write({ payload: { n } }));
    // PostgreSQL's text refuses the NUL character (22021): the whole batch is refused, then each is asked alone.
    const results = await Promise.allSettled([tokens[0]!, 'nul\u0000', tokens[1]!].map((token) => artifacts.findRefreshToken(token)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value?.payload : undefined))).toEqual([{ n: 0 }, undefined, { n: 1 }]);
  });

  it('deletes one artifact, or those of a grant of one model', async () => {
    const grantId = id();
    const [token, access, other] = [id(), id(), id()];
    await artifacts.upsert('RefreshToken', token, write({ grantId }));
    await artifacts.upsert('AccessToken', access, write({ grantId }));
    await artifacts.upsert('AccessToken', other, write({ grantId: id() }));
    await artifacts.deleteByGrantId('AccessToken', grantId);
    expect(await artifacts.find('AccessToken', access)).toBeUndefined();
    expect(await artifacts.find('AccessToken', other)).toBeDefined();
    expect(await artifacts.find('RefreshToken', token)).toBeDefined();
    await artifacts.destroy('RefreshToken', token);
    expect(await artifacts.find('RefreshToken', token)).toBeUndefined();
  });

  describe('for one user', () => {
    const user = `user-${id()}`;
    const clientId = `client-${id()}`;
    const [grantA, grantB, expiredGrant] = [id(), id(), id()];
    const [live1, live2, used, expired, liveB] = [id(), id(), id(), id(), id()];

    beforeAll(async () => {
      await new ClientRepository(knex).upsert({ client_id: clientId, tenant_id: null, kind: 'mobile', name: 'Field app', scopes: 'openid' });
      await artifacts.upsert('Grant', grantA, write({ accountId: user, clientId }));
      await artifacts.upsert('Grant', grantB, write({ accountId: user, clientId: 'unknown-client' }));
      await artifacts.upsert('Grant', expiredGrant, write({ accountId: user, clientId, expiresAt: earlier() }));
      for (const token of [live1, live2, used, expired]) await artifacts.upsert('RefreshToken', token, write({ grantId: grantA, accountId: user, clientId, expiresAt: token === expired ? earlier() : later() }));
      await artifacts.consume('RefreshToken', used);
      await artifacts.upsert('RefreshToken', liveB, write({ grantId: grantB, accountId: user, clientId: 'unknown-client' }));
      await artifacts.upsert('Session', id(), write({ accountId: user }));
      await artifacts.upsert('Session', id(), write({ accountId: user }));
      await artifacts.upsert('Session', id(), write({ accountId: 'someone-else' }));
    });

    it('lists the live grants per app with their usable refresh tokens', async () => {
      const grants = await artifacts.activeGrantsOf(user);
      expect(grants).toHaveLength(2);
      expect(grants).toContainEqual(expect.objectContaining({ client_id: clientId, client_kind: 'mobile', client_name: 'Field app', active_refresh_tokens: 2 }));
      expect(grants).toContainEqual(expect.objectContaining({ client_id: 'unknown-client', client_kind: null, client_name: null, active_refresh_tokens: 1 }));
      expect(await artifacts.liveRefreshTokensPerGrant(user)).toEqual(new Map([[grantA, 2], [grantB, 1]]));
      expect((await artifacts.grantsOf(user)).map((g) => g.grant_id).sort()).toEqual([grantA, grantB, expiredGrant].sort());
    });

    it('sums up tokens per client for the diagnosis', async () => {
      const before = await artifacts.tokenActivityPerClient(user, null);
      expect(before).toContainEqual(expect.objectContaining({ client_id: clientId, active_refresh_tokens: 2, revoked_at_cut: 0, signed_in_since_cut: false }));
      expect(before.find((c) => c.client_id === clientId)!.last_token_at).toBeInstanceOf(Date);
    });

    it('tombstones refresh tokens with the first reason, ends sessions, all inside the caller’s transaction', async () => {
      // A transaction that fails leaves everything as it was.
      await expect(
        knex.transaction(async (trx) => {
          const inside = artifacts.within(trx);
          expect(await inside.tombstoneRefreshTokensOf(user, 'password_reset')).toBe(5);
          expect(await inside.deleteSessionsOf(user)).toBe(2);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect((await artifacts.find('RefreshToken', live1))?.revoked_at).toBeNull();

      await new Promise((resolve) => setTimeout(resolve, 20));
      const cut = new Date(Date.now() - 5);
      await knex.transaction(async (trx) => {
        await artifacts.within(trx).tombstoneRefreshTokensOf(user, 'signed_out_by_admin');
        expect(await artifacts.within(trx).deleteSessionsOf(user)).toBe(2);
      });
      expect(await artifacts.tombstoneRefreshTokensOf(user, 'password_reset')).toBe(0);
      expect(await artifacts.find('RefreshToken', live1)).toMatchObject({ revoked_reason: 'signed_out_by_admin', account_id: user });
      expect(await artifacts.liveRefreshTokensPerGrant(user)).toEqual(new Map());
      expect(await artifacts.deleteSessionsOf('someone-else')).toBe(1);

      const after = await artifacts.tokenActivityPerClient(user, cut);
      // The expired token was never consumed, so the cut counts it too; no grant came after it.
      expect(after).toContainEqual(expect.objectContaining({ client_id: clientId, active_refresh_tokens: 0, revoked_at_cut: 3, signed_in_since_cut: false }));
      const grantAfterCut = id();
      await artifacts.upsert('Grant', grantAfterCut, write({ accountId: user, clientId }));
      expect(await artifacts.tokenActivityPerClient(user, cut)).toContainEqual(expect.objectContaining({ client_id: clientId, signed_in_since_cut: true }));
    });
  });

  it("deletes a client's artifacts, inside the caller's transaction", async () => {
    const clientId = `gone-${id()}`;
    await artifacts.upsert('Grant', id(), write({ clientId }));
    await artifacts.upsert('RefreshToken', id(), write({ clientId }));
    expect(await knex.transaction((trx) => artifacts.within(trx).deleteOfClient(clientId))).toBe(2);
    expect(await artifacts.deleteOfClient(clientId)).toBe(0);
  });

  it('deletes expired rows, tombstones included, and keeps live and endless ones', async () => {
    const [gone, tombstone, live, endless] = [id(), id(), id(), id()];
    await artifacts.upsert('AccessToken', gone, write({ expiresAt: earlier() }));
    await artifacts.upsert('RefreshToken', tombstone, write({ accountId: `t-${tombstone}`, expiresAt: earlier() }));
    await artifacts.tombstoneRefreshTokensOf(`t-${tombstone}`, 'password_reset');
    await artifacts.upsert('AccessToken', live, write());
    await artifacts.upsert('Session', endless, write({ expiresAt: null }));
    const report = await artifacts.deleteExpired(new Date());
    expect(report.oidc_artifacts).toBeGreaterThanOrEqual(2);
    const left = await knex('oidc_artifacts').whereIn('id', [gone, tombstone, live, endless]).pluck('id');
    expect(left.sort()).toEqual([live, endless].sort());
  });
});
