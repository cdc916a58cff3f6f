import * as oidc from 'openid-client';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { HttpBrowser } from '../helpers/browserless.js';
import { discoverClient } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

// The embedded database serves every connection from one session and does not hold up under
// hundreds of parallel requests; these run on the real servers (CI sets TEST_DATABASE_URL).
const onRealPostgres = fullestStorage() !== 'embedded';

const PER_BROWSER = 10;
const PER_ADDRESS = 50;
const NOT_VALID = 'That code is not valid or has expired';

/**
 * The attack: user codes are 8 characters of 20, so guessing them at /device must be limited
 * (RFC 8628 §5.1). It was not: 60 wrong codes in a row were all answered. Now wrong codes are
 * limited per browser and per address, counted atomically, and a few hundred parallel guesses
 * get no more answers than the limit.
 */
(onRealPostgres ? describe : describe.skip)('guessing device user codes', () => {
  let server: TestGatehouse;
  let issuer: string;

  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage(), { env: { TRUST_PROXY: '1' } });
    issuer = server.issuer;
  });
  afterAll(async () => server?.stop());

  /** A browser at `ip` with the code page open: its form's action and hidden fields. */
  async function codePage(ip: string, browser = new HttpBrowser()) {
    browser.headers['x-forwarded-for'] = ip;
    const page = await browser.go(`${issuer}/device`);
    const action = new URL(HttpBrowser.formAction(page), issuer).toString();
    const hidden = HttpBrowser.hiddenInputs(page);
    return {
      browser,
      async guess(code: string) {
        const page = await browser.go(action, { form: { ...hidden, user_code: code } });
        return { status: browser.lastStatus, page, retryAfter: Number(browser.lastHeaders.get('retry-after') ?? 0) };
      },
    };
  }

  const wrongCode = (i: number) => `BCDF-${String(i).padStart(4, '0').replace(/\d/g, (d) => 'GHJKLMNPQR'[Number(d)]!)}`;

  it('answers one browser only its limit of wrong codes, however many arrive in parallel', async () => {
    const browser = await codePage('203.0.113.41');
    const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => browser.guess(wrongCode(i))));
    // Parallel posts of one form also trip its one-time CSRF token: those are refused (400)
    // without a code being looked up, and do not count. Codes looked up never exceed the limit.
    const checked = answers.filter((a) => a.page.includes(NOT_VALID));
    expect(checked.length).toBeGreaterThan(0);
    expect(checked.length).toBeLessThanOrEqual(PER_BROWSER);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(300 - 2 * PER_BROWSER);
    expect(answers.every((a) => a.status < 500)).toBe(true);
    // Taken one at a time, the rest of the limit is used up and then every guess is refused.
    let sequentialChecked = 0;
    let last!: Awaited<ReturnType<typeof browser.guess>>;
    for (let i = 0; i < 2 * PER_BROWSER; i++) {
      last = await (await codePage('203.0.113.41', browser.browser)).guess(wrongCode(500 + i));
      if (last.page.includes(NOT_VALID)) sequentialChecked++;
    }
    expect(checked.length + sequentialChecked).toBe(PER_BROWSER);
    expect(last.status).toBe(429);
    expect(refused[0]!.page).toMatch(/Too many wrong codes/);
    expect(refused[0]!.page).toMatch(/Wait \d+ (seconds|minutes)/);
    expect(refused[0]!.retryAfter).toBeGreaterThan(0);
  });

  it('answers one address only its limit, even from a fresh browser for every guess', async () => {
    const browsers = await Promise.all(Array.from({ length: 200 }, () => codePage('203.0.113.42')));
    const answers = await Promise.all(browsers.map((b, i) => b.guess(wrongCode(1000 + i))));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(PER_ADDRESS);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(200 - PER_ADDRESS);
  });

  it('never counts the right code, and lets a person elsewhere connect their device', async () => {
    const downloader = await discoverClient(issuer, DEMO.downloader.clientId);
    for (let round = 0; round < PER_BROWSER + 5; round++) {
      const device = await oidc.initiateDeviceAuthorization(downloader, { scope: 'openid' });
      const browser = await codePage('203.0.113.43');
      const answer = await browser.guess(device.user_code);
      expect(answer.status).toBe(200);
      expect(answer.page).toMatch(/confirm/i);
    }
  });
});
