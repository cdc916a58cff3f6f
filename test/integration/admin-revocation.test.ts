import { performance } from 'node:perf_hooks';
import { ChainTraffic, signInChains } from '../../bench/support/chain-traffic.js';
import { sleep } from '../../bench/support/processes.js';
import { REFUSAL_WORDING } from '../../src/entrypoints/oidc/refusal-wording.js';
import { adminCall, createUser, OPERATOR_ENV, operatorToken } from '../helpers/admin-api.js';
import { startProcessFleet, type ProcessFleet } from '../helpers/gatehouse-processes.js';
import { storageKinds } from '../helpers/test-gatehouse.js';

const withRealStorage = storageKinds().includes('postgres+redis');
const CHAINS = 20;

/**
 * An administrator's change ends a user's sign-ins at once, everywhere: twenty apps of the user
 * refresh back to back against two replicas; from the moment the admin API answers, no refresh
 * succeeds on either (not even one already under way then), and every app is told the
 * administrator's reason, whichever replica it asked.
 */
(withRealStorage ? describe : describe.skip)('revocation by an administrator, under refresh traffic on two replicas', () => {
  let fleet: ProcessFleet;
  let token: string;

  beforeAll(async () => {
    fleet = await startProcessFleet(2, { env: OPERATOR_ENV });
    token = await operatorToken(fleet.issuer);
  }, 120_000);
  afterAll(async () => fleet?.stop(), 60_000);

  type Call = (id: string) => readonly [string, string, unknown];
  it.each<readonly [string, keyof typeof REFUSAL_WORDING, Call]>([
    ['a password set', 'password_changed_by_admin', (id: string) => ['PUT', `/tenants/demo/users/${id}/password`, { password: 'a-brand-new-secret-42' }]],
    ['a sign-out', 'signed_out_by_admin', (id: string) => ['POST', `/tenants/demo/users/${id}/sign-out`, undefined]],
    ['disabling the account', 'account_disabled', (id: string) => ['PATCH', `/tenants/demo/users/${id}`, { disabled: true }]],
    ['a new temporary password', 'password_changed_by_admin', (id: string) => ['POST', `/tenants/demo/users/${id}/temporary-password`, undefined]],
  ])('%s: no refresh succeeds once the admin API answers, and every app is told why', async (_name, reason, call) => {
    const [first, second] = fleet.processes as [ProcessFleet['processes'][number], ProcessFleet['processes'][number]];
    const username = `revoked-${reason.replace(/_/g, '-')}-${Math.random().toString(36).slice(2, 7)}`;
    const user = await createUser(fleet.issuer, token, { username });
    const tokens = await signInChains(first.origin, CHAINS, { username, password: user.password, issuer: fleet.issuer });
    const traffic = new ChainTraffic({ origins: [first.origin, second.origin], tokens, spread: true, timeoutMs: 20_000 });
    traffic.start();
    await sleep(1_000);

    const [method, path, body] = call(user.id);
    const changed = await adminCall(second.origin, token, method, path, body);
    const answeredAt = performance.now();
    expect(changed.status).toBeLessThan(300);
    for (let waited = 0; traffic.lost.size < CHAINS && waited < 10_000; waited += 50) await sleep(50);
    await traffic.stop();

    const successesAfter = traffic.outcomes.filter((o) => o.result === 'ok' && o.endedAt >= answeredAt);
    expect(successesAfter).toEqual([]);
    expect(traffic.outcomes.filter((o) => o.result === 'ok' && o.sentAt < answeredAt).length).toBeGreaterThan(CHAINS);
    const wording = REFUSAL_WORDING[reason];
    expect([...traffic.lost.values()]).toEqual(Array.from({ length: CHAINS }, () => wording));
    const refusals = traffic.outcomes.filter((o) => o.result !== 'ok');
    expect(new Set(refusals.map((o) => o.description))).toEqual(new Set([wording]));
  }, 60_000);
});
