import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { childrenOf, runAs, signalAll, waitUntil } from './processes.js';
import { freePort } from './free-port.js';

/**
 * PostgreSQL's server programs: POSTGRES_BIN, or the newest Debian-style installation
 * (/usr/lib/postgresql/<version>/bin); undefined when there is none.
 */
export function postgresBin(): string | undefined {
  if (process.env.POSTGRES_BIN) return process.env.POSTGRES_BIN;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => /^\d+$/.test(v) && existsSync(`${root}/${v}/bin/initdb`)).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? `${root}/${versions[0]}/bin` : undefined;
}

const BIN = postgresBin() ?? '/usr/lib/postgresql/15/bin';
const OS_USER = 'postgres';

/**
 * A PostgreSQL server of its own, in a temporary directory on a free loopback port, that a test
 * or the drill may stop, start and freeze without touching anyone else's. A stop is a crash
 * (immediate shutdown): committed work survives it, as on a real server; only fsync is off
 * (nothing here must survive the machine crashing), to keep it quick.
 */
export class OwnPostgres {
  private frozen: number[] = [];

  private constructor(
    private readonly dir: string,
    readonly port: number,
  ) {}

  /** Servers not yet destroyed: stopped when this process exits, however it exits. */
  private static readonly running = new Set<OwnPostgres>();

  static async start(): Promise<OwnPostgres> {
    const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-pg-'));
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      const { uid, gid } = await osUser(OS_USER);
      chownSync(dir, uid, gid);
    }
    const server = new OwnPostgres(dir, await freePort());
    if (OwnPostgres.running.size === 0) process.once('exit', () => OwnPostgres.running.forEach((left) => left.kill()));
    OwnPostgres.running.add(server);
    try {
      await runAs(OS_USER, `${BIN}/initdb`, ['-D', server.dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'], { timeoutMs: 120_000 });
      await server.startServer();
    } catch (err) {
      await server.destroy();
      throw err;
    }
    return server;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  /** The server's main process (its postmaster). */
  private get pid(): number {
    return Number(readFileSync(path.join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  }

  /** Starts the server again after `stop()`. */
  async startServer(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200`;
    await runAs(OS_USER, `${BIN}/pg_ctl`, ['-D', this.dataDir, '-o', options, '-l', path.join(this.dir, 'server.log'), '-w', '-t', '60', 'start'], { timeoutMs: 90_000 });
    await waitUntil(() => this.answers(), 30_000, 'PostgreSQL answering');
  }

  /** Stops the server (connections are cut, new ones refused) until `startServer()`. */
  async stop(): Promise<void> {
    this.thaw();
    await runAs(OS_USER, `${BIN}/pg_ctl`, ['-D', this.dataDir, '-m', 'immediate', '-w', '-t', '60', 'stop'], { timeoutMs: 90_000 });
  }

  /**
   * Freezes every process of the server (SIGSTOP): connections stay open, nothing answers, a
   * statement sent waits forever; what a hung disk or a stalled VM looks like from outside.
   */
  freeze(): void {
    const main = this.pid;
    // The postmaster first, so it forks no new backend while the others are stopped.
    signalAll([main], 'SIGSTOP');
    this.frozen = [main, ...childrenOf(main)];
    signalAll(this.frozen, 'SIGSTOP');
  }

  thaw(): void {
    signalAll(this.frozen, 'SIGCONT');
    this.frozen = [];
  }

  /** Creates a database on this server; returns its URL. */
  async createDatabase(name: string): Promise<string> {
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
    const url = new URL(this.url);
    url.pathname = `/${name}`;
    return url.toString();
  }

  /** Stops the server however it is (frozen included) and removes its files. */
  async destroy(): Promise<void> {
    OwnPostgres.running.delete(this);
    this.thaw();
    try {
      await runAs(OS_USER, `${BIN}/pg_ctl`, ['-D', this.dataDir, '-m', 'immediate', '-w', '-t', '30', 'stop'], { timeoutMs: 40_000 });
    } catch {
      // Not running (never started, or stopped already).
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** On exit, synchronously: thaws it and asks for an immediate shutdown (SIGQUIT), then removes its files. */
  private kill(): void {
    try {
      const main = this.pid;
      signalAll([main, ...childrenOf(main)], 'SIGCONT');
      signalAll([main], 'SIGQUIT');
    } catch {
      // Not running.
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async answers(): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 1_000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

async function osUser(name: string): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([runAs(undefined, 'id', ['-u', name]), runAs(undefined, 'id', ['-g', name])]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}
