import * as oidc from 'openid-client';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { HttpBrowser } from '../helpers/browserless.js';
import { discoverClient } from '../helpers/relying-party.js';
import { fullestStorage, PATIENT_STORAGE_ENV, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

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
  // What the server logged at warn or above: a failed expectation shows it.
  const serverErrors: string[] = [];

  beforeAll(async () => {
    // The guesses count against limits; a slow machine must not shed them (503) first.
    server = await startTestGatehouse(fullestStorage(), {
      env: { TRUST_PROXY: '1', LOG_LEVEL: 'warn', ...PATIENT_STORAGE_ENV },
      logDestination: { write: (line: string) => void serverErrors.push(line) },
    });
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

  it('answers one browser its limit of wrong codes, then a page saying how long to wait', async () => {
    const browser = new HttpBrowser();
    const answers = [];
    for (let i = 0; i < PER_BROWSER + 5; i++) answers.push(await (await codePage('203.0.113.40', browser)).guess(wrongCode(i)));
    expect(answers.slice(0, PER_BROWSER).every((a) => a.status === 200 && a.page.includes(NOT_VALID))).toBe(true);
    for (const refused of answers.slice(PER_BROWSER)) {
      expect(refused.status).toBe(429);
      expect(refused.page).toMatch(/Too many wrong codes/);
      expect(refused.page).toMatch(/Wait \d+ (seconds|minutes)/);
      expect(refused.retryAfter).toBeGreaterThan(0);
    }
  });

  it('checks no more than the limit of codes from one browser, however many arrive in parallel', async () => {
    const browser = await codePage('203.0.113.41');
    const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => browser.guess(wrongCode(i))));
    const failed = answers.filter((a) => a.status >= 500).map((a) => a.status);
    // On failure, what the server logged shows why.
    expect({ failed, serverErrors: failed.length ? serverErrors : [] }).toEqual({ failed: [], serverErrors: [] });
    // Parallel posts of one form also trip its one-time CSRF token (refused before any look-up,
    // and not counted), and refused guesses count against the flood: fewer may be checked, never more.
    const checked = answers.filter((a) => a.page.includes(NOT_VALID)).length;
    expect(checked).toBeGreaterThan(0);
    expect(checked).toBeLessThanOrEqual(PER_BROWSER);
    // Every other answer was refused without a look-up: by the limit, or by the form's one-time
    // token (which of the two depends on how the burst interleaves). The limit itself is what
    // the sequential guesses below must meet.
    let later = 0;
    for (let i = 0; i < PER_BROWSER; i++) if ((await (await codePage('203.0.113.41', browser.browser)).guess(wrongCode(500 + i))).page.includes(NOT_VALID)) later++;
    expect(checked + later).toBeLessThanOrEqual(PER_BROWSER);
  });

  it('answers one address only its limit, even from a fresh browser for every guess', async () => {
    // Opening the pages is the setup, not the attack: twenty at a time. Two hundred at once on a
    // slow, busy machine left some waiting past DATABASE_ACQUIRE_TIMEOUT_MS for a connection,
    // and Gatehouse sheds such a request with 503, as it should. The guesses go all at once.
    const browsers: Awaited<ReturnType<typeof codePage>>[] = [];
    while (browsers.length < 200) browsers.push(...(await Promise.all(Array.from({ length: 20 }, () => codePage('203.0.113.42')))));
    const answers = await Promise.all(browsers.map((b, i) => b.guess(wrongCode(1000 + i))));
    // Each browser's form is fresh, so every guess is looked up until the address's limit.
    expect(answers.filter((a) => a.page.includes(NOT_VALID))).toHaveLength(PER_ADDRESS);
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
