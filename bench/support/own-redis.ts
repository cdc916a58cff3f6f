import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { exitOf, signalAll, spawnTracked, waitUntil } from './processes.js';
import { freePort } from './free-port.js';

/**
 * A Redis server of its own on a free loopback port, in memory only, that a test or the drill
 * may stop, start and freeze without touching anyone else's.
 */
export class OwnRedis {
  private child?: ChildProcess;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<OwnRedis> {
    const server = new OwnRedis(await freePort(), mkdtempSync(path.join(tmpdir(), 'gatehouse-redis-')));
    await server.startServer();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server (again, empty: like a Redis restarted without persistence). */
  async startServer(): Promise<void> {
    this.child = spawnTracked('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir], { stdio: 'ignore' });
    await waitUntil(() => this.answers(), 15_000, 'Redis answering');
  }

  /** Stops the server: connections are cut, new ones refused, its data is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    signalAll([child.pid!], 'SIGCONT');
    child.kill('SIGKILL');
    await exitOf(child);
  }

  /** Freezes the server (SIGSTOP): connections stay open, nothing answers. */
  freeze(): void {
    if (this.child?.pid) signalAll([this.child.pid], 'SIGSTOP');
  }

  thaw(): void {
    if (this.child?.pid) signalAll([this.child.pid], 'SIGCONT');
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** How many keys it holds under `prefix`. */
  async keyCount(prefix: string): Promise<number> {
    const redis = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1_000 });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      return (await redis.keys(`${prefix}*`)).length;
    } finally {
      redis.disconnect();
    }
  }

  private async answers(): Promise<boolean> {
    const redis = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 500, retryStrategy: () => null });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      return (await redis.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      redis.disconnect();
    }
  }
}
