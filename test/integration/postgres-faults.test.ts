import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as oidc from 'openid-client';
import { GatehouseProcess } from '../../bench/support/gatehouse-process.js';
import { OwnPostgres, postgresBin } from '../../bench/support/own-postgres.js';
import { sleep } from '../../bench/support/processes.js';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { REFUSAL_WORDING } from '../../src/entrypoints/oidc/refusal-wording.js';
import { OPERATOR_ENV, operatorToken } from '../helpers/admin-api.js';
import { HttpBrowser } from '../helpers/browserless.js';
import { discoverClient, signInWithCode } from '../helpers/relying-party.js';
import { freePort, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

// Needs PostgreSQL's server programs to run a server of its own (CI machines have them).
const canRunPostgres = Boolean(postgresBin()) && Boolean(process.env.TEST_DATABASE_URL);
/** "About 5 s": the default statement timeout (3 s), the margin for a silent server, the answer. */
const BOUND_MS = 5_500;

interface Answer {
  status: number;
  ms: number;
  retryAfter: string | null;
  type: string | null;
  text: string;
}

async function timed(url: string, init: RequestInit = {}): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(url, { redirect: 'manual', ...init, signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  return { status: response.status, ms: performance.now() - started, retryAfter: response.headers.get('retry-after'), type: response.headers.get('content-type'), text };
}

/**
 * A PostgreSQL server of the test's own, frozen (SIGSTOP: connections open, nothing answers) or
 * stopped under a running Gatehouse. Nothing waits longer than about five seconds; every answer
 * says to come back (503, Retry-After) in the caller's language (OAuth error JSON, a page,
 * problem+json), never the provider's generic error; a refresh that failed leaves its token
 * usable; and a SIGTERM still ends the process in time.
 */
(canRunPostgres ? describe : describe.skip)('when PostgreSQL freezes or stops', () => {
  let postgres: OwnPostgres;
  let server: TestGatehouse;
  let mobile: oidc.Configuration;
  let adminToken: string;

  beforeAll(async () => {
    postgres = await OwnPostgres.start();
    server = await startTestGatehouse('postgres', { postgresUrl: postgres.url, env: OPERATOR_ENV });
    mobile = await discoverClient(server.issuer, DEMO.mobile.clientId);
    adminToken = await operatorToken(server.issuer);
  }, 120_000);
  afterAll(async () => {
    postgres?.thaw();
    await server?.stop();
    await postgres?.destroy();
  }, 60_000);

  /** After a fault: how long until Gatehouse says it is ready again (at most 10 s). */
  const recovery = async () => {
    const started = performance.now();
    while ((await timed(`${server.issuer}/readyz`)).status !== 200) {
      if (performance.now() - started > 10_000) throw new Error('not ready 10 s after the fault ended');
      await sleep(50);
    }
    return performance.now() - started;
  };
  const signIn = async () => (await signInWithCode(mobile, { username: 'alice', password: DEMO.password, redirectUri: `${server.issuer}${DEMO.callbackPath}` })).tokens;
  const refresh = (refreshToken: string) =>
    timed(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: DEMO.mobile.clientId }),
    });

  it('frozen: every kind of request answers within about 5 s with 503 and Retry-After, in its own format; the refresh token stays usable', async () => {
    const tokens = await signIn();
    // Other apps refreshing at the same moment: their look-ups travel in one statement (TickBatch).
    const others = [await signIn(), await signIn(), await signIn()];
    postgres.freeze();
    const frozenAt = performance.now();
    let answers: Answer[];
    let othersAnswers: Answer[];
    try {
      const othersRefreshing = Promise.all(others.map((other) => refresh(other.refresh_token!)));
      answers = await Promise.all([
        refresh(tokens.refresh_token!),
        timed(`${server.issuer}/token`, {
          method: 'POST',
          headers: { authorization: `Basic ${Buffer.from(`${DEMO.integration.clientId}:${DEMO.integration.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials',
        }),
        timed(`${server.issuer}/admin/v1/tenants/demo/users`, { headers: { authorization: `Bearer ${adminToken}` } }),
        timed(`${server.issuer}/readyz`),
      ]);
      othersAnswers = await othersRefreshing;
    } finally {
      postgres.thaw();
    }
    const [refreshed, credentials, admin, ready] = answers;

    expect(refreshed).toMatchObject({ status: 503, retryAfter: expect.stringMatching(/^\d+$/) });
    expect(JSON.parse(refreshed!.text)).toEqual({ error: 'temporarily_unavailable', error_description: REFUSAL_WORDING.temporarily_unavailable });
    expect(credentials).toMatchObject({ status: 503, retryAfter: expect.stringMatching(/^\d+$/) });
    expect(JSON.parse(credentials!.text).error).toBe('temporarily_unavailable');
    expect(admin).toMatchObject({ status: 503, retryAfter: expect.stringMatching(/^\d+$/), type: expect.stringContaining('application/problem+json') });
    expect(ready!.status).toBe(503);
    for (const answer of answers) {
      expect(answer.ms).toBeLessThan(BOUND_MS);
      expect(answer.text).not.toMatch(/oops/i);
    }
    for (const answer of othersAnswers) {
      expect(answer).toMatchObject({ status: 503, retryAfter: expect.stringMatching(/^\d+$/) });
      expect(answer.ms).toBeLessThan(BOUND_MS);
    }
    expect(performance.now() - frozenAt).toBeLessThan(BOUND_MS + 500);

    // Thawed: ready again within a probe or two, and the very token whose refresh failed works.
    expect(await recovery()).toBeLessThan(3_000);
    const again = await oidc.refreshTokenGrant(mobile, tokens.refresh_token!);
    expect((await oidc.refreshTokenGrant(mobile, again.refresh_token!)).access_token).toBeDefined();
    // So does every other app's, all at once again.
    const othersAgain = await Promise.all(others.map((other) => oidc.refreshTokenGrant(mobile, other.refresh_token!)));
    expect(new Set(othersAgain.map((answer) => answer.refresh_token)).size).toBe(others.length);
  }, 60_000);

  it('frozen: a person at the login form gets a page saying to try again in a moment', async () => {
    const web = await discoverClient(server.issuer, DEMO.web.clientId, DEMO.web.secret);
    const url = oidc.buildAuthorizationUrl(web, { redirect_uri: `${server.issuer}${DEMO.callbackPath}`, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    postgres.freeze();
    let answer: Answer;
    try {
      answer = await timed(url.toString(), { headers: { accept: 'text/html' } });
    } finally {
      postgres.thaw();
    }
    await recovery();
    expect(answer.ms).toBeLessThan(BOUND_MS);
    // The app's redirect URI is known (cached), so the app is told, as OAuth says; else a page.
    if (answer.status === 303) {
      expect(answer.text).toBe('');
    } else {
      expect(answer).toMatchObject({ status: 503, retryAfter: expect.stringMatching(/^\d+$/), type: expect.stringContaining('text/html') });
      expect(answer.text).toMatch(/briefly unavailable/i);
    }
  }, 30_000);

  it('frozen: a public client named in a Basic header (looked up before the provider runs) is told to try again, in JSON', async () => {
    // Gatehouse moves `Basic base64(id:)` of a public client into the body, after looking the
    // client up: that look-up runs before the provider's own error handling.
    postgres.freeze();
    let answer: Answer;
    try {
      answer = await timed(`${server.issuer}/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from('never-looked-up:').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=refresh_token&refresh_token=x',
      });
    } finally {
      postgres.thaw();
    }
    expect(answer).toMatchObject({ status: 503, retryAfter: expect.stringMatching(/^\d+$/), type: expect.stringContaining('application/json') });
    expect(JSON.parse(answer.text)).toEqual({ error: 'temporarily_unavailable', error_description: REFUSAL_WORDING.temporarily_unavailable });
    expect(answer.ms).toBeLessThan(BOUND_MS);
    await recovery();
  }, 30_000);

  it('frozen: a code typed on the device page gets a page saying to try again in a moment', async () => {
    // The guess limit (RFC 8628 §5.1) counts the code before the provider looks it up: a count
    // that cannot be taken is the same "try again" as any other, never a bare server error.
    const browser = new HttpBrowser();
    const page = await browser.go(`${server.issuer}/device`);
    const action = new URL(HttpBrowser.formAction(page), server.issuer).toString();
    postgres.freeze();
    const started = performance.now();
    let answer: string;
    try {
      answer = await browser.go(action, { form: { ...HttpBrowser.hiddenInputs(page), user_code: 'BCDF-GHJK' } });
    } finally {
      postgres.thaw();
    }
    expect(performance.now() - started).toBeLessThan(BOUND_MS);
    expect({ status: browser.lastStatus, retryAfter: browser.lastHeaders.get('retry-after'), type: browser.lastHeaders.get('content-type') }).toEqual({ status: 503, retryAfter: expect.stringMatching(/^\d+$/), type: expect.stringContaining('text/html') });
    expect(answer).toMatch(/briefly unavailable/i);
    await recovery();
  }, 30_000);

  it('frozen: asking for a reset, or opening a reset link, gets a page saying to try again; the reset works once the database is back', async () => {
    const browser = new HttpBrowser();
    const start = await browser.go(`${server.issuer}/forgot-password`);
    const action = new URL(HttpBrowser.formAction(start), server.issuer).toString();
    await browser.go(action, { form: { username: 'alice' } });
    const link = browser.lastUrl;
    expect(link).toMatch(/\/forgot-password\/[0-9a-f-]+$/);
    postgres.freeze();
    let answers: Answer[];
    try {
      answers = await Promise.all([
        timed(action, { method: 'POST', headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, body: 'username=alice' }),
        timed(link, { headers: { accept: 'text/html' } }),
      ]);
    } finally {
      postgres.thaw();
    }
    for (const answer of answers) {
      expect(answer).toMatchObject({ status: 503, retryAfter: expect.stringMatching(/^\d+$/), type: expect.stringContaining('text/html') });
      expect(answer.text).toMatch(/briefly unavailable/i);
      expect(answer.ms).toBeLessThan(BOUND_MS);
    }
    await recovery();
    // The reset asked for while the database was frozen opened nothing: the first still takes its code.
    expect(await browser.go(link)).toMatch(/name="code"/);
  }, 30_000);

  it('stopped: requests are answered 503 at once, and everything works again when it is back', async () => {
    const tokens = await signIn();
    await postgres.stop();
    try {
      const refused = await refresh(tokens.refresh_token!);
      expect(refused).toMatchObject({ status: 503, retryAfter: expect.stringMatching(/^\d+$/) });
      expect(refused.ms).toBeLessThan(BOUND_MS);
    } finally {
      await postgres.startServer();
    }
    expect(await recovery()).toBeLessThan(3_000);
    expect((await refresh(tokens.refresh_token!)).status).toBe(200);
  }, 60_000);

  it('frozen: SIGTERM still ends the process within the shutdown timeout', async () => {
    const port = await freePort();
    const database = await postgres.createDatabase(`gatehouse_sigterm_${Date.now()}`);
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-sigterm-'));
    const child = await GatehouseProcess.start('gatehouse', { PORT: String(port), DATABASE_URL: database, SEED_DEMO: '1', BCRYPT_COST: '4', DATA_DIR: dataDir, SHUTDOWN_TIMEOUT_MS: '6000' });
    try {
      postgres.freeze();
      // Requests waiting on the frozen database when the signal comes.
      const inFlight = Promise.all(
        Array.from({ length: 5 }, () =>
          timed(`${child.origin}/token`, {
            method: 'POST',
            headers: { authorization: `Basic ${Buffer.from(`${DEMO.integration.clientId}:${DEMO.integration.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
            body: 'grant_type=client_credentials',
          }),
        ),
      );
      await sleep(200);
      const signalledAt = Date.now();
      child.sigterm();
      const exit = await child.exited;
      expect(exit.at - signalledAt).toBeLessThan(6_000 + 2_000);
      expect(exit.code).toBe(0);
      // Each was answered (a 503: the database never answered), none left hanging or cut.
      expect((await inFlight).map((a) => a.status)).toEqual([503, 503, 503, 503, 503]);
    } finally {
      postgres.thaw();
      await child.stop(5_000);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
