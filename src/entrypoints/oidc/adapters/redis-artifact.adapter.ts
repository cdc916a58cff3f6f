import type { Redis } from 'ioredis';
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import { RedisScript, type RedisGate } from '../../../infrastructure/storage/redis.js';
import { alreadyUsedDetail } from '../token-refusals.js';
import type { SiblingLookups } from './sibling-lookups.js';

/**
 * Marks an artifact consumed only if it exists and is not consumed yet. 1: this call consumed
 * it; 0: it was consumed before; -1: Redis does not have it. One script, so two requests racing
 * with one code cannot both win.
 */
const CONSUME_ONCE = new RedisScript(`
local raw = redis.call('GET', KEYS[1])
if not raw then return -1 end
local payload = cjson.decode(raw)
if payload.consumed then return 0 end
payload.consumed = tonumber(ARGV[1])
redis.call('SET', KEYS[1], cjson.encode(payload), 'KEEPTTL')
return 1
`);

/**
 * Writes an artifact of a grant (KEYS[1], payload ARGV[1], lifetime ARGV[2] in seconds or '')
 * and lists its key (ARGV[3], unprefixed, as revocation deletes it) under the grant (KEYS[2]),
 * which lives as long as the longest artifact it lists. One command where a transaction took
 * six (every refresh writes one: its access token). The list entry comes first: should Redis
 * refuse a write halfway (out of memory), the grant lists a key that does not exist, never an
 * artifact that revocation could not find. GT alone never sets a first TTL (a key without one
 * counts as infinite), so NX gives a new list its first one.
 */
const WRITE_OF_GRANT = new RedisScript(`
local ttl = tonumber(ARGV[2])
redis.call('RPUSH', KEYS[2], ARGV[3])
if ttl then
  redis.call('EXPIRE', KEYS[2], ttl, 'NX')
  redis.call('EXPIRE', KEYS[2], ttl, 'GT')
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ttl)
else
  redis.call('SET', KEYS[1], ARGV[1])
end
return 1
`);

const NOT_IN_REDIS = -1;

/**
 * oidc-provider artifacts of one short-lived model (access tokens, codes, interactions) in
 * Redis, with PostgreSQL (`fallback`) answering whenever Redis does not: a write while Redis is
 * away or failing goes to PostgreSQL, and a look-up Redis cannot answer (away, or a miss, since
 * the artifact may have been written during an outage) is asked of PostgreSQL. Keys per grant,
 * user code and uid are kept beside the payload so revocation and look-ups need no scan.
 */
export class RedisArtifactAdapter implements Adapter {
  constructor(
    private readonly type: string,
    private readonly gate: RedisGate,
    private readonly fallback: Adapter,
    /** Look-ups of the same value under other kinds (see sibling-lookups.ts). */
    private readonly siblings?: SiblingLookups,
  ) {}

  private key(id: string): string {
    return `oidc:${this.type}:${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    await this.gate.run(
      (redis) => this.write(redis, id, payload, expiresIn),
      () => this.fallback.upsert(id, payload, expiresIn),
    );
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const lookup = this.gate.run((redis) => this.read(redis, id), async () => undefined);
    const foundHere = lookup.then(Boolean, () => false);
    this.siblings?.announce(id, foundHere);
    const cached = await lookup;
    if (cached) return cached;
    // Another kind found this value in Redis: it is that kind's token, not one of ours.
    if (await this.siblings?.foundElsewhere(id, foundHere)) return undefined;
    return (await this.fallback.find(id)) ?? undefined;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const cached = await this.gate.run(async (redis) => {
      const id = await redis.get(`oidc:uid:${uid}`);
      return id ? this.read(redis, id) : undefined;
    }, async () => undefined);
    return cached ?? (await this.fallback.findByUid(uid)) ?? undefined;
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const cached = await this.gate.run(async (redis) => {
      const id = await redis.get(`oidc:userCode:${userCode}`);
      return id ? this.read(redis, id) : undefined;
    }, async () => undefined);
    return cached ?? (await this.fallback.findByUserCode(userCode)) ?? undefined;
  }

  async consume(id: string): Promise<void> {
    const outcome = await this.gate.run(
      async (redis) => Number(await CONSUME_ONCE.run(redis, [this.key(id)], [Math.floor(Date.now() / 1000)])),
      async () => NOT_IN_REDIS,
    );
    if (outcome === 1) return;
    if (outcome === 0) throw new errors.InvalidGrant(alreadyUsedDetail(this.type));
    await this.fallback.consume(id);
  }

  async destroy(id: string): Promise<void> {
    const deleted = await this.gate.run((redis) => redis.del(this.key(id)), async () => 0);
    if (deleted === 0) await this.fallback.destroy(id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    // Both stores: the grant's artifacts may have been written to either.
    await Promise.all([
      this.gate.run(async (redis) => {
        const keys = await redis.lrange(`oidc:grant:${grantId}`, 0, -1);
        const own = keys.filter((k) => k.startsWith(`oidc:${this.type}:`));
        if (own.length) await redis.del(...own);
      }, async () => undefined),
      this.fallback.revokeByGrantId(grantId),
    ]);
  }

  private async read(redis: Redis, id: string): Promise<AdapterPayload | undefined> {
    const raw = await redis.get(this.key(id));
    return raw ? (JSON.parse(raw) as AdapterPayload) : undefined;
  }

  private async write(redis: Redis, id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const key = this.key(id);
    if (!payload.grantId && !payload.userCode && !payload.uid) {
      // Nothing to index (client-credentials tokens): one command, no transaction.
      await (expiresIn ? redis.set(key, JSON.stringify(payload), 'EX', expiresIn) : redis.set(key, JSON.stringify(payload)));
      return;
    }
    if (!payload.userCode && !payload.uid) {
      // An artifact of a grant (access tokens, codes): the hot case, one script.
      await WRITE_OF_GRANT.run(redis, [key, `oidc:grant:${payload.grantId}`], [JSON.stringify(payload), expiresIn ?? '', key]);
      return;
    }
    const multi = redis.multi();
    if (expiresIn) multi.set(key, JSON.stringify(payload), 'EX', expiresIn);
    else multi.set(key, JSON.stringify(payload));
    if (payload.grantId) {
      const grantKey = `oidc:grant:${payload.grantId}`;
      multi.rpush(grantKey, key);
      // The index lives as long as the longest artifact it lists. GT alone never sets a first
      // TTL (a key without one counts as infinite), so NX gives the new list its first one.
      if (expiresIn) {
        multi.expire(grantKey, expiresIn, 'NX');
        multi.expire(grantKey, expiresIn, 'GT');
      }
    }
    if (payload.userCode) multi.set(`oidc:userCode:${payload.userCode}`, id, 'EX', expiresIn ?? 600);
    if (payload.uid) multi.set(`oidc:uid:${payload.uid}`, id, 'EX', expiresIn ?? 3600);
    const results = await multi.exec();
    const failed = results?.find(([err]) => err)?.[0];
    if (failed) throw failed;
  }
}
