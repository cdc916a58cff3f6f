import type { Redis } from 'ioredis';
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import { alreadyUsedDetail } from '../token-refusals.js';

/**
 * Marks an artifact consumed only if it exists and is not consumed yet; returns 1 when this call
 * consumed it. One script, so two requests racing with one code cannot both win.
 */
const CONSUME_ONCE = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local payload = cjson.decode(raw)
if payload.consumed then return 0 end
payload.consumed = tonumber(ARGV[1])
redis.call('SET', KEYS[1], cjson.encode(payload), 'KEEPTTL')
return 1
`;

/**
 * oidc-provider artifacts of one short-lived model in Redis. Keys per grant, user code and uid
 * are kept beside the payload so revocation and look-ups need no scan.
 */
export class RedisArtifactAdapter implements Adapter {
  constructor(
    private readonly type: string,
    private readonly redis: Redis,
  ) {}

  private key(id: string): string {
    return `oidc:${this.type}:${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const key = this.key(id);
    if (!payload.grantId && !payload.userCode && !payload.uid) {
      // Nothing to index (client-credentials tokens): one command, no transaction.
      await (expiresIn ? this.redis.set(key, JSON.stringify(payload), 'EX', expiresIn) : this.redis.set(key, JSON.stringify(payload)));
      return;
    }
    const multi = this.redis.multi();
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
    await multi.exec();
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const raw = await this.redis.get(this.key(id));
    return raw ? (JSON.parse(raw) as AdapterPayload) : undefined;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const id = await this.redis.get(`oidc:uid:${uid}`);
    return id ? this.find(id) : undefined;
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const id = await this.redis.get(`oidc:userCode:${userCode}`);
    return id ? this.find(id) : undefined;
  }

  async consume(id: string): Promise<void> {
    const consumed = await this.redis.eval(CONSUME_ONCE, 1, this.key(id), Math.floor(Date.now() / 1000));
    if (consumed !== 1) throw new errors.InvalidGrant(alreadyUsedDetail(this.type));
  }

  async destroy(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    const grantKey = `oidc:grant:${grantId}`;
    const keys = await this.redis.lrange(grantKey, 0, -1);
    const own = keys.filter((k) => k.startsWith(`oidc:${this.type}:`));
    if (own.length) await this.redis.del(...own);
  }
}
