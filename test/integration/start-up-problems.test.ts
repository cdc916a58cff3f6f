import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gatehouseArguments } from '../../bench/support/gatehouse-process.js';
import { freePort } from '../helpers/test-gatehouse.js';
import { seedEmbeddedCluster } from '../helpers/embedded-data-dir.js';

/**
 * A newcomer's start-up failures, from real processes running what `npm start` runs (its Node
 * flags and entry point, from the sources: `npm start` as written has its own test in
 * test/docs/first-ten-minutes.test.ts).
 */

/*
 * How long a start may take before it counts as hung: on the embedded database a first start
 * creates the database and migrates it, which took over a minute on a two-core machine busy
 * with the rest of the suite. Just under jest's 120 s per test.
 */
const START_TIMEOUT_MS = 110_000;

function start(env: Record<string, string>, timeoutMs = START_TIMEOUT_MS): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, gatehouseArguments(), { env: { PATH: process.env.PATH!, LOG_LEVEL: 'silent', BCRYPT_COST: '4', METRICS_PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

const lines = (text: string) => text.split('\n').filter((line) => line.trim() && !line.includes('running on Node.js'));

describe('start-up failures say what to do in one line', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-start-'));
  beforeAll(() => seedEmbeddedCluster(dataDir));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('names a port in use', async () => {
    const blocker = createServer().listen(0, '0.0.0.0');
    await new Promise((r) => blocker.once('listening', r));
    const port = (blocker.address() as { port: number }).port;
    const result = await start({ PORT: String(port), DATA_DIR: dataDir });
    blocker.close();
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual([`gatehouse: cannot start: port ${port} is already in use; stop the program using it, or start Gatehouse on another port (PORT=${port + 1} npm start)`]);
  });

  it('names a missing database and the command that creates it', async () => {
    if (!process.env.TEST_DATABASE_URL) return;
    const url = new URL(process.env.TEST_DATABASE_URL);
    url.pathname = '/gatehouse_missing_for_this_test';
    const result = await start({ PORT: String(await freePort()), DATABASE_URL: url.toString() });
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^gatehouse: cannot start: the database "gatehouse_missing_for_this_test" does not exist on .*; create it \(createdb -h \S+ -p \d+ -U postgres gatehouse_missing_for_this_test\)/)]);
  });

  it('names an unreachable database', async () => {
    const port = await freePort();
    const result = await start({ PORT: String(await freePort()), DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/gatehouse` });
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual([`gatehouse: cannot start: cannot reach PostgreSQL at 127.0.0.1:${port} (ECONNREFUSED); start it, or check DATABASE_URL`]);
  });

  it('refuses a second process on the same embedded data directory', async () => {
    const first = spawn(process.execPath, gatehouseArguments(), { env: { PATH: process.env.PATH!, LOG_LEVEL: 'info', BCRYPT_COST: '4', METRICS_PORT: '0', PORT: String(await freePort()), DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('first process did not start')), START_TIMEOUT_MS);
        first.stdout.on('data', (d: Buffer) => {
          if (d.toString().includes('gatehouse listening')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const second = await start({ PORT: String(await freePort()), DATA_DIR: dataDir });
      expect(second.code).toBe(1);
      expect(lines(second.stderr)).toEqual([`gatehouse: cannot start: the embedded database in ${dataDir} is used by another running Gatehouse; stop that one, or give this one its own DATA_DIR (or a DATABASE_URL)`]);
    } finally {
      first.kill('SIGTERM');
      await new Promise((r) => first.once('exit', r));
    }
  });
});
