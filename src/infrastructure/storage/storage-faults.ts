/**
 * Which errors mean "a database or Redis is not answering right now" rather than "this request is
 * wrong" or "the code is wrong". Such a fault is worth a `503` with `Retry-After` (the client
 * should simply try again in a moment), never a `500` that reads like a bug, and a refresh that
 * failed this way must leave the presented token usable (nothing was written).
 */

/** How long a client is asked to wait before trying again after a storage fault. */
export const RETRY_AFTER_SECONDS = 2;

/** A statement that got no answer in time on a server that stopped answering altogether. */
export class StorageTimeoutError extends Error {
  readonly storageFault = true;

  constructor(what: string, ms: number) {
    super(`${what} did not answer within ${ms} ms`);
    this.name = 'StorageTimeoutError';
  }
}

// SQLSTATE classes of PostgreSQL that mean the server (not the statement) is the problem:
// 08 connection exception, 53 insufficient resources, 57 operator intervention (57014 is a
// statement cancelled by statement_timeout), 58 system error; and 55P03 lock_not_available.
const POSTGRES_CLASSES = ['08', '53', '57', '58'];
const POSTGRES_CODES = new Set(['55P03', '40001', '40P01']);

// Socket-level failures of any client.
const SYSTEM_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTCONN', 'EAI_AGAIN']);

// Drivers that report a lost connection by message only (node-postgres, knex's pool, ioredis).
const FAULT_MESSAGES = [
  /^Connection terminated/,
  /^Client has encountered a connection error/,
  /^Client was closed and is not queryable/,
  /^Knex: Timeout acquiring a connection/,
  /^Timeout acquiring a connection/,
  /Connection is closed/,
  /Stream isn't writeable/,
  /^Command timed out/,
  /max retries per request/i,
  /^Redis is already connecting/,
  /enableOfflineQueue/,
];

export function isStorageFault(err: unknown): boolean {
  for (let cause = err, depth = 0; cause && typeof cause === 'object' && depth < 5; cause = (cause as { cause?: unknown }).cause, depth++) {
    const e = cause as { storageFault?: unknown; name?: unknown; code?: unknown; message?: unknown };
    if (e.storageFault === true) return true;
    if (e.name === 'KnexTimeoutError' || e.name === 'MaxRetriesPerRequestError') return true;
    if (typeof e.code === 'string') {
      if (SYSTEM_CODES.has(e.code)) return true;
      if (/^[0-9A-Z]{5}$/.test(e.code) && (POSTGRES_CLASSES.includes(e.code.slice(0, 2)) || POSTGRES_CODES.has(e.code))) return true;
    }
    if (typeof e.message === 'string' && FAULT_MESSAGES.some((pattern) => pattern.test(e.message as string))) return true;
  }
  return false;
}
