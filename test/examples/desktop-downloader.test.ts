import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as oidc from 'openid-client';
import { OPERATOR_ENV, adminCall, operatorToken } from '../helpers/admin-api.js';
import { confirmDevice } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';
import { exampleResult, runExample } from './example-app.js';

/**
 * examples/desktop-downloader/downloader.mjs against a running Gatehouse with the demo's
 * downloader client: the person's part of the device grant is done at /device as a browser would.
 */
describe('the desktop downloader example', () => {
  let server: TestGatehouse;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage(), { env: OPERATOR_ENV });
    dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-downloader-'));
    env = { GATEHOUSE: server.issuer, CLIENT_ID: 'demo-downloader', TOKEN_FILE: path.join(dir, 'tokens.json') };
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs in with a device code, syncs, and stops with the reason when an administrator signs the person out', async () => {
    const tool = runExample('desktop-downloader/downloader.mjs', ['sign-in'], env);
    const [, verificationUri, userCode] = /^Go to (\S+) and enter the code (\S+)$/.exec(await tool.nextLine(/^Go to /))!;
    await confirmDevice({ verification_uri: verificationUri!, user_code: userCode! } as oidc.DeviceAuthorizationResponse, { username: 'alice', password: 'gatehouse-demo' });
    expect(await tool.exitCode()).toBe(0);
    expect(tool.output.join('\n')).toContain('Signed in as alice');

    expect(await exampleResult('desktop-downloader/downloader.mjs', ['sync'], env)).toEqual({ code: 0, output: 'Synced for alice' });

    const operator = await operatorToken(server.issuer);
    const users = await adminCall(server.issuer, operator, 'GET', '/tenants/demo/users?q=alice');
    expect((await adminCall(server.issuer, operator, 'POST', `/tenants/demo/users/${users.body.items[0].id}/sign-out`)).status).toBe(200);

    const refused = await exampleResult('desktop-downloader/downloader.mjs', ['sync'], env);
    expect(refused).toEqual({ code: 2, output: 'Signed out: an administrator signed this user out; sign in again' });
  });
});
