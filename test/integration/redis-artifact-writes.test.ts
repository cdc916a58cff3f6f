import type { Redis } from 'ioredis';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { OwnRedis } from '../../bench/support/own-redis.js';
import { RedisArtifactAdapter } from '../../src/entrypoints/oidc/adapters/redis-artifact.adapter.js';
import { connectRedis, RedisGate, waitForRedis } from '../../src/infrastructure/storage/redis.js';

/** Where writes go while Redis refuses them: PostgreSQL in Gatehouse, a map here, to see what arrived. */
class KeptWrites implements Adapter {
  readonly kept = new Map<string, AdapterPayload>();
  async upsert(id: string, payload: AdapterPayload): Promise<void> {
    this.kept.set(id, payload);
  }
  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.kept.get(id);
  }
  async findByUid(): Promise<undefined> {
    return undefined;
  }
  async findByUserCode(): Promise<undefined> {
    return undefined;
  }
  async consume(): Promise<void> {}
  async destroy(id: string): Promise<void> {
    this.kept.delete(id);
  }
  async revokeByGrantId(grantId: string): Promise<void> {
    for (const [id, payload] of this.kept) if (payload.grantId === grantId) this.kept.delete(id);
  }
}

/**
 * The access token every refresh and code exchange writes: one script in Redis (the artifact
 * and its entry in the grant's list, which revocation reads), sent by digest. A Redis server of
 * the test's own, so its script cache can be flushed and its memory limit lowered.
 */
