import type { EventRecord } from '../events/event.repository.js';
import { diagnose, type ClientFacts, type DiagnosisFacts } from './diagnose.js';

const now = new Date('2026-11-24T10:30:00Z');
const at = (hhmm: string, date = '2026-11-24') => new Date(`${date}T${hhmm}:00Z`);
let nextId = 1;

function event(fields: Partial<EventRecord> & Pick<EventRecord, 'type'>): EventRecord {
  return { id: nextId++, at: now, tenant_id: 't', user_id: 'u', client_id: null, client_kind: null, ip: null, user_agent: null, reason: null, actor: null, details: null, ...fields };
}

function client(fields: Partial<ClientFacts> & Pick<ClientFacts, 'client_id' | 'kind'>): ClientFacts {
  return { name: fields.client_id, active_refresh_tokens: 0, last_token_at: null, revoked_at_cut: 0, signed_in_since_cut: false, last_used_at: null, previous_secret_expires_at: null, auth_failures: [], ...fields };
}

function facts(overrides: Partial<DiagnosisFacts> = {}): DiagnosisFacts {
  return {
    now,
    user: { disabled: false, password_temporary: false, password_expires_at: null, password_changed_at: at('08:00', '2026-11-01'), phone: null, phone_verified: false, tokens_valid_after: null, tokens_revoked_reason: null, updated_at: at('08:00', '2026-11-01') },
    mfaMode: 'off',
    locks: [],
    events: [],
    clients: [],
    ...overrides,
  };
}

const newestFirst = (events: EventRecord[]) => [...events].sort((a, b) => b.at.getTime() - a.at.getTime());

