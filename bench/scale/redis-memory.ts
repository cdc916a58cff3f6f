import { Redis } from 'ioredis';

export interface ModelMemory {
  model: string;
  keys: number;
  /** MEMORY USAGE of one key of the model, on average over a sample (bytes). */
  bytesPerKey: number;
  sampleKey: string;
}

const SAMPLE = 200;

/**
 * What Gatehouse keeps in Redis under one key prefix, per kind of key (`oidc:AccessToken:…`,
 * `oidc:grant:…` the per-grant index, …): how many keys and their MEMORY USAGE, averaged over a
 * sample. Exact for this prefix, whatever else shares the server.
 */
export async function redisMemoryByModel(redisUrl: string, prefix: string): Promise<ModelMemory[]> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const byModel = new Map<string, string[]>();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
      for (const key of keys) {
        const parts = key.slice(prefix.length).split(':');
        const model = parts[0] === 'oidc' ? `oidc:${parts[1]}` : parts[0]!;
        const list = byModel.get(model) ?? [];
        list.push(key);
        byModel.set(model, list);
      }
      cursor = next;
    } while (cursor !== '0');
    const out: ModelMemory[] = [];
    for (const [model, keys] of byModel) {
      const sample = keys.slice(0, SAMPLE);
      const pipeline = redis.pipeline();
      for (const key of sample) pipeline.memory('USAGE', key);
      const sizes = ((await pipeline.exec()) ?? []).map(([, value]) => Number(value ?? 0));
      out.push({ model, keys: keys.length, bytesPerKey: sizes.reduce((a, b) => a + b, 0) / Math.max(1, sizes.length), sampleKey: sample[0]!.slice(prefix.length) });
    }
    return out.sort((a, b) => b.keys * b.bytesPerKey - a.keys * a.bytesPerKey);
  } finally {
    redis.disconnect();
  }
}

/** INFO memory used_memory of the whole server (bytes): every client's keys, not only ours. */
export async function redisUsedMemory(redisUrl: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? Number.NaN);
  } finally {
    redis.disconnect();
  }
}
