import * as oidc from 'openid-client';
import type { Repositories } from '../../src/app/repositories.js';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { OPERATOR_ENV, adminCall, createUser, operatorToken } from '../helpers/admin-api.js';
import { AwsRecorder, codeIn } from '../helpers/aws-recorder.js';
import { HttpBrowser } from '../helpers/browserless.js';
import { discoverClient } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

/**
 * Counts every call of a repository method whose name starts with `prefix` (a read of one row;
 * the sign-in's records, `by…`, read a user with their tenant).
 */
function countingReads<T extends object>(repository: T, counters: { reads: number }[], prefix = 'find'): T {
  return new Proxy(repository, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (typeof property === 'string' && property.startsWith(prefix)) {
        return (...args: unknown[]) => {
          for (const counter of counters) counter.reads++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

/**
 * How often one password + SMS sign-in reads the user and the tenant, from the authorization
 * request to the code at the application's callback. The facts of a sign-in are loaded once per
 * request and handed on, not fetched again by every step.
 */
describe('reads of one password + SMS sign-in', () => {
  const aws = new AwsRecorder();
  const users = { reads: 0 };
  const tenants = { reads: 0 };
  let server: TestGatehouse;

  beforeAll(async () => {
    const env = aws.useForAws(await aws.start());
    server = await startTestGatehouse(fullestStorage(), {
      env: { ...OPERATOR_ENV, ...env },
      gatehouse: { decorateRepositories: (r: Repositories) => ({
          ...r,
          users: countingReads(r.users, [users]),
          tenants: countingReads(r.tenants, [tenants]),
          // The user with their tenant, in one statement: a read of the user.
          signInRecords: countingReads(r.signInRecords, [users], 'by'),
        }),
      },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await aws.stop();
  });

  it('reads the user and the tenant a bounded number of times', async () => {
    const issuer = server.issuer;
    const operator = await operatorToken(issuer);
    expect((await adminCall(issuer, operator, 'POST', '/tenants', { slug: 'reads', name: 'Reads', settings: { country: 'US', mfa: { mode: 'required' } } })).status).toBe(201);
    await createUser(issuer, operator, { username: 'counted', tenant: 'reads', email: 'counted@clinic.test', password: 'amber-lantern-42', phone: '+1 415 555 0199' });
    const web = await discoverClient(issuer, DEMO.web.clientId, DEMO.web.secret);
    const callback = `${issuer}${DEMO.callbackPath}`;
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(web, { redirect_uri: callback, scope: 'openid profile', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const browser = new HttpBrowser();

    users.reads = 0;
    tenants.reads = 0;
    const login = await browser.go(url.toString(), {}, callback);
    const codePage = await browser.go(new URL(HttpBrowser.formAction(login, /login$/), issuer).toString(), { form: { username: 'counted', password: 'amber-lantern-42' } }, callback);
    expect(codePage).toMatch(/number ending in 0199/);
    const sms = aws.sms.find((m) => m.phone === '+14155550199')!;
    const landed = await browser.go(new URL(HttpBrowser.formAction(codePage), issuer).toString(), { form: { code: codeIn(sms.message) } }, callback);
    expect(landed).toMatch(new RegExp(`^${callback}\\?code=`));
    const counts = { user_reads: users.reads, tenant_reads: tenants.reads };
    console.log(`one password + SMS sign-in: ${JSON.stringify(counts)}`);
    // Five requests need the user (password, the policy after it, the SMS page, the code, the
    // policy after it): once each, with the tenant in the same statement, so the tenant (lockout
    // settings, the policy's second-factor decision, the SMS text and budget) is never read
    // alone. Before the sign-in module: 8 and 5; before the user and tenant were read together:
    // 5 and 3.
    expect(counts).toEqual({ user_reads: 5, tenant_reads: 0 });
  });
});
