import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RunningProcess } from '../helpers/child-process.js';
import { confirmDevice } from '../helpers/relying-party.js';
import { PERSON, ThirdPartyHarness } from '../helpers/third-party.js';

const available = ['oidc-agent', 'oidc-gen', 'oidc-token'].every((tool) => existsSync(`/usr/bin/${tool}`));
if (!available && process.env.CI) throw new Error('oidc-agent must be installed (Debian package oidc-agent-cli; .ci/run installs it)');

/**
 * oidc-agent (Debian's oidc-agent-cli), the command-line token agent of research computing, as
 * a downloader client: the device flow, configured as its documentation shows for a
 * pre-registered public client (`oidc-gen --flow=device --client-id=… --client-secret=`), run
 * without a terminal (`--prompt=none`, the encryption password from the environment). It
 * authenticates with HTTP Basic and an empty secret, which Gatehouse takes for the public
 * client it is. `oidc-token -f` refreshes; `oidc-gen -d` deletes the account and revokes its
 * refresh token, the tool's sign-out.
 */
(available ? describe : describe.skip)('oidc-agent (device flow) as a relying party', () => {
  const gatehouse = new ThirdPartyHarness();
  let home: string;
  let agent: RunningProcess;
  let env: Record<string, string>;

  beforeAll(async () => {
    await gatehouse.start();
    home = mkdtempSync(path.join(tmpdir(), 'gatehouse-oidc-agent-'));
    const socket = path.join(home, 'agent.sock');
    agent = RunningProcess.start('oidc-agent', '/usr/bin/oidc-agent', ['--console', `--socket-path=${socket}`, '--no-autoload'], { env: { HOME: home, TMPDIR: home } });
    for (const until = Date.now() + 10_000; !existsSync(socket); ) {
      if (Date.now() > until) throw new Error(`oidc-agent made no socket:\n${agent.output.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    env = { HOME: home, TMPDIR: home, OIDC_SOCK: socket, OIDC_ENCRYPTION_PW: 'agent-store-password-1' };
  });

  afterAll(async () => {
    await agent?.stop();
    await gatehouse.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  const run = async (tool: string, args: string[]) => {
    const process = RunningProcess.start(tool, `/usr/bin/${tool}`, args, { env });
    const code = await process.exitCode(30_000);
    return { code, output: process.output.join('\n') };
  };

  const userinfo = (accessToken: string) => fetch(`${gatehouse.issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } });

  it('gets tokens with the device flow, refreshes them, and revokes them when the account is deleted', async () => {
    const client = await gatehouse.register({ kind: 'downloader', name: 'oidc-agent' });
    const generate = RunningProcess.start('oidc-gen', '/usr/bin/oidc-gen', [
      'clinic',
      `--iss=${gatehouse.issuer}`,
      `--client-id=${client.client_id}`,
      '--client-secret=',
      '--flow=device',
      '--scope=openid profile offline_access',
      '--pw-env',
      '--no-url-call',
      '--prompt=none',
      '--confirm-default',
    ], { env });
    try {
      const verificationUri = (await generate.nextLine(/^https?:\/\/\S+\/device$/)).trim();
      const userCode = /enter the code: (\S+)/.exec(await generate.nextLine(/enter the code:/))![1]!;
      await confirmDevice({ verification_uri: verificationUri, user_code: userCode } as never, { username: PERSON.username, password: PERSON.password });
      expect(await generate.exitCode(30_000)).toBe(0);
    } finally {
      await generate.stop();
    }

    const first = await run('oidc-token', ['clinic']);
    expect(first.code).toBe(0);
    const accessToken = first.output.trim();
    const me = await userinfo(accessToken);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ sub: gatehouse.userId, preferred_username: PERSON.username });

    const forced = await run('oidc-token', ['--force-new', 'clinic']);
    expect(forced.code).toBe(0);
    expect(forced.output.trim()).not.toBe(accessToken);
    expect((await userinfo(forced.output.trim())).status).toBe(200);

    const sessions = () => gatehouse.admin('GET', `/tenants/demo/users/${gatehouse.userId}/sessions`);
    expect(JSON.stringify((await sessions()).body)).toContain(client.client_id);
    const deleted = await run('oidc-gen', ['--delete', 'clinic', '--pw-env', '--prompt=none', '--confirm-yes']);
    expect(deleted.code).toBe(0);
    // The refresh token was revoked at the revocation endpoint (again HTTP Basic, empty secret).
    expect(JSON.stringify((await sessions()).body)).not.toContain(client.client_id);
  });
});
