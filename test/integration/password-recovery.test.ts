import bcrypt from 'bcrypt';
import * as oidc from 'openid-client';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { OPERATOR_ENV, adminCall, createUser as createUserVia, operatorToken } from '../helpers/admin-api.js';
import { AwsRecorder, codeIn } from '../helpers/aws-recorder.js';
import { HttpBrowser } from '../helpers/browserless.js';
import { discoverClient, signInWithCode } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

/** "I forgot my password", with email through the real SES client to a local recorder. */
describe('password recovery', () => {
  const aws = new AwsRecorder();
  let server: TestGatehouse;
  let issuer: string;
  let operator: string;
  let web: oidc.Configuration;
  const callback = () => `${issuer}${DEMO.callbackPath}`;
  const knex = () => server.gatehouse.database.knex;

  beforeAll(async () => {
    const awsEnv = aws.useForAws(await aws.start());
    server = await startTestGatehouse(fullestStorage(), { env: { ...OPERATOR_ENV, ...awsEnv } });
    issuer = server.issuer;
    operator = await operatorToken(issuer);
    web = await discoverClient(issuer, DEMO.web.clientId, DEMO.web.secret);
  });
  afterAll(async () => {
    await server?.stop();
    await aws.stop();
  });

  async function createUser(username: string, password?: string) {
    return (await createUserVia(issuer, operator, { username, email: `${username}@demo.test`, name: username, password: password ?? null })).body as { id: string };
  }

  /** An authorization request in a fresh browser, up to the login page; returns the pieces. */
  async function startSignIn() {
    const browser = new HttpBrowser();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(web, { redirect_uri: callback(), scope: 'openid profile offline_access', prompt: 'consent', state, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const login = await browser.go(url.toString());
    const forgot = /href="([^"]*forgot-password)"/.exec(login)![1]!;
    return { browser, verifier, state, login, forgotUrl: new URL(forgot, issuer).toString() };
  }

  async function requestCode(browser: HttpBrowser, forgotUrl: string, username: string) {
    const page = await browser.go(forgotUrl);
    expect(page).toMatch(/name="username" autocomplete="username"/);
    const codePage = await browser.go(new URL(HttpBrowser.formAction(page), issuer).toString(), { form: { username } });
    return { codePage, codePageUrl: browser.lastUrl };
  }

  const submitCode = (browser: HttpBrowser, codePage: string, form: { code: string; new_password: string; confirm_password: string }) =>
    browser.go(new URL(HttpBrowser.formAction(codePage, /forgot-password\/[0-9a-f-]+$/), issuer).toString(), { form }, callback());

  it('walks forgot password → emailed code → new password → signed in to the client that sent the user', async () => {
    await createUser('rita', 'copper-first-kettle-r');
    const mobile = await signInWithCode(await discoverClient(issuer, DEMO.mobile.clientId), { username: 'rita', password: 'copper-first-kettle-r', redirectUri: callback() });

    const { browser, verifier, state, forgotUrl } = await startSignIn();
    const { codePage } = await requestCode(browser, forgotUrl, 'rita');
    expect(codePage).toMatch(/name="code" autocomplete="one-time-code"/);
    expect(codePage).toMatch(/name="new_password" autocomplete="new-password"/);
    expect(codePage).toMatch(/name="confirm_password" autocomplete="new-password"/);
    expect(codePage).toMatch(/name="action" value="resend"/);

    const email = await aws.waitForEmail('rita@demo.test', (e) => e.subject === 'Your password reset code');
    expect(email.html).toContain(codeIn(email.text));
    const landed = await submitCode(browser, codePage, { code: codeIn(email.text), new_password: 'copper-second-kettle-r', confirm_password: 'copper-second-kettle-r' });

    expect(landed).toMatch(new RegExp(`^${callback()}\\?code=`));
    const tokens = await oidc.authorizationCodeGrant(web, new URL(landed), { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.claims()!.preferred_username).toBe('rita');

    // A reset signs the user out everywhere, and says why.
    await expect(oidc.refreshTokenGrant(await discoverClient(issuer, DEMO.mobile.clientId), mobile.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant', error_description: 'the password was reset; sign in again' });
    await aws.waitForEmail('rita@demo.test', (e) => e.subject === 'Your password was changed');
    // The old password no longer works; the new one does.
    await expect(signInWithCode(web, { username: 'rita', password: 'copper-first-kettle-r', redirectUri: callback() })).rejects.toThrow();
    expect((await signInWithCode(web, { username: 'rita', password: 'copper-second-kettle-r', redirectUri: callback() })).tokens.access_token).toBeDefined();
  });

  it('answers an unknown username exactly like a known one, and sends nothing', async () => {
    await createUser('known-kim', 'copper-first-kettle-k');
    const before = aws.emails.length;
    const known = await requestCode(new HttpBrowser(), `${issuer}/forgot-password`, 'known-kim');
    const unknown = await requestCode(new HttpBrowser(), `${issuer}/forgot-password`, 'nobody-knows-me');
    // The page repeats the name typed (for password managers), never the account's own.
    const normalise = (html: string) => html.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'FLOW').replace(/value="(known-kim|nobody-knows-me)"/g, 'value="TYPED"');
    expect(normalise(unknown.codePage)).toBe(normalise(known.codePage));
    await aws.waitForEmail('known-kim@demo.test');
    // Mail is sent by the outbox in the background: an earlier test's notice may land meanwhile.
    // Of what this test caused, exactly one email went out, to the known user.
    const caused = aws.emails.slice(before).filter((e) => !e.to.includes('rita@demo.test'));
    expect(caused.map((e) => e.to)).toEqual([['known-kim@demo.test']].map((to) => expect.arrayContaining(to)));

    const wrong = await submitCode(new HttpBrowser(), unknown.codePage, { code: '123456', new_password: 'whatever-password-1', confirm_password: 'whatever-password-1' });
    expect(wrong).toMatch(/That code is not right/);

    // Asking again replaces the first reset for both names alike: the first link tells nothing.
    const [knownAgain, unknownAgain] = [new HttpBrowser(), new HttpBrowser()];
    await requestCode(knownAgain, `${issuer}/forgot-password`, 'known-kim');
    await requestCode(unknownAgain, `${issuer}/forgot-password`, 'nobody-knows-me');
    const knownFirst = await knownAgain.go(known.codePageUrl);
    const unknownFirst = await unknownAgain.go(unknown.codePageUrl);
    expect(knownFirst).toMatch(/expired or was already used/);
    expect(normalise(unknownFirst)).toBe(normalise(knownFirst));
    const guessed = await submitCode(unknownAgain, unknown.codePage, { code: '123456', new_password: 'whatever-password-1', confirm_password: 'whatever-password-1' });
    expect(guessed).toMatch(/expired or was already used/);
  });

  it('resends only after 60 s, keeps the count of wrong tries, and only the newest code works', async () => {
    await createUser('sol', 'copper-first-kettle-s');
    const browser = new HttpBrowser();
    const { codePage, codePageUrl } = await requestCode(browser, `${issuer}/forgot-password`, 'sol');
    const first = codeIn((await aws.waitForEmail('sol@demo.test')).text);
    const flowId = codePageUrl.split('/').pop()!;

    const tooSoon = await browser.go(new URL(HttpBrowser.formAction(codePage, /resend$/), issuer).toString(), { form: { action: 'resend' } });
    expect(browser.lastStatus).toBe(429);
    expect(tooSoon).toMatch(/Wait \d+ seconds before asking for another code/);

    const wrong = await submitCode(browser, codePage, { code: first === '000000' ? '111111' : '000000', new_password: 'copper-second-kettle-s', confirm_password: 'copper-second-kettle-s' });
    expect(wrong).toMatch(/4 tries left/);

    await knex()('one_time_codes').where({ owner_id: flowId }).update({ last_sent_at: new Date(Date.now() - 61_000) });
    const resent = await browser.go(new URL(HttpBrowser.formAction(codePage, /resend$/), issuer).toString(), { form: { action: 'resend' } });
    expect(resent).toMatch(/We sent a new code/);
    const second = codeIn((await aws.waitForEmail('sol@demo.test', (e) => codeIn(e.text) !== first)).text);

    const stale = await submitCode(browser, resent, { code: first, new_password: 'copper-second-kettle-s', confirm_password: 'copper-second-kettle-s' });
    expect(stale).toMatch(/3 tries left/);
    const done = await submitCode(browser, resent, { code: second, new_password: 'copper-second-kettle-s', confirm_password: 'copper-second-kettle-s' });
    expect(done).toMatch(/Your password was changed/);
    // A replayed step shows a way back instead of an error.
    const replay = await submitCode(browser, resent, { code: second, new_password: 'copper-third-kettle-s', confirm_password: 'copper-third-kettle-s' });
    expect(replay).toMatch(/expired or was already used/);
    expect(replay).toMatch(/Start again/);
    // The emailed link, opened again after the reset ended, says so before any form is filled.
    const reopened = await browser.go(codePageUrl);
    expect(browser.lastStatus).toBe(400);
    expect(reopened).toMatch(/expired or was already used/);
    expect(reopened).not.toMatch(/name="code"/);
  });

  it('closes the reset after five wrong codes and rejects expired codes, weak and mismatched passwords with clear messages', async () => {
    await createUser('vera', 'copper-first-kettle-v');
    const browser = new HttpBrowser();
    const { codePage, codePageUrl } = await requestCode(browser, `${issuer}/forgot-password`, 'vera');
    const code = codeIn((await aws.waitForEmail('vera@demo.test')).text);
    const flowId = codePageUrl.split('/').pop()!;

    expect(await submitCode(browser, codePage, { code, new_password: 'copper-second-kettle-v', confirm_password: 'copper-other-kettle-v' })).toMatch(/not the same/);
    expect(await submitCode(browser, codePage, { code, new_password: 'password123', confirm_password: 'password123' })).toMatch(/too common/);
    await knex()('one_time_codes').where({ owner_id: flowId }).update({ code_expires_at: new Date(Date.now() - 1000) });
    expect(await submitCode(browser, codePage, { code, new_password: 'copper-second-kettle-v', confirm_password: 'copper-second-kettle-v' })).toMatch(/code has expired/);

    for (let i = 0; i < 4; i++) await submitCode(browser, codePage, { code: '999999' === code ? '888888' : '999999', new_password: 'x-password-123', confirm_password: 'x-password-123' });
    const closed = await submitCode(browser, codePage, { code: '999999' === code ? '888888' : '999999', new_password: 'x-password-123', confirm_password: 'x-password-123' });
    expect(closed).toMatch(/Too many wrong codes/);
    expect(closed).toMatch(/href="\/forgot-password"/);
    const reopened = await browser.go(codePageUrl);
    expect(browser.lastStatus).toBe(400);
    expect(reopened).toMatch(/Too many wrong codes/);
  });

  it("the administrator's Reset button emails a code and a link; a never-used temporary password gets 409 naming the next action", async () => {
    const user = await createUser('omar', 'copper-first-kettle-o');
    const reset = await adminCall(issuer, operator, 'POST', `/tenants/demo/users/${user.id}/password-reset`);
    expect(reset.status).toBe(202);
    expect(reset.body.sent_to).toBe('o•••@demo.test');
    const email = await aws.waitForEmail('omar@demo.test', (e) => /administrator/.test(e.text));
    const link = /(http:\/\/\S+\/forgot-password\/[0-9a-f-]+)/.exec(email.text)![1]!;
    const browser = new HttpBrowser();
    expect(await browser.go(link)).toMatch(/name="code"/);
    const done = await browser.go(link, { form: { code: codeIn(email.text), new_password: 'copper-second-kettle-o', confirm_password: 'copper-second-kettle-o' } });
    expect(done).toMatch(/Your password was changed/);

    const newcomer = await adminCall(issuer, operator, 'POST', '/tenants/demo/users', { username: 'nina', email: 'nina@demo.test' });
    const refused = await adminCall(issuer, operator, 'POST', `/tenants/demo/users/${newcomer.body.id}/password-reset`);
    expect(refused.status).toBe(409);
    expect(refused.body.next_action).toBe('temporary-password');
    expect(refused.body.title).toMatch(/temporary password/);
    expect((await adminCall(issuer, operator, 'POST', `/tenants/demo/users/00000000-0000-4000-8000-000000000000/password-reset`)).status).toBe(404);
  });

  it('ends the resets emailed before an administrator sets the password or disables the account: their codes set nothing', async () => {
    const user = await createUser('paz', 'copper-first-kettle-p');
    const emailedReset = async () => {
      const before = aws.emailsTo('paz@demo.test').length;
      expect((await adminCall(issuer, operator, 'POST', `/tenants/demo/users/${user.id}/password-reset`)).status).toBe(202);
      const email = await aws.waitForEmail('paz@demo.test', (e) => /\/forgot-password\//.test(e.text) && aws.emailsTo('paz@demo.test').indexOf(e) >= before);
      return { link: /(http:\/\/\S+\/forgot-password\/[0-9a-f-]+)/.exec(email.text)![1]!, code: codeIn(email.text) };
    };
    const tryReset = (reset: { link: string; code: string }) =>
      new HttpBrowser().go(reset.link, { form: { code: reset.code, new_password: 'stale-reset-kettle-p', confirm_password: 'stale-reset-kettle-p' } });

    const beforeNewPassword = await emailedReset();
    expect((await adminCall(issuer, operator, 'PUT', `/tenants/demo/users/${user.id}/password`, { password: 'admin-chosen-kettle-p' })).status).toBe(200);
    expect(await tryReset(beforeNewPassword)).toMatch(/This reset has expired or was already used/);
    await signInWithCode(web, { username: 'paz', password: 'admin-chosen-kettle-p', redirectUri: callback() });

    const beforeDisabling = await emailedReset();
    expect((await adminCall(issuer, operator, 'PATCH', `/tenants/demo/users/${user.id}`, { disabled: true })).status).toBe(200);
    expect(await tryReset(beforeDisabling)).toMatch(/This reset has expired or was already used/);
    const row = await knex()('users').where({ id: user.id }).first();
    expect(await bcrypt.compare('stale-reset-kettle-p', row.password_hash)).toBe(false);
  });

  it('forces a temporary password to be changed before any token is issued', async () => {
    const created = await adminCall(issuer, operator, 'POST', '/tenants/demo/users', { username: 'theo', email: 'theo@demo.test' });
    const sent = await adminCall(issuer, operator, 'POST', `/tenants/demo/users/${created.body.id}/temporary-password`);
    expect(sent.status).toBe(202);
    const temporary = /Temporary password: (\S+)/.exec((await aws.waitForEmail('theo@demo.test', (e) => e.subject === 'Your temporary password' && e.text.includes(sent.body.expires_at.slice(0, 4)))).text)![1]!;

    const { browser, login } = await startSignIn();
    const change = await browser.go(new URL(HttpBrowser.formAction(login, /login$/), issuer).toString(), { form: { username: 'theo', password: temporary } }, callback());
    expect(change).toMatch(/Choose your own password/);
    expect(change).not.toMatch(/name="password"/); // just typed: not asked again
    expect(change).toMatch(/name="new_password" autocomplete="new-password"/);

    const same = await browser.go(new URL(HttpBrowser.formAction(change), issuer).toString(), { form: { new_password: temporary, confirm_password: temporary } }, callback());
    expect(same).toMatch(/different from the temporary one/);
    const landed = await browser.go(new URL(HttpBrowser.formAction(same), issuer).toString(), { form: { new_password: 'copper-own-kettle-t', confirm_password: 'copper-own-kettle-t' } }, callback());
    expect(landed).toMatch(new RegExp(`^${callback()}\\?code=`));
    expect((await adminCall(issuer, operator, 'GET', `/tenants/demo/users/${created.body.id}`)).body.status).toBe('active');
  });

  it('refuses an expired temporary password with a message saying what to do', async () => {
    const created = await adminCall(issuer, operator, 'POST', '/tenants/demo/users', { username: 'ursula', email: 'ursula@demo.test' });
    const temporary = /Temporary password: (\S+)/.exec((await aws.waitForEmail('ursula@demo.test')).text)![1]!;
    await knex()('users').where({ id: created.body.id }).update({ password_expires_at: new Date(Date.now() - 1000) });
    expect((await adminCall(issuer, operator, 'GET', `/tenants/demo/users/${created.body.id}`)).body.status).toBe('temporary_password_expired');
    const { browser, login } = await startSignIn();
    const page = await browser.go(new URL(HttpBrowser.formAction(login, /login$/), issuer).toString(), { form: { username: 'ursula', password: temporary } });
    expect(page).toMatch(/temporary password has expired/);
  });

  it('answers a few hundred resets asked for at once for a known and an unknown name alike: no server error, at most the hour\'s codes, every link open or ended', async () => {
    await createUser('crowd-cleo', 'copper-first-kettle-c');
    const names = ['crowd-cleo', 'crowd-nobody'];
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        fetch(`${issuer}/forgot-password`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username: names[i % 2]! }) }).then(async (response) => ({
          name: names[i % 2]!,
          status: response.status,
          location: response.headers.get('location'),
          body: await response.text(),
        })),
      ),
    );
    expect(answers.filter((a) => a.status !== 303 && a.status !== 429).map((a) => `${a.status} ${a.body.slice(0, 200)}`)).toEqual([]);
    for (const name of names) {
      const links = answers.filter((a) => a.name === name && a.status === 303).map((a) => new URL(a.location!, issuer).toString());
      expect(links.length).toBeLessThanOrEqual(5);
      // Each link is either still open (the newest, or one that raced it) or says its reset ended.
      const pages = await Promise.all(links.map(async (link) => {
        const browser = new HttpBrowser();
        const page = await browser.go(link);
        return browser.lastStatus === 200 && /name="code"/.test(page) ? 'open' : browser.lastStatus === 400 && /expired or was already used/.test(page) ? 'ended' : `${browser.lastStatus}`;
      }));
      expect(pages.filter((page) => page !== 'open' && page !== 'ended')).toEqual([]);
      if (links.length) expect(pages).toContain('open');
    }
    await aws.waitForEmail('crowd-cleo@demo.test');
    expect(aws.emailsTo('crowd-cleo@demo.test').length).toBeLessThanOrEqual(5);
  });

  it('stops floods of reset requests from one address', async () => {
    let last = '';
    for (let i = 0; i < 21; i++) last = (await requestCode(new HttpBrowser(), `${issuer}/forgot-password`, `flood-${i}`)).codePage;
    expect(last).toMatch(/Too many reset requests/);
  });
});
