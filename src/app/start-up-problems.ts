import type { GatehouseConfig } from '../infrastructure/config/config.js';

/**
 * The start-up failures a person can fix, each as one line that says what happened and what
 * to do. Undefined: not one of them (the full error is logged instead).
 */
export function explainStartUpFailure(err: unknown, config: Pick<GatehouseConfig, 'port' | 'databaseUrl' | 'redisUrl' | 'dataDir'>): string | undefined {
  const e = err as { code?: string; message?: string; syscall?: string; address?: string; port?: number } | undefined;
  const message = e?.message ?? '';
  // Said in full where it was found (the metrics server names its variable).
  if (/^METRICS_PORT: /.test(message)) return message;
  if (e?.code === 'EADDRINUSE') return `port ${config.port} is already in use; stop the program using it, or start Gatehouse on another port (PORT=${config.port + 1} npm start)`;
  if (e?.code === 'ELOCKED') return `the embedded database in ${config.dataDir} is used by another running Gatehouse; stop that one, or give this one its own DATA_DIR (or a DATABASE_URL)`;
  const database = config.databaseUrl ? describe(config.databaseUrl) : undefined;
  if (database) {
    if (e?.code === '3D000') return `the database "${database.name}" does not exist on ${database.host}; create it (createdb -h ${database.hostname} -p ${database.port} -U ${database.user} ${database.name}) or point DATABASE_URL at an existing one`;
    if (e?.code === '28P01' || e?.code === '28000') return `PostgreSQL at ${database.host} refused the login of "${database.user}"; check the user and password in DATABASE_URL`;
    if (refusedOrUnknown(e) && sameEndpoint(e, database)) return `cannot reach PostgreSQL at ${database.host} (${e!.code}); start it, or check DATABASE_URL`;
  }
  const redis = config.redisUrl ? describe(config.redisUrl) : undefined;
  if (redis && (refusedOrUnknown(e) || /redis/i.test(message)) && (sameEndpoint(e, redis) || /redis/i.test(message))) {
    return `cannot reach Redis at ${redis.host}; start it, or leave REDIS_URL unset to keep short-lived state in PostgreSQL`;
  }
  return undefined;
}

function refusedOrUnknown(e: { code?: string } | undefined): boolean {
  return ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH'].includes(e?.code ?? '');
}

function sameEndpoint(e: { port?: number; address?: string; message?: string } | undefined, endpoint: { port: string; hostname: string }): boolean {
  return String(e?.port ?? '') === endpoint.port || (e?.message ?? '').includes(`:${endpoint.port}`) || (e?.message ?? '').includes(endpoint.hostname);
}

function describe(url: string): { host: string; hostname: string; port: string; name: string; user: string } | undefined {
  try {
    const parsed = new URL(url);
    const port = parsed.port || (parsed.protocol.startsWith('redis') ? '6379' : '5432');
    return { host: `${parsed.hostname}:${port}`, hostname: parsed.hostname, port, name: decodeURIComponent(parsed.pathname.slice(1)) || 'postgres', user: decodeURIComponent(parsed.username) || 'postgres' };
  } catch {
    return undefined;
  }
}