describe('diagnosis', () => {
  it('finds nothing wrong with a healthy account', () => {
    expect(diagnose(facts())).toEqual({ can_sign_in: true, blockers: [], clients: [] });
  });

  it('says until when a user is locked, after how many failed passwords and from which app', () => {
    const failures = [10, 11, 12, 13, 14, 15, 16].map((m) => event({ type: 'login.failed', reason: 'wrong_password', at: at(`10:${m}`), ip: '203.0.113.7', client_id: 'demo-mobile', client_kind: 'mobile' }));
    const locked = event({ type: 'account.locked', reason: 'username_ip', at: at('10:16'), ip: '203.0.113.7', client_id: 'demo-mobile', client_kind: 'mobile' });
    const result = diagnose(
      facts({
        locks: [{ scope: 'username_ip', until: new Date('2026-11-24T10:42:10Z'), failures: 7, ip: '203.0.113.7' }],
        events: newestFirst([event({ type: 'login.succeeded', at: at('09:00'), ip: '203.0.113.7' }), ...failures, locked]),
        clients: [client({ client_id: 'demo-mobile', kind: 'mobile' })],
      }),
    );
    expect(result.can_sign_in).toBe(false);
    expect(result.blockers).toEqual([
      { code: 'locked', message: 'locked until 10:42 UTC after 7 failed passwords from the mobile app at 203.0.113.7', since: locked.at.toISOString(), until: '2026-11-24T10:42:10.000Z' },
    ]);
    expect(result.clients[0]).toMatchObject({ client_id: 'demo-mobile', last_failure: { at: at('10:16').toISOString(), reason: 'wrong_password' } });
  });

  it('tells an administrator\'s password change, which apps lost their refresh tokens then, and which keep failing since', () => {
    const cut = at('09:10');
    const changed = event({ type: 'password.changed', at: cut, reason: 'password_changed_by_admin', actor: { type: 'user', user_id: 'j', username: 'jane', tenant_id: 't', role: 'admin' } });
    const denials = Array.from({ length: 14 }, (_, i) => event({ type: 'token.refresh_denied', reason: 'password_changed_by_admin', at: new Date(cut.getTime() + (i + 1) * 60_000), client_id: 'downloader', client_kind: 'downloader' }));
    const result = diagnose(
      facts({
        user: { ...facts().user, tokens_valid_after: cut, tokens_revoked_reason: 'password_changed_by_admin' },
        events: newestFirst([changed, ...denials]),
        clients: [client({ client_id: 'mobile', kind: 'mobile', revoked_at_cut: 1, last_token_at: at('08:00') }), client({ client_id: 'downloader', kind: 'downloader', revoked_at_cut: 1, last_token_at: at('07:00') }), client({ client_id: 'web', kind: 'web', revoked_at_cut: 1, signed_in_since_cut: true })],
      }),
    );
    expect(result.blockers).toEqual([
      {
        code: 'tokens_revoked_by_password_change',
        message: "password changed by admin jane at 09:10 UTC; the downloader's and the mobile app's refresh tokens were revoked then; the downloader has failed 14 times since",
        since: cut.toISOString(),
      },
    ]);
    // Revoked tokens do not stop the person from signing in again.
    expect(result.can_sign_in).toBe(true);
  });

  it('tells a sign-out everywhere apart from a password change, and forgets it once every app signed in again', () => {
    const cut = at('09:10');
    const user = { ...facts().user, tokens_valid_after: cut, tokens_revoked_reason: 'signed_out_by_admin' };
    const signedOut = event({ type: 'user.signed_out', at: cut, reason: 'signed_out_by_admin', actor: { type: 'operator', client_id: 'ops' } });
    expect(diagnose(facts({ user, events: [signedOut], clients: [client({ client_id: 'm', kind: 'mobile', revoked_at_cut: 2 })] })).blockers).toEqual([
      { code: 'tokens_revoked_by_sign_out', message: "signed out everywhere by operator client ops at 09:10 UTC; the mobile app's refresh tokens were revoked then", since: cut.toISOString() },
    ]);
    expect(diagnose(facts({ user, events: [signedOut], clients: [client({ client_id: 'm', kind: 'mobile', revoked_at_cut: 2, signed_in_since_cut: true })] })).blockers).toEqual([]);
  });

  it('explains disabled accounts and temporary passwords, and which of them stop a sign-in', () => {
    const disabled = diagnose(facts({ user: { ...facts().user, disabled: true }, events: [event({ type: 'user.signed_out', reason: 'account_disabled', at: at('09:00'), actor: { type: 'user', user_id: 'j', username: 'jane', tenant_id: 't', role: 'admin' } })] }));
    expect(disabled).toMatchObject({ can_sign_in: false, blockers: [{ code: 'disabled', message: 'the account was disabled by admin jane at 09:00 UTC; enable it to let the user sign in' }] });

    const pending = diagnose(facts({ user: { ...facts().user, password_temporary: true, password_expires_at: at('10:00', '2026-11-30') } }));
    expect(pending).toMatchObject({ can_sign_in: true, blockers: [{ code: 'password_change_required', until: at('10:00', '2026-11-30').toISOString() }] });

    const expired = diagnose(facts({ user: { ...facts().user, password_temporary: true, password_expires_at: at('10:00') } }));
    expect(expired).toMatchObject({ can_sign_in: false, blockers: [{ code: 'temporary_password_expired', message: 'the temporary password expired at 10:00 UTC; send a new one' }] });
  });

  it('tells a required SMS step without a verified phone, and an SMS budget used up when the step applies', () => {
    expect(diagnose(facts({ mfaMode: 'required' })).blockers.map((b) => b.code)).toEqual(['mfa_phone_missing']);
    expect(diagnose(facts({ mfaMode: 'optional' })).blockers).toEqual([]);
    const exhausted = { exhausted: true, since: at('08:00', '2026-11-20') };
    const verified = { ...facts().user, phone: '+14155550123', phone_verified: true };
    expect(diagnose(facts({ mfaMode: 'required', user: verified, smsBudget: exhausted }))).toMatchObject({ can_sign_in: false, blockers: [{ code: 'sms_budget_exhausted', since: exhausted.since.toISOString() }] });
    // Nobody is sent a code under `off`: the budget does not matter to this user.
    expect(diagnose(facts({ mfaMode: 'off', user: verified, smsBudget: exhausted })).blockers).toEqual([]);
  });

  it('tells support an old password is being retried, from which app, address and browser, until it succeeds from there', () => {
    const retry = (hhmm: string) => event({ type: 'login.failed', reason: 'previous_password', at: at(hhmm), client_id: 'dl', client_kind: 'downloader', ip: '198.51.100.4', user_agent: 'SyncTool/2.1', details: { password_changed_at: '2026-11-20T09:10:00.000Z' } });
    const retries = [retry('09:30'), retry('09:45'), retry('10:02')];
    expect(diagnose(facts({ events: newestFirst(retries) })).blockers).toEqual([
      { code: 'old_password_retried', message: 'an old password (replaced on 20 Nov 2026) is being retried from the downloader at 198.51.100.4 (SyncTool/2.1): 3 times, last at 10:02 UTC', since: at('09:30').toISOString() },
    ]);
    const success = event({ type: 'login.succeeded', at: at('10:10'), client_id: 'dl', client_kind: 'downloader', ip: '198.51.100.4' });
    expect(diagnose(facts({ events: newestFirst([...retries, success]) })).blockers).toEqual([]);
  });

  it('tells an integration still presenting its expired secret, with its refusals as the client\'s last failure', () => {
    const failure = (hhmm: string) => event({ type: 'client.auth_failed', reason: 'client_secret_expired', at: at(hhmm), client_id: 'int', client_kind: 'integration', user_id: null });
    const integration = client({ client_id: 'int', kind: 'integration', previous_secret_expires_at: at('09:00'), last_used_at: at('08:55'), auth_failures: [failure('10:20'), failure('10:10')] });
    const result = diagnose(facts({ clients: [integration] }));
    expect(result.blockers).toEqual([
      { code: 'client_secret_expired', message: "the integration's previous secret expired at 09:00 UTC and it still presents it: refused twice, last at 10:20 UTC; give it the current secret", since: at('09:00').toISOString() },
    ]);
    expect(result.clients).toEqual([{ client_id: 'int', kind: 'integration', last_success_at: at('08:55').toISOString(), last_failure: { at: at('10:20').toISOString(), reason: 'client_secret_expired' }, active_refresh_tokens: 0 }]);
  });

  it('names the delivery facts: a failed email, one still being retried, a suppressed SMS, the hourly reset limit and a bounced address', () => {
    const message = (fields: Partial<NonNullable<DiagnosisFacts['delivery']>['messages'][number]>) => ({
      channel: 'email' as const,
      purpose: 'recovery-code',
      destination_masked: 'a•••@example.com',
      status: 'sent' as const,
      reason: null,
      attempts: 1,
      created_at: at('10:40'),
      last_attempt_at: at('10:40'),
      final_at: at('10:40'),
      ...fields,
    });
    const result = diagnose(
      facts({
        delivery: {
          messages: [
            message({ status: 'failed', reason: 'MessageRejected: Email address is not verified.', final_at: at('10:42') }),
            message({ status: 'sent', final_at: at('10:01') }),
            message({ purpose: 'temporary-password', status: 'queued', attempts: 3, reason: 'Throttling: Maximum sending rate exceeded.', created_at: at('10:20'), final_at: null }),
            message({ channel: 'sms', purpose: 'sms-sign-in-code', destination_masked: '+1•••0123', status: 'suppressed', reason: 'budget', final_at: at('09:15') }),
          ],
          resetCodes: { total: 6, limit: 5, resetsInMs: 32 * 60_000 },
          bounce: { kind: 'bounce', reason: 'Permanent/General', at: at('08:05', '2026-11-20') },
        },
      }),
    );
    expect(result.can_sign_in).toBe(true);
    expect(result.blockers.map((b) => [b.code, b.message])).toEqual([
      ['email_bounced', 'email address bounced on 20 Nov 2026 at 08:05 UTC (Permanent/General); emails to it may not arrive: correct the address'],
      ['reset_code_limit', '5 reset codes were sent in the last hour (the most allowed); the next can be sent at 11:02 UTC'],
      ['message_failed', 'the reset email to a•••@example.com failed at 10:42 UTC: the address was rejected (MessageRejected: Email address is not verified.)'],
      ['message_retrying', 'the temporary-password email to a•••@example.com could not be sent yet (3 attempts since 10:20 UTC, last: the provider asked to slow down (Throttling: Maximum sending rate exceeded.)); it is being retried'],
      ['message_suppressed', "the sign-in code by SMS to +1•••0123 was not sent at 09:15 UTC: the organisation's SMS budget for the month was used up"],
    ]);
  });

  it('says nothing of delivery when the newest message of each kind went out', () => {
    const sent = { channel: 'email' as const, purpose: 'recovery-code', destination_masked: 'a•••@example.com', status: 'sent' as const, reason: null, attempts: 2, created_at: at('10:00'), last_attempt_at: at('10:01'), final_at: at('10:01') };
    const failedEarlier = { ...sent, status: 'failed' as const, reason: 'InternalFailure', created_at: at('09:00') };
    expect(diagnose(facts({ delivery: { messages: [sent, failedEarlier], resetCodes: { total: 2, limit: 5, resetsInMs: 1000 } } })).blockers).toEqual([]);
  });

  it('names single sign-on: password sign-in off, and the newest refusal since the last sign-in with what to do', () => {
    const refusedUnknown = event({ type: 'sso.refused', reason: 'unknown_user', user_id: null, at: at('10:20'), details: { upstream_username: 'ada@contoso.test' } });
    const refusedEarlier = event({ type: 'sso.refused', reason: 'upstream_failed', at: at('09:00'), details: { cause: 'ECONNREFUSED' }, request_id: 'req-1' });
    const result = diagnose(
      facts({
        events: [refusedEarlier],
        singleSignOn: { required: true, displayName: 'Microsoft', unmatchedRefusals: [refusedUnknown] },
      }),
    );
    expect(result.can_sign_in).toBe(false);
    expect(result.blockers.map((b) => b.code)).toEqual(['sso_required', 'sso_unknown_user']);
    expect(result.blockers[1]!.message).toContain('Microsoft signed in the person as ada@contoso.test, but no Gatehouse user is linked');

    // A sign-in since then: the refusal no longer explains anything; an upstream failure alone does not stop sign-in.
    const later = diagnose(facts({ events: [event({ type: 'login.succeeded', at: at('10:25') }), refusedEarlier], singleSignOn: { required: false, displayName: 'Microsoft', unmatchedRefusals: [refusedUnknown] } }));
    expect(later).toMatchObject({ can_sign_in: true, blockers: [] });
    const failing = diagnose(facts({ events: [refusedEarlier], singleSignOn: { required: false, displayName: 'Microsoft', unmatchedRefusals: [] } }));
    expect(failing.can_sign_in).toBe(true);
    expect(failing.blockers).toEqual([{ code: 'sso_upstream_failed', message: 'the sign-in through Microsoft did not complete (ECONNREFUSED); error id req-1 in the logs', since: refusedEarlier.at.toISOString() }]);
  });
});
