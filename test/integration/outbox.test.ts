import { HttpBrowser } from '../helpers/browserless.js';
import { eventually } from '../helpers/lockout-clock.js';
import { SignInHarness } from '../helpers/sign-in-harness.js';
import { startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';
import { OPERATOR_ENV, adminCall, operatorToken } from '../helpers/admin-api.js';
import { CLOCK } from '../helpers/clock-pattern.js';

interface MessageView {
  id: string;
  channel: string;
  purpose: string;
  to: string;
  status: string;
  reason: string | null;
  attempts: number;
  provider_message_id: string | null;
}

/**
 * "I didn't get the code": every email and SMS is a message in PostgreSQL, sent by a worker
 * through the real SES/SNS clients to a local recorder that fails, throttles or rejects on demand.
 */
describe('the outbox', () => {
  const h = new SignInHarness();
  let offsetMs = 0;
  beforeAll(() => h.start({ gatehouse: { now: () => new Date(Date.now() + offsetMs) } }));
  afterAll(() => h.stop());
  afterEach(() => {
    offsetMs = 0;
    // A test that stopped early must not leave SES failing for the next one.
    h.aws.failNext = 0;
  });

  const messagesOf = async (slug: string, userId: string): Promise<MessageView[]> => (await h.admin('GET', `/tenants/${slug}/users/${userId}/messages`)).body.items;
  const diagnosisOf = async (slug: string, userId: string): Promise<{ code: string; message: string }[]> => (await h.admin('GET', `/tenants/${slug}/users/${userId}/diagnosis`)).body.blockers;
  /** The newest message of the user once it has left the queue. */
  const settled = (slug: string, userId: string, purpose: string, timeoutMs = 15_000) =>
    eventually(async () => {
      const message = (await messagesOf(slug, userId)).find((m) => m.purpose === purpose);
      if (!message || message.status === 'queued') throw new Error(`still queued: ${JSON.stringify(message)}`);
      return message;
    }, timeoutMs);

  it('retries a server error and throttling with backoff, then sends once, with the provider\'s id', async () => {
    const slug = await h.tenant({ time_zone: 'Europe/Berlin' });
    h.aws.answerNext(1, '500');
    h.aws.answerNext(1, 'Throttling');
    const created = await h.admin('POST', `/tenants/${slug}/users`, { username: `retry-${slug}`, email: `retry-${slug}@clinic.test` });
    expect(created.status).toBe(201);
    expect(created.body.invitation).toMatchObject({ channel: 'email', purpose: 'temporary-password', to: `r•••@clinic.test` });
    expect(['queued', 'sent']).toContain(created.body.invitation.status);

    const sent = await settled(slug, created.body.id, 'temporary-password');
    expect(sent).toMatchObject({ status: 'sent', attempts: 3, reason: null });
    const email = await h.aws.waitForEmail(`retry-${slug}@clinic.test`);
    expect(sent.provider_message_id).toBe(email.messageId);
    expect(h.aws.emailsTo(`retry-${slug}@clinic.test`)).toHaveLength(1);
    // The invitation names the app and where to sign in, one fact a line, in the tenant's time zone.
    const lines = email.text.split('\n');
    expect(lines).toContain(`Username: retry-${slug}`);
    expect(lines).toContain('Sign in at: ' + h.issuer);
    expect(lines.find((l) => l.startsWith('Valid until: '))).toMatch(/^Valid until: \w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d CES?T$/);
    expect(email.text).not.toMatch(/GMT/);
    // Never the password itself, in the list or anywhere in the admin's answer.
    const password = /Temporary password: (\S+)/.exec(email.text)![1]!;
    expect(JSON.stringify(await messagesOf(slug, created.body.id))).not.toContain(password);
    expect(JSON.stringify(created.body)).not.toContain(password);
  });

  it('fails a rejected address at once and says so: to the administrator, in the list and in the diagnosis', async () => {
    const slug = await h.tenant({});
    const { id } = await h.user(slug, `rejected-${slug}`);
    h.aws.answerNext(1, 'MessageRejected');
    const before = h.aws.calls;
    const reset = await h.admin('POST', `/tenants/${slug}/users/${id}/password-reset`);
    expect(reset.status).toBe(502);
    expect(reset.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(reset.body.title).toMatch(/^The reset email to r•••@clinic\.test could not be sent: MessageRejected: Email address is not verified/);
    // The provider's words name an address: masked.
    expect(reset.body.title).toContain('n•••@rejected.test');
    expect(h.aws.calls).toBe(before + 1);

    const [message] = await messagesOf(slug, id);
    expect(message).toMatchObject({ purpose: 'recovery-code', status: 'failed', attempts: 1 });
    expect(message!.reason).toMatch(/^MessageRejected/);
    const blockers = await diagnosisOf(slug, id);
    expect(blockers).toContainEqual(expect.objectContaining({ code: 'message_failed', message: expect.stringMatching(new RegExp(String.raw`^the reset email to r•••@clinic\.test failed at ${CLOCK}: the address was rejected \(MessageRejected`)) }));
  });

  it("answers the administrator's Reset over the hourly limit with 429, Retry-After and when; the diagnosis says so too", async () => {
    const slug = await h.tenant({});
    const { id } = await h.user(slug, `often-${slug}`);
    for (let i = 0; i < 5; i++) expect((await h.admin('POST', `/tenants/${slug}/users/${id}/password-reset`)).status).toBe(202);
    const sent = h.aws.emailsTo(`often-${slug}@clinic.test`).length;

    const refused = await h.admin('POST', `/tenants/${slug}/users/${id}/password-reset`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3000);
    expect(refused.body.title).toMatch(new RegExp(String.raw`^At most 5 reset codes an hour are sent for a username\. You can ask again at ${CLOCK}\.$`));
    expect(Date.parse(refused.body.retry_at)).toBeGreaterThan(Date.now());
    expect(h.aws.emailsTo(`often-${slug}@clinic.test`)).toHaveLength(sent);

    const [newest] = await messagesOf(slug, id);
    expect(newest).toMatchObject({ purpose: 'recovery-code', status: 'suppressed', reason: 'per_hour_limit' });
    const blockers = await diagnosisOf(slug, id);
    expect(blockers).toContainEqual(expect.objectContaining({ code: 'reset_code_limit', message: expect.stringMatching(new RegExp(String.raw`^5 reset codes were sent in the last hour \(the most allowed\); the next can be sent at ${CLOCK}$`)) }));
    expect(blockers).toContainEqual(expect.objectContaining({ code: 'message_suppressed', message: expect.stringMatching(new RegExp(String.raw`^the reset email to o•••@clinic\.test was not sent at ${CLOCK}: the hourly limit was reached$`)) }));
  });

  it('never sends a code that a newer one replaced or that expired while it waited', async () => {
    const slug = await h.tenant({});
    await h.user(slug, `patient-${slug}`);
    // The first code's email fails and waits for its retry...
    h.aws.failNext = 1;
    const browser = new HttpBrowser();
    const start = await browser.go(`${h.issuer}/forgot-password`);
    const codePage = await browser.go(new URL(HttpBrowser.formAction(start), h.issuer).toString(), { form: { username: `patient-${slug}` } });
    const flowId = browser.lastUrl.split('/').pop()!;
    const knex = h.server.gatehouse.database.knex;
    await eventually(async () => {
      if (h.aws.failNext > 0) throw new Error('not attempted yet');
    });
    // ...while the person asks for a new one (after the 60 s the page asks them to wait).
    await knex('one_time_codes').where({ owner_id: flowId }).update({ last_sent_at: new Date(Date.now() - 61_000) });
    await browser.go(new URL(HttpBrowser.formAction(codePage, /resend$/), h.issuer).toString(), { form: { action: 'resend' } });

    const email = await h.aws.waitForEmail(`patient-${slug}@clinic.test`, () => true, 15_000);
    await new Promise((r) => setTimeout(r, 4_000));
    expect(h.aws.emailsTo(`patient-${slug}@clinic.test`)).toEqual([email]);
    const user = await knex('users').where({ username: `patient-${slug}` }).first();
    const messages = await messagesOf(slug, user.id);
    expect(messages.map((m) => [m.status, m.reason])).toEqual([
      ['sent', null],
      ['suppressed', 'superseded'],
    ]);

    // A code whose email waits past the code's expiry is not sent either.
    const { id } = await h.user(slug, `late-${slug}`);
    h.aws.failNext = 100;
    const reset = await h.admin('POST', `/tenants/${slug}/users/${id}/password-reset`);
    expect(reset.status).toBe(202);
    expect(reset.body.message.status).toBe('queued');
    expect(reset.body.message.reason).toMatch(/^InternalFailure/);
    // SES keeps failing: a retry already on its way when the clock moves has checked the code
    // before the move, and must not be the one to reach a healthy SES. The next retry sees the
    // code expired and settles the message without calling SES.
    offsetMs = 16 * 60_000;
    expect(await settled(slug, id, 'recovery-code')).toMatchObject({ status: 'suppressed', reason: 'expired' });
    expect(h.aws.emailsTo(`late-${slug}@clinic.test`)).toEqual([]);
  });

  it('tells the truth on the SMS page: a slow provider is "on its way", a refusal is said, and the code arrives after a retry', async () => {
    const slug = await h.tenant({ mfa: { mode: 'required' } });
    await h.user(slug, `texted-${slug}`, { phone: '+14155550161' });
    h.aws.answerNext(1, 'Throttling');
    const browser = new HttpBrowser();
    const page = await h.passwordStep(browser, `texted-${slug}`);
    expect(page).toMatch(/We are sending a 6-digit code by text message to the number ending in 0161/);
    expect(page).toMatch(/slow to answer: your code is on its way/);
    const code = await eventually(() => h.latestSmsTo('+14155550161'), 15_000);
    const landed = await h.post(browser, page, { code });
    expect(landed.startsWith(h.callback)).toBe(true);

    await h.user(slug, `refused-${slug}`, { phone: '+14155550162' });
    h.aws.answerNext(1, 'MessageRejected');
    const refused = await h.passwordStep(new HttpBrowser(), `refused-${slug}`);
    expect(refused).toMatch(/We could not send a code/);
    expect(refused).toMatch(/refused to send the code to your number/);
  });
});

/** Restarts and replicas: a message is never lost and never sent twice. */
describe('the outbox across restarts and replicas', () => {
  const h = new SignInHarness();
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  it('sends a message that was still being retried when Gatehouse stopped, after it starts again', async () => {
    const slug = await h.tenant({});
    const { id } = await h.user(slug, `restart-${slug}`);
    h.aws.failNext = 3;
    const reset = await h.admin('POST', `/tenants/${slug}/users/${id}/password-reset`);
    expect(reset.status).toBe(202);
    expect(reset.body.message.status).toBe('queued');
    await h.server.restart();
    h.aws.failNext = 0;
    const email = await h.aws.waitForEmail(`restart-${slug}@clinic.test`, () => true, 20_000);
    h.operator = await operatorToken(h.issuer);
    const [message] = (await h.admin('GET', `/tenants/${slug}/users/${id}/messages`)).body.items;
    expect(message).toMatchObject({ status: 'sent', provider_message_id: email.messageId });
    expect(message.attempts).toBeGreaterThanOrEqual(2);
    expect(h.aws.emailsTo(`restart-${slug}@clinic.test`)).toHaveLength(1);
  });

  it('two instances on one database send each message exactly once', async () => {
    if (!h.server.databaseUrl) return; // the embedded database belongs to one process
    const second: TestGatehouse = await startTestGatehouse(h.server.storage, { env: { ...OPERATOR_ENV, ...h.aws.useForAws(h.aws.url) }, sharedDatabase: h.server.databaseUrl });
    try {
      const slug = await h.tenant({});
      const otherOperator = await operatorToken(second.issuer);
      const names = Array.from({ length: 16 }, (_, i) => `twin-${i}-${slug}`);
      // Every call is answered by one of the two; every email queued by it may be sent by either.
      await Promise.all(
        names.map((username, i) =>
          i % 2 === 0
            ? h.admin('POST', `/tenants/${slug}/users`, { username, email: `${username}@clinic.test` })
            : adminCall(second.issuer, otherOperator, 'POST', `/tenants/${slug}/users`, { username, email: `${username}@clinic.test` }),
        ),
      );
      await eventually(async () => {
        const missing = names.filter((n) => h.aws.emailsTo(`${n}@clinic.test`).length === 0);
        if (missing.length) throw new Error(`not yet: ${missing.join(', ')}`);
      }, 15_000);
      await new Promise((r) => setTimeout(r, 1_000));
      for (const username of names) expect(h.aws.emailsTo(`${username}@clinic.test`)).toHaveLength(1);
      const rows = await h.server.gatehouse.database.knex('messages').whereIn('destination', names.map((n) => `${n}@clinic.test`));
      expect(rows.map((r) => [r.status, r.attempts])).toEqual(names.map(() => ['sent', 1]));
    } finally {
      await second.stop();
    }
  });
});
