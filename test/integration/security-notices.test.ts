import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { OPERATOR_ENV, adminCall, operatorToken } from '../helpers/admin-api.js';
import { HttpBrowser } from '../helpers/browserless.js';
import { eventually } from '../helpers/lockout-clock.js';
import { discoverClient, signInWithCode } from '../helpers/relying-party.js';
import { emailsTo, fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

/** DESIGN §8: a person hears of a sign-in from a browser their account never used. */
describe('security notices', () => {
  let server: TestGatehouse;

  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage(), { env: OPERATOR_ENV });
  });
  afterAll(async () => server?.stop());

  const newDeviceMails = (to: string) => emailsTo(server, to, 'New sign-in to your account');

  it('emails on a new browser, not at the first sign-in nor on a known browser', async () => {
    const operator = await operatorToken(server.issuer);
    await adminCall(server.issuer, operator, 'POST', '/tenants/demo/users', { username: 'nell', email: 'nell@demo.test', password: 'amber-lantern-42' });
    const web = await discoverClient(server.issuer, DEMO.web.clientId, DEMO.web.secret);
    const redirectUri = `${server.issuer}${DEMO.callbackPath}`;
    const laptop = new HttpBrowser();

    await signInWithCode(web, { username: 'nell', password: 'amber-lantern-42', redirectUri, browser: laptop });
    await signInWithCode(web, { username: 'nell', password: 'amber-lantern-42', redirectUri, browser: laptop, extra: { prompt: 'login' } });
    await server.gatehouse.events.flush();
    expect(newDeviceMails('nell@demo.test')).toHaveLength(0);

    await signInWithCode(web, { username: 'nell', password: 'amber-lantern-42', redirectUri, browser: new HttpBrowser() });
    // The notice leaves through the outbox's worker.
    const mail = await eventually(async () => {
      const [found] = newDeviceMails('nell@demo.test');
      if (!found) throw new Error('no notice yet');
      return found;
    });
    expect(mail.channel === 'email' && mail.text).toMatch(/^Application: Demo web app$/m);
  });
});
