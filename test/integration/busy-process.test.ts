import { readFile } from 'node:fs/promises';
import * as oidc from 'openid-client';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { adminCall, OPERATOR_ENV, operatorToken } from '../helpers/admin-api.js';
import { discoverClient, signInWithCode } from '../helpers/relying-party.js';
import { startTestGatehouse, storageKinds, type TestGatehouse } from '../helpers/test-gatehouse.js';

// Long enough that a loaded test machine's storage answers well within them.
const REDIS_COMMAND_TIMEOUT_MS = 1_000;
const DATABASE_STATEMENT_TIMEOUT_MS = 1_000;
// Past both waits, counting the half-second margin PostgreSQL's silence deadline adds.
const BUSY_MS = 2_000;

/**
 * Stalls this process (Gatehouse runs in it) for BUSY_MS, `times` times, inside I/O callbacks,
 * where a burst of requests keeps a real server. Storage answers arrive meanwhile and wait in
 * their sockets, unread.
 */
async function stall(times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    await new Promise((resolve) => setTimeout(resolve, 30));
    await readFile('/dev/null');
    const until = Date.now() + BUSY_MS;
    while (Date.now() < until);
  }
}

/**
 * A Gatehouse process too busy to read its storage's answers for a while is not a storage
 * outage. Redis and PostgreSQL answer at once here, while the process is stalled past both
 * timeouts: Redis must not be set aside (access tokens kept there would go unfound: 401s to
 * valid tokens), and no PostgreSQL connection dropped (503s).
 */
(storageKinds().includes('postgres+redis') ? describe : describe.skip)('a busy Gatehouse process', () => {
  let server: TestGatehouse;
  const warnings: string[] = [];

  beforeAll(async () => {
    server = await startTestGatehouse('postgres+redis', {
      env: { ...OPERATOR_ENV, REDIS_COMMAND_TIMEOUT_MS: String(REDIS_COMMAND_TIMEOUT_MS), DATABASE_STATEMENT_TIMEOUT_MS: String(DATABASE_STATEMENT_TIMEOUT_MS), LOG_LEVEL: 'warn' },
      logDestination: { write: (line: string) => void warnings.push(line) },
    });
  });
  afterAll(async () => server?.stop());

  it('keeps its storage and answers every token it issued', async () => {
    const operator = await operatorToken(server.issuer);
    const web = await discoverClient(server.issuer, DEMO.web.clientId, DEMO.web.secret);
    const { tokens } = await signInWithCode(web, { username: 'alice', password: DEMO.password, redirectUri: `${server.issuer}${DEMO.callbackPath}` });
    warnings.length = 0;

    const [answers] = await Promise.all([
      Promise.all(
        Array.from({ length: 60 }, (_, i) =>
        i % 2 === 0
          ? adminCall(server.issuer, operator, 'GET', '/tenants/demo/users?limit=5').then((a) => a.status)
          : oidc.fetchUserInfo(web, tokens.access_token, oidc.skipSubjectCheck).then(() => 200, (err: { status?: number }) => err.status ?? 0),
        ),
      ),
      stall(2),
    ]);

    expect(answers.filter((status) => status !== 200)).toEqual([]);
    expect(server.gatehouse.redis!.usable).toBe(true);
    expect(warnings.filter((line) => /set aside|did not answer|not answering/.test(line))).toEqual([]);
  });
});
