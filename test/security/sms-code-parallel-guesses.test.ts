import { HttpBrowser } from '../helpers/browserless.js';
import { SignInHarness, wrongCodes } from '../helpers/sign-in-harness.js';
import { PATIENT_STORAGE_ENV } from '../helpers/test-gatehouse.js';

/**
 * Attack: 200 guesses at one SMS code sent at once. Five tries per code must hold however the
 * guesses arrive: the try is spent atomically before any comparison.
 */
/**
 * Guesses at one code are spent one after another on the code's row, each holding a pooled
 * connection while it waits for the row: on a slow, busy machine the last of a hundred waited
 * past the default DATABASE_ACQUIRE_TIMEOUT_MS and was shed with 503, as designed. These tests
 * count the tries, not the shedding, so their server is patient with its storage.
 */
const PATIENT_POOL = { env: PATIENT_STORAGE_ENV };

describe('200 parallel guesses at one SMS code', () => {
  const h = new SignInHarness();
  beforeAll(() => h.start(PATIENT_POOL));
  afterAll(() => h.stop());

  it('compares at most five, ends the step, and the right code sent after them does not sign in', async () => {
    const slug = await h.tenant({ mfa: { mode: 'required' } });
    const user = await h.user(slug, `guessed-${slug}`, { phone: '+1 415 555 0170' });
    const browser = new HttpBrowser();
    const page = await h.passwordStep(browser, `guessed-${slug}`);
    expect(page).toMatch(/number ending in 0170/);
    const code = await h.latestSmsTo('+14155550170');
    const action = HttpBrowser.formAction(page);

    const answers = await h.inParallel(browser, action, wrongCodes(code, 200).map((guess) => ({ code: guess })));
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    const compared = answers.filter((a) => /That code is not right/.test(a.body));
    // Four wrong guesses are told how many tries are left; the fifth ends the step.
    expect(compared.length).toBeLessThanOrEqual(4);
    const knex = h.server.gatehouse.database.knex;
    const slots = await knex('one_time_codes').join('second_factor_challenges', 'second_factor_challenges.id', 'one_time_codes.owner_id').where('second_factor_challenges.user_id', user.id).select('one_time_codes.attempts', 'one_time_codes.max_attempts');
    expect(slots).toEqual([{ attempts: 5, max_attempts: 5 }]);

    // The right code now opens nothing: the step is over.
    const [late] = await h.inParallel(browser, action, [{ code }]);
    expect(late.location ?? '').not.toMatch(/\/demo\/callback\?code=/);
    expect(await browser.go(new URL(late.location ?? action, h.issuer).toString(), {}, h.callback)).not.toMatch(new RegExp(`^${h.callback}\\?code=`));

    // This browser was not remembered: the next sign-in asks for a code again.
    expect(await h.passwordStep(browser, `guessed-${slug}`, undefined, { prompt: 'login' })).toMatch(/number ending in 0170/);
    await h.server.gatehouse.events.flush();
    const failed = await knex('events').where({ user_id: user.id, type: 'mfa.failed' }).select('reason');
    expect(failed.filter((e: { reason: string }) => e.reason === 'too_many_wrong_codes')).toHaveLength(1);
  });
});

describe('100 parallel guesses at one recovery code', () => {
  const h = new SignInHarness();
  beforeAll(() => h.start(PATIENT_POOL));
  afterAll(() => h.stop());

  it('compares at most five and closes the reset; the right code then does nothing', async () => {
    const slug = await h.tenant({});
    await h.user(slug, `forgetful-${slug}`);
    const browser = new HttpBrowser();
    const start = await browser.go(`${h.issuer}/forgot-password`);
    const codePage = await browser.go(new URL(HttpBrowser.formAction(start), h.issuer).toString(), { form: { username: `forgetful-${slug}` } });
    const flowId = browser.lastUrl.split('/').pop()!;
    const code = (await h.aws.waitForEmail(`forgetful-${slug}@clinic.test`)).text.match(/\b(\d{6})\b/)![1]!;
    const action = HttpBrowser.formAction(codePage, /forgot-password\/[0-9a-f-]+$/);

    const password = { new_password: 'violet-harbour-77', confirm_password: 'violet-harbour-77' };
    const answers = await h.inParallel(browser, action, wrongCodes(code, 100).map((guess) => ({ code: guess, ...password })));
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    expect(answers.filter((a) => /That code is not right/.test(a.body)).length).toBeLessThanOrEqual(4);
    const slot = await h.server.gatehouse.database.knex('one_time_codes').where({ owner_id: flowId }).first();
    expect(slot).toMatchObject({ attempts: 5, max_attempts: 5 });

    const [late] = await h.inParallel(browser, action, [{ code, ...password }]);
    expect(late.body).not.toMatch(/Your password was changed/);
    expect(late.body).toMatch(/Start again/);
  });
});
