import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GatehouseProcess } from '../../bench/support/gatehouse-process.js';
import { sleep } from '../../bench/support/processes.js';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { freePort } from '../helpers/test-gatehouse.js';
import { seedEmbeddedCluster } from '../helpers/embedded-data-dir.js';

const INJECT = fileURLToPath(new URL('../helpers/inject-unhandled-rejection.mjs', import.meta.url));

/**
 * A promise that fails with nobody to handle it is a bug (one of pg-boss's did this when the
 * database went away as a job finished). Node's default would end the process on the spot and
 * cut the requests under way; Gatehouse logs it and drains as on SIGTERM instead: the request in
 * flight is answered, then the process exits with 1 for its supervisor to replace it.
 */
describe('a failure nothing handled (a bug) in a running process', () => {
  let dataDir: string;
  let child: GatehouseProcess;
  let marker: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-unhandled-'));
    marker = path.join(dataDir, 'fail-now');
    await seedEmbeddedCluster(dataDir);
    const port = await freePort();
    child = await GatehouseProcess.start('gatehouse', {
      PORT: String(port),
      DATA_DIR: dataDir,
      SEED_DEMO: '1',
      BCRYPT_COST: '4',
      SHUTDOWN_TIMEOUT_MS: '10000',
      NODE_OPTIONS: `--import=${INJECT}`,
      INJECT_REJECTION_WHEN: marker,
    });
  }, 120_000);
  afterAll(async () => {
    await child?.stop(5_000);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers the request under way, logs the failure as JSON and exits with 1', async () => {
    // A client-credentials request whose body is half sent when the failure happens.
    const body = `grant_type=client_credentials&client_id=${DEMO.integration.clientId}&client_secret=${encodeURIComponent(DEMO.integration.secret)}`;
    const socket = connect(Number(new URL(child.origin).port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write(`POST /token HTTP/1.1\r\nHost: ${new URL(child.origin).host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body.slice(0, 20)}`);
    await sleep(300);

    writeFileSync(marker, '');
    const started = Date.now();
    while (!child.log.includes('nothing handled it') && Date.now() - started < 10_000) await sleep(20);
    expect(child.log).toContain("nothing handled it");

    // The request goes on to its answer while the process drains. (The rest of the body without
    // a FIN: a client that half-closes before its answer has abandoned the request for Node.)
    socket.write(body.slice(20));
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toContain('"access_token"');

    const exit = await child.exited;
    expect(exit).toMatchObject({ code: 1, signal: null });
    const fatal = child.log
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message?: string } })
      .find((line) => line.msg.includes('nothing handled it'));
    expect(fatal).toMatchObject({ level: 60, err: { message: 'an injected bug' } });
  }, 60_000);
});
