import { OPERATOR_ENV, adminCall, createUser, operatorToken } from '../helpers/admin-api.js';
import { eventually } from '../helpers/lockout-clock.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

interface DevMessage {
  channel: string;
  purpose: string;
  to: string | null;
  status: string;
  reason: string | null;
  subject?: string;
  text?: string;
}

/** /dev/outbox shows a newcomer the statuses support sees, on the embedded default too. */
describe.each([...new Set(['embedded', fullestStorage()] as const)])('the dev outbox on %s storage', (storage) => {
  let server: TestGatehouse;
  let operator: string;
  beforeAll(async () => {
    server = await startTestGatehouse(storage, { env: OPERATOR_ENV });
    operator = await operatorToken(server.issuer);
  });
  afterAll(async () => server?.stop());

  const outbox = async (): Promise<DevMessage[]> => (await (await fetch(`${server.issuer}/dev/outbox`)).json()).messages;

  it('lists sent messages with their text, and suppressed ones with the rule that stopped them', async () => {
    const { id } = await createUser(server.issuer, operator, { username: `newcomer-${storage.replace('+', '-')}`, email: 'newcomer@demo.test' });
    for (let i = 0; i < 5; i++) expect((await adminCall(server.issuer, operator, 'POST', `/tenants/demo/users/${id}/password-reset`)).status).toBe(202);
    expect((await adminCall(server.issuer, operator, 'POST', `/tenants/demo/users/${id}/password-reset`)).status).toBe(429);

    const messages = await eventually(async () => {
      const listed = (await outbox()).filter((m) => m.to === 'newcomer@demo.test' || m.reason === 'per_hour_limit');
      if (listed.filter((m) => m.status === 'sent').length < 5) throw new Error('not all sent yet');
      return listed;
    });
    expect(messages[0]).toMatchObject({ channel: 'email', purpose: 'recovery-code', status: 'suppressed', reason: 'per_hour_limit' });
    expect(messages[0]!.text).toBeUndefined();
    expect(messages[1]).toMatchObject({ status: 'sent', subject: 'Your password reset code', to: 'newcomer@demo.test' });
    expect(messages[1]!.text).toMatch(/^Your code: \d{6}$/m);
  });
});
