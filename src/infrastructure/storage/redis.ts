import { createHash } from 'node:crypto';
import { Redis, type Command } from 'ioredis';
import { startDeadline } from './deadline.js';
import { isStorageFault } from './storage-faults.js';

export interface RedisOptions {
  keyPrefix: string;
  /** Longest wait for an answer (REDIS_COMMAND_TIMEOUT_MS). */
  commandTimeoutMs: number;
}

/**
 * Redis for short-lived state, as an accelerator: no offline queue, no retries, a command
 * timeout. While Redis is away a command fails at once (or after the timeout when Redis hangs)
 * and the caller's PostgreSQL fallback answers instead; see `RedisGate`. ioredis reconnects by
 * itself, so Redis is used again as soon as it is back.
 */
export function connectRedis(url: string, options: RedisOptions): Redis {
  const RedisWithDeadlines = withPatientDeadlines(options.commandTimeoutMs);
  return new RedisWithDeadlines(url, {
    keyPrefix: options.keyPrefix,
    enableOfflineQueue: false,
    // No `commandTimeout`: ioredis would time commands on a plain timer (see withPatientDeadlines).
    connectTimeout: Math.max(options.commandTimeoutMs, 1_000),
    maxRetriesPerRequest: 0,
    // A command cut off by a dropped connection may or may not have run: it is not sent again
    // behind the caller's back; the caller has already fallen back.
    autoResendUnfulfilledCommands: false,
    lazyConnect: false,
    // Reconnect quickly at first, then every 2 s at most: a Redis that comes back is used again soon.
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
    // Commands issued in the same tick travel in one write: under load, many token requests
    // share a round trip.
    enableAutoPipelining: true,
  });
}

/**
 * ioredis with its command timeout kept by `startDeadline`: a command fails with ioredis's own
 * "Command timed out" only when Redis's answer has not arrived, never because this process was
 * too busy to read an answer that had (which would set a healthy Redis aside). Every command
 * passes through `sendCommand`, pipelined and transactional ones included, as with ioredis's
 * `commandTimeout`; a command is timed once, from when it is sent.
 */
function withPatientDeadlines(ms: number): typeof Redis {
  const timed = new WeakSet<Command>();
  return class RedisWithDeadlines extends Redis {
    override sendCommand(command: Command, stream?: Parameters<Redis['sendCommand']>[1]): unknown {
      const sent = super.sendCommand(command, stream);
      if (!command.isSettled && !timed.has(command)) {
        timed.add(command);
        const cancel = startDeadline(ms, () => {
          if (!command.isSettled) command.reject(new Error('Command timed out'));
        });
        command.promise.then(cancel, cancel);
      }
      return sent;
    }
  };
}

/** Resolves once the client is ready, or after `timeoutMs` (false): start-up never waits on Redis for long. */
export async function waitForRedis(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return true;
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    redis.once('ready', onReady);
  });
}

export interface RedisGateOptions {
  /** How often a Redis set aside is probed (one PING at a time, never a user's request). */
  probeEveryMs?: number;
  onChange?: (usable: boolean, reason?: string) => void;
}

/**
 * Decides, per call, whether Redis is worth asking. Redis that is disconnected is skipped at
 * once. Redis that fails or times out on a command is set aside: callers go straight to their
 * PostgreSQL fallback while a background PING probes it, and Redis is used again once a probe
 * answers. So a frozen Redis costs only the requests in flight when it froze one command
 * timeout each, and a Redis that comes back is used again without a restart.
 */
export class RedisGate {
  private setAside = false;
  private probing?: NodeJS.Timeout;
  private readonly probeEveryMs: number;

  constructor(
    readonly redis: Redis,
    private readonly options: RedisGateOptions = {},
  ) {
    this.probeEveryMs = options.probeEveryMs ?? 500;
  }

  /** Whether a call would go to Redis now. */
  get usable(): boolean {
    return !this.setAside && this.redis.status === 'ready';
  }

  /**
   * `work` against Redis when it is usable, otherwise (or when Redis fails it) `fallback`. A
   * Redis that does not answer is set aside; one that answers with an error (out of memory,
   * read-only after a failover, still loading) is only bypassed for this call. Errors of
   * `work` that are not Redis's (a bug) are thrown as they are.
   */
  async run<T>(work: (redis: Redis) => Promise<T>, fallback: () => Promise<T>): Promise<T> {
    if (!this.usable) return fallback();
    try {
      return await work(this.redis);
    } catch (err) {
      if (isStorageFault(err)) this.trip(err);
      else if ((err as { name?: unknown })?.name !== 'ReplyError') throw err;
      return fallback();
    }
  }

  /** Sets Redis aside after `err` (also for callers that use Redis through a library). */
  trip(err: unknown): void {
    if (this.setAside) return;
    this.setAside = true;
    this.options.onChange?.(false, err instanceof Error ? err.message : String(err));
    this.probe();
  }

  close(): void {
    if (this.probing) clearTimeout(this.probing);
    this.probing = undefined;
  }

  private probe(): void {
    this.probing = setTimeout(() => {
      this.probing = undefined;
      const answered = this.redis.status === 'ready' ? this.redis.ping().then(() => true, () => false) : Promise.resolve(false);
      void answered.then((ok) => {
        if (!this.setAside) return;
        if (ok) {
          this.setAside = false;
          this.options.onChange?.(true);
        } else if (this.redis.status !== 'end') {
          this.probe();
        }
      });
    }, this.probeEveryMs);
    this.probing.unref();
  }
}

/**
 * A Lua script sent by its SHA-1 digest (EVALSHA): Redis keeps the scripts it has run, so a call
 * carries the digest instead of the script. A Redis that does not know it (restarted, failed
 * over, SCRIPT FLUSH) answers NOSCRIPT, and that one call sends the script in full (EVAL), which
 * loads it again. A Redis user whose ACL allows EVAL but not EVALSHA (as earlier versions of
 * the operations guide listed) answers NOPERM: from then on this script is always sent in full.
 * ioredis prefixes the keys (`keys`), never the arguments.
 */
export class RedisScript {
  private readonly sha: string;
  private byDigest = true;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    if (this.byDigest) {
      try {
        return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
      } catch (err) {
        const message = err instanceof Error ? err.message : '';
        if (/^NOPERM.*evalsha/i.test(message)) this.byDigest = false;
        else if (!message.startsWith('NOSCRIPT')) throw err;
      }
    }
    return redis.eval(this.source, keys.length, ...keys, ...args);
  }
}
