import { startOperatorGatehouse } from '../helpers/operator-gatehouse.js';
import { adminCall, createUser } from '../helpers/admin-api.js';
import { emailsTo, fullestStorage, PATIENT_STORAGE_ENV, type TestGatehouse } from '../helpers/test-gatehouse.js';

const PER_HOUR = 5;
const onRealPostgres = fullestStorage() !== 'embedded';

/**
 * The attack: `POST …/users/{id}/temporary-password` sent 969 emails to one person, with no
 * limit. Every administrator call that emails a person (temporary password, reset, invitation)
 * now takes one of that person's 5 messages of the hour, atomically: a few hundred calls in
 * parallel send 5 emails, and the rest get 429 problem+json with Retry-After and when.
 */
(onRealPostgres ? describe : describe.skip)('administrator calls flooding a person with email', () => {
  let server: TestGatehouse;
  let issuer: string;
  let operator: string;

  beforeAll(async () => {
    // The calls count against limits; a slow machine must not shed them (503) first.
    ({ server, issuer, operator } = await startOperatorGatehouse(PATIENT_STORAGE_ENV));
  });
  afterAll(async () => server?.stop());

  const emailCount = (address: string) => emailsTo(server, address).length;

  it('sends one person at most 5 temporary passwords and resets an hour, however many calls arrive at once', async () => {
    const victim = await createUser(issuer, operator, { username: 'inbox-victim', email: 'inbox-victim@demo.test' });
    const before = emailCount('inbox-victim@demo.test');
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => adminCall(issuer, operator, 'POST', `/tenants/demo/users/${victim.id}/${i % 4 === 0 ? 'password-reset' : 'temporary-password'}`)),
    );
    const sent = answers.filter((a) => a.status === 202);
    const refused = answers.filter((a) => a.status === 429);
    // A reset is refused (409) while a temporary password is pending: it sent nothing and used nothing up.
    expect(answers.filter((a) => ![202, 409, 429].includes(a.status)).map((a) => `${a.status} ${JSON.stringify(a.body)}`)).toEqual([]);
    expect(sent).toHaveLength(PER_HOUR);
    expect(refused.length).toBeGreaterThanOrEqual(200 - PER_HOUR - answers.filter((a) => a.status === 409).length);
    expect(emailCount('inbox-victim@demo.test') - before).toBe(PER_HOUR);
    const problem = refused[0]!;
    expect(problem.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(Number(problem.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(problem.body).toMatchObject({ status: 429, retry_after_seconds: expect.any(Number), retry_at: expect.any(String) });
    expect(Date.parse(problem.body.retry_at)).toBeGreaterThan(Date.now());
  });

  it('answers resets of one person at the same moment: each is sent, or a 409 that sent nothing because a newer one replaced it', async () => {
    for (let round = 0; round < 4; round++) {
      const person = await createUser(issuer, operator, { username: `reset-twice-${round}` });
      // As many as the hour allows, at once: flows opened side by side replace each other's code.
      const answers = await Promise.all(Array.from({ length: PER_HOUR }, () => adminCall(issuer, operator, 'POST', `/tenants/demo/users/${person.id}/password-reset`)));
      // Never a 502 for a provider that refused nothing.
      expect(answers.filter((a) => a.status !== 202 && a.status !== 409).map((a) => `${a.status} ${JSON.stringify(a.body)}`)).toEqual([]);
      expect(answers.filter((a) => a.status === 202).length).toBeGreaterThanOrEqual(1);
      for (const replaced of answers.filter((a) => a.status === 409)) expect(replaced.body.detail).toMatch(/replaced this reset/);
      expect(emailCount(`reset-twice-${round}@demo.test`)).toBeGreaterThanOrEqual(1);
    }
  });

  it('limits invitations to one address the same way', async () => {
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => adminCall(issuer, operator, 'POST', '/tenants/demo/users', { username: `invitee-${i}`, email: 'Same.Inbox@demo.test' })),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(PER_HOUR);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(30 - PER_HOUR);
  });

  it('does not use up the limit with calls that send nothing', async () => {
    const disabled = await createUser(issuer, operator, { username: 'disabled-one', email: 'disabled-one@demo.test' });
    expect((await adminCall(issuer, operator, 'PATCH', `/tenants/demo/users/${disabled.id}`, { disabled: true })).status).toBe(200);
    for (let i = 0; i < 10; i++) expect((await adminCall(issuer, operator, 'POST', `/tenants/demo/users/${disabled.id}/temporary-password`)).status).toBe(409);
    expect((await adminCall(issuer, operator, 'PATCH', `/tenants/demo/users/${disabled.id}`, { disabled: false })).status).toBe(200);
    expect((await adminCall(issuer, operator, 'POST', `/tenants/demo/users/${disabled.id}/temporary-password`)).status).toBe(202);
  });
});
