import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { discoverClient, signInWithCode } from '../helpers/relying-party.js';
import { startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

/**
 * docs/first-ten-minutes.md, run as written: Gatehouse started with the settings of the doc's
 * `npm start` line, the browser step done as a browser would, then every other `sh` block of
 * the doc run in one bash, in order, as a reader's terminal would, against this server
 * (`GATEHOUSE`, which the doc defaults to http://localhost:3000).
 */
const DOC = 'docs/first-ten-minutes.md';
const blocks = [...readFileSync(DOC, 'utf8').matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
const startBlock = blocks.find((block) => /\bnpm start\b/.test(block));
const commands = blocks.filter((block) => block !== startBlock);

/** The `NAME=value` assignments in front of `npm start`. */
function startSettings(block: string): Record<string, string> {
  const line = block.split('\n').find((l) => /\bnpm start\b/.test(l))!;
  const before = line.slice(0, line.indexOf('npm start')).trim();
  return Object.fromEntries(before.split(/\s+/).filter(Boolean).map((pair) => {
    const [name, ...value] = pair.split('=');
    return [name!, value.join('=')];
  }));
}

describe(DOC, () => {
  let server: TestGatehouse;
  let output = '';

  beforeAll(async () => {
    if (!startBlock) throw new Error(`${DOC} has no npm start block`);
    // The doc's walk is on the embedded default, as `npm start` runs it on a new machine.
    server = await startTestGatehouse('embedded', { env: startSettings(startBlock), emptyDataDir: true });
    // Step 2 happens in a browser: Alice signs in to the demo web app, which keeps a refresh token.
    const web = await discoverClient(server.issuer, DEMO.web.clientId, DEMO.web.secret);
    await signInWithCode(web, { username: 'alice', password: DEMO.password, redirectUri: `${server.issuer}${DEMO.callbackPath}`, scope: 'openid profile email offline_access' });
    const script = ['set -euo pipefail', ...commands].join('\n');
    const run = await promisify(execFile)('bash', ['-c', script], { env: { ...process.env, GATEHOUSE: server.issuer }, timeout: 30_000 }).catch((err: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`the walk's commands failed: ${err.message}\nstdout:\n${err.stdout}\nstderr:\n${err.stderr}`);
    });
    output = run.stdout;
    if (process.env.SHOW_WALK) console.log(output);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('starts Gatehouse with a bootstrap operator', () => {
    expect(startSettings(startBlock!)).toEqual({ BOOTSTRAP_OPERATOR_CLIENT_ID: expect.any(String), BOOTSTRAP_OPERATOR_CLIENT_SECRET: expect.any(String) });
  });

  it('finds the issuer and gets an operator token', () => {
    expect(output).toContain(`${server.issuer}\n`);
    expect(output).toContain('got an operator token');
  });

  it("lists the demo users, and setting Alice's password cuts off the demo app she signed in to", () => {
    expect(output).toContain('"username": "alice"');
    expect(output).toMatch(/"client_id": "demo-web",[\s\S]*?"refresh_tokens_revoked": 1/);
    expect(output).toMatch(/Alice now signs in with copper-kettle-\d+/);
  });

  it('reads the diagnosis and the events', () => {
    expect(output).toContain('"can_sign_in": true');
    expect(output).toContain("password changed by operator client operator at");
    expect(output).toMatch(/"type": "[a-z_.]*password[a-z_.]*"/);
  });
});
