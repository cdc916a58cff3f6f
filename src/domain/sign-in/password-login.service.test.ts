import { pino } from 'pino';
import type { FailedPasswordMemo, LastFailedPasswords } from '../lockout/last-failed-password.js';
import { lockoutSubject } from '../lockout/lockout-policy.js';
import { PasswordLoginService, type PasswordLoginDependencies } from './password-login.service.js';
import type { UserRecord } from '../users/user.js';

const alice = { id: '11111111-1111-4111-8111-111111111111', tenant_id: '22222222-2222-4222-8222-222222222222', username: 'alice', password_hash: 'hash' } as UserRecord;
const tenant = { id: alice.tenant_id, settings: { lockout: { max_failures: 5, username_max_failures: 20, ip_failures_per_hour: 100 } } };
const source = { ip: '203.0.113.7', userAgent: 'Browser/1', clientId: 'demo-web', clientKind: 'web' };

/** The service with in-memory collaborators that record what was asked of them. */
function harness(options: { lockedUntil?: Date; previousChange?: Date } = {}) {
  const calls: string[] = [];
  const events: { reason: string; user?: string; details?: Record<string, unknown> }[] = [];
  const failures: string[] = [];
  const memos = new Map<string, FailedPasswordMemo>();
  // Whether the username has failures counted when the next attempt is checked.
  const counting = { failuresCounted: true };
  let releaseLookup!: () => void;
  const lookupReleased = new Promise<void>((resolve) => (releaseLookup = resolve));
  const lastFailed: LastFailedPasswords = {
    get: async (username) => (calls.push('last failed?'), memos.get(lockoutSubject(username))),
    set: async (username, memo) => void memos.set(lockoutSubject(username), memo),
    forget: async (username) => void memos.delete(lockoutSubject(username)),
  };
  const deps = {
    records: {
      byUsername: async (name: string, hash?: string) => {
        calls.push('records');
        if (name.toLowerCase() !== 'alice') return undefined;
        return { user: alice, tenant: tenant, device: hash === 'known-browser' ? {} : null, singleSignOn: undefined };
      },
    },
    signIn: { verifyFor: async (user: UserRecord | undefined, password: string) => (calls.push('bcrypt'), user && password === 'right-password' ? { ok: true, user } : { ok: false, reason: 'invalid_credentials' }) },
    lockout: {
      checkAttempt: async () => (calls.push('lock?'), { lock: options.lockedUntil ? { scope: 'username_ip', until: options.lockedUntil, failures: 5 } : undefined, failuresToForget: counting.failuresCounted }),
      recordFailure: async ({ username }: { username: string }) => (failures.push(username), []),
      recordSuccess: async () => void calls.push('reset'),
    },
    lastFailed,
    previousPasswords: {
      changedAwayFrom: async () => {
        calls.push('history');
        await lookupReleased;
        return options.previousChange;
      },
      changedAwayFromInConstantWork: async () => {
        calls.push('history');
        await lookupReleased;
        return options.previousChange;
      },
    },
    signInEvents: { failed: (user: UserRecord | undefined, _source: unknown, reason: string, details?: Record<string, unknown>) => events.push({ reason, user: user?.id, details }), succeeded: () => undefined },
    logger: pino({ level: 'silent' }),
    fingerprintKey: Buffer.alloc(32, 1),
  } as unknown as PasswordLoginDependencies;
  return { service: new PasswordLoginService(deps), calls, events, failures, releaseLookup, counting };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the password step', () => {
  it('checks no password while locked, and says the same for a known and an unknown username', async () => {
    const until = new Date('2026-11-24T10:42:00Z');
    const { service, calls } = harness({ lockedUntil: until });
    expect(await service.attempt({ username: 'alice', password: 'right-password', source })).toEqual({ ok: false, reason: 'locked', until });
    expect(await service.attempt({ username: 'nobody', password: 'right-password', source })).toEqual({ ok: false, reason: 'locked', until });
    expect(calls).not.toContain('bcrypt');
  });

  it('costs an unknown username exactly the look-ups and hashing of a known one', async () => {
    const known = harness();
    const unknown = harness();
    await known.service.attempt({ username: 'alice', password: 'wrong-1', deviceHash: 'some-browser', source });
    await unknown.service.attempt({ username: 'nobody', password: 'wrong-1', deviceHash: 'some-browser', source });
    // A known user's previous passwords are looked up only after the answer (see below).
    const beforeAnswering = (calls: string[]) => calls.filter((call) => call !== 'history');
    expect(beforeAnswering(unknown.calls)).toEqual(beforeAnswering(known.calls));
    // One read of the user, their tenant and this browser together, known or not.
    expect(beforeAnswering(known.calls)).toEqual(['records', 'lock?', 'bcrypt', 'last failed?']);
    expect(unknown.failures).toEqual(['nobody']);
    // ...and after the answer too: the look-up runs for an unknown username as well, so the
    // next request is not faster when the username does not exist.
    expect(unknown.calls.filter((call) => call === 'history')).toEqual(known.calls.filter((call) => call === 'history'));
    expect(known.calls).toContain('history');
  });

  it('counts a wrong password retried unchanged once toward lockout, in any case of the username', async () => {
    const { service, failures, events, releaseLookup } = harness();
    releaseLookup();
    for (const username of ['alice', 'Alice', 'ALICE']) await service.attempt({ username, password: 'saved-old-password', source });
    await service.attempt({ username: 'alice', password: 'another-guess', source });
    expect(failures).toHaveLength(2);
    await settle();
    expect(events.map((e) => e.details?.repeated)).toEqual([false, true, true, false]);
  });

  it('counts a remembered wrong password again once its failures no longer count (a success since, or their expiry)', async () => {
    const { service, failures, calls, releaseLookup, counting } = harness();
    releaseLookup();
    await service.attempt({ username: 'alice', password: 'saved-old-password', source });
    // The success forgets the counts without writing (nothing to reset); the memory of the
    // wrong password may stay, and must not spare the next one.
    counting.failuresCounted = false;
    calls.length = 0;
    await service.attempt({ username: 'alice', password: 'saved-old-password', source });
    expect(failures).toHaveLength(2);
    expect(calls).not.toContain('last failed?');
  });

  it('tells a browser that signed in as the user before that a password is a previous one, and when it changed', async () => {
    const changed = new Date('2026-11-20T09:10:00Z');
    const { service, releaseLookup } = harness({ previousChange: changed });
    releaseLookup();
    expect(await service.attempt({ username: 'alice', password: 'old-password', deviceHash: 'known-browser', source })).toMatchObject({ ok: false, reason: 'previous_password', changedAt: changed });
  });

  it('answers anyone else without waiting for the previous-password look-up, and records it for support afterwards', async () => {
    const { service, events, releaseLookup } = harness({ previousChange: new Date('2026-11-20T09:10:00Z') });
    expect(await service.attempt({ username: 'alice', password: 'old-password', deviceHash: 'stranger', source })).toEqual({ ok: false, reason: 'invalid_credentials' });
    expect(events).toEqual([]);
    releaseLookup();
    await settle();
    expect(events).toEqual([{ reason: 'previous_password', user: alice.id, details: { repeated: false, password_changed_at: '2026-11-20T09:10:00.000Z' } }]);
  });

  it('reads nothing again when the request already found the username (home-realm discovery)', async () => {
    const { service, calls } = harness();
    const found = await service.find('alice', 'known-browser');
    calls.length = 0;
    expect(await service.attempt({ username: 'alice', password: 'right-password', deviceHash: 'known-browser', source, found })).toMatchObject({ ok: true, user: alice, device: {} });
    expect(await service.attempt({ username: 'nobody', password: 'right-password', source, found: null })).toMatchObject({ ok: false, reason: 'invalid_credentials' });
    expect(calls).not.toContain('records');
  });

  it('resets the counts on the right password', async () => {
    const { service, calls } = harness();
    expect(await service.attempt({ username: 'alice', password: 'right-password', source })).toMatchObject({ ok: true });
    expect(calls).toContain('reset');
  });
});
