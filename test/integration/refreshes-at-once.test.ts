import { randomBytes } from 'node:crypto';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { createUser, OPERATOR_ENV, operatorToken } from '../helpers/admin-api.js';
import { discoverClient, signInWithCode } from '../helpers/relying-party.js';
import { fullestStorage, PATIENT_STORAGE_ENV, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

/**
 * A fleet of apps refreshing at the same moment (a push wakes them all), each app sending its
 * refresh more than once (a retry on a flaky network), with junk among them. The token reads of
 * one turn of the event loop go to PostgreSQL together, each with its grant and its person's
 * account (artifact.repository.ts): however they are batched, each chain must move on exactly
 * once, its person must be the right one, and junk must be refused, never answered 5xx.
 *
 * The server is patient with its storage (PATIENT_STORAGE_ENV): this test counts chains, not
 * the load shedding a slow machine would otherwise show as 503.
 */
const CHAINS = 40;
const USES_PER_CHAIN = 5;
const JUNK = 100;

describe(`${CHAINS * USES_PER_CHAIN + JUNK} refreshes at once`, () => {
  let server: TestGatehouse;
  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage(), { env: { ...OPERATOR_ENV, ...PATIENT_STORAGE_ENV } });
  }, 60_000);
  afterAll(async () => server?.stop());

  const refresh = async (refreshToken: string) => {
    const response = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: DEMO.mobile.clientId }),
    });
    return { status: response.status, body: (await response.json()) as { refresh_token?: string; id_token?: string; error?: string } };
  };
  const subjectOf = (idToken: string) => (JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string }).sub;

  it('moves each chain on exactly once, for its own person, and refuses the junk', async () => {
    const mobile = await discoverClient(server.issuer, DEMO.mobile.clientId);
    const other = await createUser(server.issuer, await operatorToken(server.issuer), { username: `fleet-${Date.now()}` });
    const people = [
      { username: 'alice', password: DEMO.password },
      { username: other.body.username as string, password: other.password! },
    ];
    const chains: { token: string; sub: string }[] = [];
    for (let start = 0; start < CHAINS; start += 8) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(8, CHAINS - start) }, async (_, i) => {
          const person = people[(start + i) % people.length]!;
          const { tokens } = await signInWithCode(mobile, { ...person, redirectUri: `${server.issuer}${DEMO.callbackPath}` });
          return { token: tokens.refresh_token!, sub: subjectOf(tokens.id_token!) };
        }),
      );
      chains.push(...batch);
    }
    expect(new Set(chains.map((chain) => chain.sub)).size).toBe(2);

    const junk = Array.from({ length: JUNK }, (_, i) => [randomBytes(32).toString('base64url'), 'x'.repeat(2_000), 'a.b.c', `${chains[0]!.token}x`, '%', ''][i % 6]!);
    const [chainAnswers, junkAnswers] = await Promise.all([
      Promise.all(chains.map((chain) => Promise.all(Array.from({ length: USES_PER_CHAIN }, () => refresh(chain.token))))),
      Promise.all(junk.map((token) => refresh(token))),
    ]);

    for (const [index, answers] of chainAnswers.entries()) {
      // Every use answered, all with the one successor of the chain, for the chain's own person.
      expect(answers.map((answer) => answer.status)).toEqual(Array(USES_PER_CHAIN).fill(200));
      expect(new Set(answers.map((answer) => answer.body.refresh_token)).size).toBe(1);
      expect(answers.every((answer) => subjectOf(answer.body.id_token!) === chains[index]!.sub)).toBe(true);
    }
    const successors = chainAnswers.map((answers) => answers[0]!.body.refresh_token!);
    expect(new Set(successors).size).toBe(CHAINS);
    for (const answer of junkAnswers) {
      expect(answer.status).toBe(400);
      expect(['invalid_grant', 'invalid_request']).toContain(answer.body.error);
    }

    // Exactly one live token per chain, and it works.
    const { knex } = server.gatehouse.database;
    const live = await knex('oidc_artifacts').where({ type: 'RefreshToken' }).whereIn('id', successors).whereNull('consumed_at').whereNull('revoked_at').count<{ count: number }[]>('* as count');
    expect(Number(live[0]!.count)).toBe(CHAINS);
    const next = await Promise.all(successors.map((token) => refresh(token)));
    expect(next.map((answer) => answer.status)).toEqual(Array(CHAINS).fill(200));
  }, 120_000);
});
