import { SignInFlow, type BrowserKind } from '../../bench/support/sign-in-flow.js';
import { completeOverFetch } from '../../bench/support/sign-in-over-fetch.js';
import { describeTarget } from '../../bench/support/target.js';
import { OPERATOR_ENV, adminCall, operatorToken } from '../helpers/admin-api.js';
import { eventually } from '../helpers/lockout-clock.js';
import { emailsTo, fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

/**
 * The bench's sign-ins come from a returning browser (the person's own, whose session ended) or
 * from a new browser each time. Both must type the password every time; only the new browsers
 * are devices the account has not seen, each with its new-device email.
 */
describe("the bench's returning and new browsers", () => {
  let server: TestGatehouse;

  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage(), { env: OPERATOR_ENV });
  });
  afterAll(async () => server?.stop());

  const newDeviceMails = (to: string) => emailsTo(server, to, 'New sign-in to your account');

  async function signInThreeTimes(username: string, browser: BrowserKind): Promise<number> {
    const operator = await operatorToken(server.issuer);
    await adminCall(server.issuer, operator, 'POST', '/tenants/demo/users', { username, email: `${username}@demo.test`, password: 'amber-lantern-42' });
    const target = await describeTarget('gatehouse', server.issuer);
    const flow = new SignInFlow(target.mobile, { username, password: 'amber-lantern-42' }, browser);
    let passwordsPosted = 0;
    for (let i = 0; i < 3; i++) {
      const tokens = await completeOverFetch(flow, server.issuer, (hop) => {
        if (hop.method === 'POST' && hop.path.startsWith('/interaction/')) passwordsPosted += 1;
      });
      expect(tokens.access_token).toBeTruthy();
    }
    return passwordsPosted;
  }

  it('a returning browser types the password each time and is a new device only once; a new one each time after the first', async () => {
    expect(await signInThreeTimes('rita', 'returning')).toBe(3);
    expect(await signInThreeTimes('nico', 'new')).toBe(3);
    await eventually(async () => {
      if (newDeviceMails('nico@demo.test').length < 2) throw new Error('notices not all out yet');
    });
    // Notices leave in order: rita's would be out by now. An account's first sign-in sends none.
    expect(newDeviceMails('nico@demo.test')).toHaveLength(2);
    expect(newDeviceMails('rita@demo.test')).toHaveLength(0);
  });
});
