import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { exitOf, spawnTracked } from './processes.js';

const START_TIMEOUT_MS = 60_000;
// Enough of the process's own log to explain a failure.
const OUTPUT_TAIL_CHARS = 16_000;

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** When it exited (epoch ms). */
  at: number;
}

/**
 * The arguments of `node` that start Gatehouse as `npm start` does: its Node flags (the young
 * generation's size, the thread-pool preload), then the entry point, each file taken from here
 * (built, or the sources through source-runner/ when this runs as TypeScript, as in the tests).
 */
export function gatehouseArguments(): string[] {
  const fromSources = import.meta.url.endsWith('.ts');
  const source = (file: string) => fileURLToPath(new URL(`../../src/${file}.${fromSources ? 'ts' : 'js'}`, import.meta.url));
  const start = npmStartArguments(fromSources).map((arg) => arg.replace(/^(\.\/)?dist\/src\/(.+)\.js$/, (_, _dot, file: string) => source(file)));
  return fromSources ? ['--import', fileURLToPath(new URL('./source-runner/register.mjs', import.meta.url)), ...start] : start;
}

/**
 * Gatehouse as operators run it: `src/main.ts` in a process of its own, configured from exactly
 * the given environment, stopped by a real signal. Built (`dist/`), it runs the compiled entry
 * point; from the sources (the tests), it runs the TypeScript through source-runner/.
 */
export class GatehouseProcess {
  private output = '';
  readonly exited: Promise<ProcessExit>;

  private constructor(
    readonly label: string,
    readonly origin: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = exitOf(child).then(({ code, signal }) => ({ code, signal, at: Date.now() }));
  }

  static async start(label: string, env: Record<string, string>): Promise<GatehouseProcess> {
    const args = gatehouseArguments();
    if (!env.PORT || env.PORT === '0') throw new Error('give the process a PORT of its own (freePort())');
    const child = spawnTracked(process.execPath, args, {
      // Only what it is given (and where to find programs): the caller decides every setting.
      // METRICS_PORT 0: a free port of its own, so replicas on one machine never collide.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LOG_LEVEL: 'info', METRICS_PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const handle = new GatehouseProcess(label, `http://127.0.0.1:${env.PORT}`, child);
    const keep = (chunk: Buffer) => {
      handle.output = (handle.output + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    try {
      await handle.listening();
    } catch (err) {
      child.kill('SIGKILL');
      throw new Error(`${label} did not start: ${(err as Error).message}\n--- its output ---\n${handle.output}`);
    }
    return handle;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The tail of what it logged. */
  get log(): string {
    return this.output;
  }

  /** What a deploy or `kubectl delete pod` sends. */
  sigterm(): void {
    this.child.kill('SIGTERM');
  }

  /** Stops it (SIGTERM), killing it if it has not exited after `graceMs`. */
  async stop(graceMs = 30_000): Promise<ProcessExit> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      const exit = await this.exited;
      clearTimeout(timer);
      return exit;
    }
    return this.exited;
  }

  private listening(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not listening after ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      const onData = () => {
        if (!this.output.includes('"msg":"gatehouse listening"')) return;
        clearTimeout(timer);
        this.child.stdout!.off('data', onData);
        resolve();
      };
      this.child.stdout!.on('data', onData);
      void this.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`exited (${signal ?? code}) before listening`));
      });
    });
  }
}

/** The arguments `npm start` gives `node` (package.json's start script, which the Dockerfile's CMD repeats). */
function npmStartArguments(fromSources: boolean): string[] {
  const manifest = fileURLToPath(new URL(fromSources ? '../../package.json' : '../../../package.json', import.meta.url));
  const [command, ...args] = (JSON.parse(readFileSync(manifest, 'utf8')) as { scripts: { start: string } }).scripts.start.split(/\s+/);
  if (command !== 'node') throw new Error(`package.json's start script no longer runs node directly: ${command}`);
  return args;
}