describe('Redis writes of a grant\'s artifacts', () => {
  let server: OwnRedis;
  let redis: Redis;
  let gate: RedisGate;
  let fallback: KeptWrites;
  let accessTokens: RedisArtifactAdapter;
  const PREFIX = 'gh-writes:';

  beforeAll(async () => {
    server = await OwnRedis.start();
    redis = connectRedis(server.url, { keyPrefix: PREFIX, commandTimeoutMs: 2_000 });
    await waitForRedis(redis, 10_000);
  });
  afterAll(async () => {
    gate?.close();
    await redis?.quit().catch(() => undefined);
    await server?.destroy();
  });
  beforeEach(async () => {
    await redis.flushall();
    await redis.config('RESETSTAT');
    gate = new RedisGate(redis);
    fallback = new KeptWrites();
    accessTokens = new RedisArtifactAdapter('AccessToken', gate, fallback);
  });

  const token = (grantId: string, jti: string) => ({ jti, grantId, kind: 'AccessToken', accountId: 'u1', clientId: 'app' }) as AdapterPayload;
  /** Calls of each command since the test began, as Redis counts them. */
  async function commandCalls(): Promise<Record<string, number>> {
    const info = await redis.info('commandstats');
    return Object.fromEntries([...info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map(([, name, calls]) => [name!, Number(calls)]));
  }

  it('writes the token and lists it under its grant in one command; the list lives as long as its longest token; revocation finds them all', async () => {
    await accessTokens.upsert('at-1', token('g1', 'at-1'), 60);
    await accessTokens.upsert('at-2', token('g1', 'at-2'), 3600);
    await accessTokens.upsert('at-3', token('g1', 'at-3'), 600);

    const calls = await commandCalls();
    expect(calls.evalsha).toBeGreaterThanOrEqual(3);
    expect(calls.multi ?? 0).toBe(0);
    expect(await accessTokens.find('at-2')).toMatchObject({ jti: 'at-2', grantId: 'g1' });
    expect(await redis.ttl('oidc:AccessToken:at-1')).toBeGreaterThan(50);
    expect(await redis.ttl('oidc:AccessToken:at-1')).toBeLessThanOrEqual(60);
    // Unprefixed, as revocation deletes them through the same prefixing client.
    expect(await redis.lrange('oidc:grant:g1', 0, -1)).toEqual(['oidc:AccessToken:at-1', 'oidc:AccessToken:at-2', 'oidc:AccessToken:at-3']);
    expect(await redis.ttl('oidc:grant:g1')).toBeGreaterThan(3590);

    await accessTokens.revokeByGrantId('g1');
    expect(await redis.exists('oidc:AccessToken:at-1', 'oidc:AccessToken:at-2', 'oidc:AccessToken:at-3')).toBe(0);
    expect(await accessTokens.find('at-2')).toBeUndefined();
    expect(fallback.kept.size).toBe(0);
  });

  it('sends the script in full once when Redis has forgotten it (restart, failover, SCRIPT FLUSH), then by digest again', async () => {
    await accessTokens.upsert('at-1', token('g1', 'at-1'), 3600);
    await redis.script('FLUSH');
    await accessTokens.upsert('at-2', token('g1', 'at-2'), 3600);
    await accessTokens.upsert('at-3', token('g1', 'at-3'), 3600);

    const calls = await commandCalls();
    expect(calls.eval).toBe(1);
    expect(calls.evalsha).toBe(3);
    expect(await redis.lrange('oidc:grant:g1', 0, -1)).toHaveLength(3);
    expect(await accessTokens.find('at-2')).toMatchObject({ jti: 'at-2' });
    expect(fallback.kept.size).toBe(0);
  });

  it('keeps every one of 300 tokens of one grant written at once, each listed once', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => `at-${i}`);
    await Promise.all(ids.map((id) => accessTokens.upsert(id, token('g1', id), 3600)));

    const listed = await redis.lrange('oidc:grant:g1', 0, -1);
    expect(listed).toHaveLength(300);
    expect(new Set(listed)).toEqual(new Set(ids.map((id) => `oidc:AccessToken:${id}`)));
    const found = await Promise.all(ids.map((id) => accessTokens.find(id)));
    expect(found.map((payload) => payload?.jti)).toEqual(ids);
    expect(fallback.kept.size).toBe(0);
  });

  it('hands a write Redis refuses (out of memory) to the fallback, leaving no token in Redis that its grant does not list', async () => {
    await redis.config('SET', 'maxmemory-policy', 'noeviction');
    await redis.config('SET', 'maxmemory', '1');
    try {
      await accessTokens.upsert('at-1', token('g1', 'at-1'), 3600);
      expect(fallback.kept.get('at-1')).toMatchObject({ jti: 'at-1', grantId: 'g1' });
      expect(await redis.exists('oidc:AccessToken:at-1')).toBe(0);
      expect(await accessTokens.find('at-1')).toMatchObject({ jti: 'at-1' });
    } finally {
      await redis.config('SET', 'maxmemory', '0');
    }
    // Redis writes again once it has room: refused writes never set it aside.
    await accessTokens.upsert('at-2', token('g1', 'at-2'), 3600);
    expect(await redis.lrange('oidc:grant:g1', 0, -1)).toEqual(['oidc:AccessToken:at-2']);
    expect(fallback.kept.has('at-2')).toBe(false);
  });

  // Last: the scripts then stay sent in full for the rest of this process, as they would in Gatehouse.
  it('works for a Redis user allowed EVAL but not EVALSHA (an ACL written from the guide of earlier versions): scripts go in full', async () => {
    await redis.acl('SETUSER', 'eval-only', 'on', '>eval-only-password', '~*', '&*', '+@all', '-evalsha');
    const restricted = connectRedis(`redis://eval-only:eval-only-password@127.0.0.1:${server.port}`, { keyPrefix: PREFIX, commandTimeoutMs: 2_000 });
    const restrictedGate = new RedisGate(restricted);
    try {
      await waitForRedis(restricted, 10_000);
      const codes = new RedisArtifactAdapter('AuthorizationCode', restrictedGate, fallback);
      await codes.upsert('code-1', { ...token('g1', 'code-1'), kind: 'AuthorizationCode' } as AdapterPayload, 60);
      await codes.upsert('code-2', { ...token('g1', 'code-2'), kind: 'AuthorizationCode' } as AdapterPayload, 60);
      await codes.consume('code-1');
      await expect(codes.consume('code-1')).rejects.toThrow();

      expect(await redis.lrange('oidc:grant:g1', 0, -1)).toEqual(['oidc:AuthorizationCode:code-1', 'oidc:AuthorizationCode:code-2']);
      expect(await codes.find('code-1')).toMatchObject({ consumed: expect.any(Number) });
      expect(fallback.kept.size).toBe(0);
      const calls = await commandCalls();
      expect(calls.eval).toBeGreaterThanOrEqual(3);
      expect(restrictedGate.usable).toBe(true);
    } finally {
      restrictedGate.close();
      await restricted.quit().catch(() => undefined);
    }
  });
});
