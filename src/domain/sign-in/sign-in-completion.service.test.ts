import type { UserDevice } from '../devices/device.repository.js';
import type { UserRecord } from '../users/user.js';
import { SignInCompletion, type SignInCompletionDependencies } from './sign-in-completion.service.js';
import { SignInFacts } from './sign-in-facts.js';

const now = new Date('2026-11-30T12:00:00Z');
const user = { id: '11111111-1111-4111-8111-111111111111', tenant_id: '22222222-2222-4222-8222-222222222222', last_login_at: new Date('2026-11-29T08:00:00Z') } as UserRecord;
const source = { ip: '203.0.113.7', userAgent: 'Browser/1', clientId: 'demo-web', clientKind: 'web' };
const input = { deviceHash: 'this-browser', source, clientName: 'Demo', amr: ['pwd'] };

/** The completion with collaborators that record what was written. */
function harness(options: { knownBrowser?: boolean } = {}) {
  const writes: string[] = [];
  const mails: string[] = [];
  const deps = {
    users: { recordLogin: async () => void writes.push('last sign-in') },
    devices: {
      touch: async () => (writes.push('browser seen'), !options.knownBrowser),
      find: async () => (writes.push('browser read'), undefined),
    },
    signInEvents: { succeeded: () => void writes.push('event') },
    mail: { send: async (kind: string) => void mails.push(kind) },
    background: (work: Promise<unknown>) => void work,
    now: () => now,
  } as unknown as SignInCompletionDependencies;
  const facts = (device?: UserDevice | null, deviceHash = 'this-browser') =>
    new SignInFacts(user, { tenants: { findById: async () => ({ id: user.tenant_id }) }, devices: deps.devices } as never, deviceHash, device === undefined ? {} : { device, tenant: { id: user.tenant_id } as never });
  return { completion: new SignInCompletion(deps), writes, mails, facts };
}

const seen = (at: string) => ({ device_hash: 'this-browser', user_id: user.id, last_seen_at: new Date(at) }) as UserDevice;

describe('completing a sign-in', () => {
  it('writes the last sign-in and the event, and not the browser again when the request read it seen within the day', async () => {
    const { completion, writes, mails, facts } = harness({ knownBrowser: true });
    await completion.complete(facts(seen('2026-11-30T07:00:00Z')), input);
    expect(writes).toEqual(['last sign-in', 'event']);
    expect(mails).toEqual([]);
  });

  it('writes a browser seen longer ago, one not read yet (without reading it first), and another browser than the one read', async () => {
    const cases: [string, (facts: ReturnType<typeof harness>['facts']) => SignInFacts][] = [
      ['seen yesterday', (facts) => facts(seen('2026-11-29T11:00:00Z'))],
      ['not read', (facts) => facts()],
      ['another browser', (facts) => facts(seen('2026-11-30T07:00:00Z'), 'another-browser')],
    ];
    for (const [label, factsOf] of cases) {
      const { completion, writes, facts } = harness({ knownBrowser: true });
      await completion.complete(factsOf(facts), input);
      expect({ label, writes }).toEqual({ label, writes: ['last sign-in', 'browser seen', 'event'] });
    }
  });

  it('records a browser the user never signed in from and sends the new-device notice', async () => {
    const { completion, writes, mails, facts } = harness({ knownBrowser: false });
    await completion.complete(facts(null), input);
    expect(writes).toEqual(['last sign-in', 'browser seen', 'event']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(mails).toEqual(['new-device']);
  });
});
