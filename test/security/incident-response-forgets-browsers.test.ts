import { HttpBrowser } from '../helpers/browserless.js';
import { SignInHarness } from '../helpers/sign-in-harness.js';

/**
 * Attack: a thief's browser that passed the SMS step keeps skipping it, and keeps counting as
 * "known" (spared the username-wide lockout, told "this is a previous password"), after an
 * administrator responded to the incident. An administrator's password set or sign-out
 * everywhere forgets every browser the user signed in from.
 */
describe('incident response by an administrator', () => {
  const h = new SignInHarness();
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  for (const [label, respond] of [
    ['a password set', (slug: string, id: string) => h.admin('PUT', `/tenants/${slug}/users/${id}/password`, { password: 'amber-lantern-42' })],
    ['a sign-out everywhere', (slug: string, id: string) => h.admin('POST', `/tenants/${slug}/users/${id}/sign-out`)],
  ] as const) {
    it(`after ${label}, a browser that passed the second step is asked again and is no longer known`, async () => {
      const slug = await h.tenant({ mfa: { mode: 'required' } });
      const { id } = await h.user(slug, `victim-${slug}`, { phone: '+1 415 555 0185', password: 'amber-lantern-41' });
      const thief = new HttpBrowser();
      const first = await h.passwordStep(thief, `victim-${slug}`, 'amber-lantern-41');
      expect(await h.post(thief, first, { code: await h.latestSmsTo('+14155550185') })).toMatch(new RegExp(`^${h.callback}\\?code=`));
      // Remembered: the next sign-in in that browser skips the code.
      expect(await h.passwordStep(thief, `victim-${slug}`, 'amber-lantern-41', { prompt: 'login' })).toMatch(new RegExp(`^${h.callback}\\?code=`));

      expect((await respond(slug, id)).status).toBeLessThan(300);

      const password = label === 'a password set' ? 'amber-lantern-42' : 'amber-lantern-41';
      expect(await h.passwordStep(thief, `victim-${slug}`, password, { prompt: 'login' })).toMatch(/number ending in 0185/);
      if (label === 'a password set') {
        // Not told that the old password is a previous one: the browser is a stranger again.
        const told = await h.passwordStep(new HttpBrowser(), `victim-${slug}`, 'amber-lantern-41', { prompt: 'login' });
        expect(told).not.toMatch(/previous password/);
        const sameBrowser = await h.passwordStep(thief, `victim-${slug}`, 'amber-lantern-41', { prompt: 'login' });
        expect(sameBrowser).toMatch(/The username or password is incorrect/);
        expect(sameBrowser).not.toMatch(/previous password/);
      }
      const devices = await h.server.gatehouse.database.knex('user_devices').where({ user_id: id });
      expect(devices.every((d: { mfa_verified_at: Date | null }) => d.mfa_verified_at === null)).toBe(true);
    });
  }
});
