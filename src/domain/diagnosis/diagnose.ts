import type { UserRecord } from '../users/user.js';
import type { EventRecord } from '../events/event.repository.js';
import type { EventType } from '../events/event-types.js';
import type { ActiveLock } from '../lockout/lockout-counters.js';
import { actorPhrase, andList, clientLabel, clock, day, deliveryFailure, messageLabel, plural, possessiveList, shortUserAgent, suppressionRule, times, type NamedClient } from './diagnosis-phrases.js';
import type { MessageRecord } from '../delivery/message.js';

/** DESIGN §5. */
export const BLOCKER_CODES = [
  'disabled',
  'locked',
  'password_change_required',
  'temporary_password_expired',
  'tokens_revoked_by_password_change',
  'tokens_revoked_by_sign_out',
  'mfa_phone_missing',
  'sms_budget_exhausted',
  'old_password_retried',
  'client_secret_expired',
  'no_usable_second_factor',
  'email_bounced',
  'message_failed',
  'message_retrying',
  'message_suppressed',
  'reset_code_limit',
  'sso_required',
  'sso_unknown_user',
  'sso_no_seat_left',
  'sso_domain_not_allowed',
  'sso_upstream_failed',
  'sso_not_linked',
] as const;
export type BlockerCode = (typeof BLOCKER_CODES)[number];

/**
 * Blockers that stop the right password from working where the person tries it. The others
 * explain a refusal the person or an app meets (an old password, revoked tokens, an expired
 * secret) while the account itself can sign in.
 */
const STOPS_SIGN_IN: ReadonlySet<BlockerCode> = new Set([
  'disabled',
  'locked',
  'temporary_password_expired',
  'sms_budget_exhausted',
  'no_usable_second_factor',
  'sso_unknown_user',
  'sso_no_seat_left',
  'sso_domain_not_allowed',
  'sso_not_linked',
]);

export interface Blocker {
  code: BlockerCode;
  message: string;
  since: string | null;
  until?: string;
}

export interface ClientStatus {
  client_id: string;
  kind: string | null;
  last_success_at: string | null;
  last_failure: { at: string; reason: string } | null;
  active_refresh_tokens: number;
}

export interface Diagnosis {
  can_sign_in: boolean;
  blockers: Blocker[];
  clients: ClientStatus[];
}

/** What is known of one client the user uses (or, for a tenant administrator, the tenant's integrations). */
export interface ClientFacts extends NamedClient {
  active_refresh_tokens: number;
  /** The user's newest refresh token or grant with this client: every refresh rotates the token. */
  last_token_at: Date | null;
  /** Refresh tokens that were alive when the user's tokens were last cut off. */
  revoked_at_cut: number;
  /** The user signed in to this client again after that cut. */
  signed_in_since_cut: boolean;
  /** When the client last authenticated with a secret (an integration's only kind of success). */
  last_used_at: Date | null;
  /** When its previous secret stopped being accepted, if it was rotated. */
  previous_secret_expires_at: Date | null;
  /** The client's own `client.auth_failed` events, newest first. */
  auth_failures: EventRecord[];
}

export interface DiagnosisFacts {
  now: Date;
  user: Pick<UserRecord, 'disabled' | 'password_temporary' | 'password_expires_at' | 'password_changed_at' | 'phone' | 'phone_verified' | 'tokens_valid_after' | 'tokens_revoked_reason' | 'updated_at'>;
  mfaMode: 'off' | 'optional' | 'required';
  locks: ActiveLock[];
  /** The user's recent events, newest first. */
  events: EventRecord[];
  clients: ClientFacts[];
  /** Absent until the SMS budget is wired in. */
  smsBudget?: { exhausted: boolean; since?: Date };
  /** The second-factor methods the user has set up that the tenant allows (`sms`, `totp`, `recovery_code`). */
  enrolledMethods?: string[];
  /** Absent until the outbox is wired in. */
  delivery?: DeliveryFacts;
  /** The tenant's single sign-on, when it has one. */
  singleSignOn?: {
    required: boolean;
    displayName: string;
    /** Refusals that named the user without finding them (no user linked), newest first. */
    unmatchedRefusals: EventRecord[];
  };
}

/** What the outbox knows of the user's emails and SMS. */
export interface DeliveryFacts {
  /** The user's messages of the last day, newest first. */
  messages: Pick<MessageRecord, 'channel' | 'purpose' | 'destination_masked' | 'status' | 'reason' | 'attempts' | 'created_at' | 'last_attempt_at' | 'final_at'>[];
  /** The user's address bounced or drew a complaint. */
  bounce?: { kind: 'bounce' | 'complaint'; reason: string | null; at: Date };
  /** Reset codes asked for the username in the current hour, and when that hour ends. */
  resetCodes?: { total: number; limit: number; resetsInMs: number };
}

const HOUR_MS = 60 * 60 * 1000;
/** An old password retried within this long is worth telling support about. */
const RETRY_WINDOW_MS = 7 * 24 * HOUR_MS;
/** An integration still presenting an expired secret within this long is failing now. */
const SECRET_FAILURE_WINDOW_MS = 24 * HOUR_MS;
const FAILURE_TYPES: ReadonlySet<EventType> = new Set([
  'login.failed',
  'mfa.failed',
  'token.refresh_denied',
  'token.code_denied',
  'token.device_code_denied',
  'token.client_credentials_denied',
  'client.auth_failed',
]);

/** Why this user can or cannot sign in, per client: pure, from facts gathered by DiagnosisService. */
export function diagnose(facts: DiagnosisFacts): Diagnosis {
  const blockers = [
    ...disabled(facts),
    ...locked(facts),
    ...temporaryPassword(facts),
    ...tokensRevoked(facts),
    ...secondFactor(facts),
    ...oldPasswordRetried(facts),
    ...secretExpired(facts),
    ...delivery(facts),
    ...singleSignOn(facts),
  ];
  return { can_sign_in: !blockers.some((b) => STOPS_SIGN_IN.has(b.code)), blockers, clients: clientStatuses(facts) };
}

function disabled({ user, events, now }: DiagnosisFacts): Blocker[] {
  if (!user.disabled) return [];
  const cut = events.find((e) => e.type === 'user.signed_out' && e.reason === 'account_disabled');
  const at = cut?.at ?? (user.tokens_revoked_reason === 'account_disabled' ? user.tokens_valid_after : null) ?? user.updated_at;
  const by = actorPhrase(cut?.actor);
  return [{ code: 'disabled', message: `the account was disabled${by ? ` by ${by}` : ''} at ${clock(at, now)}; enable it to let the user sign in`, since: at.toISOString() }];
}

function locked(facts: DiagnosisFacts): Blocker[] {
  const { locks, events, now } = facts;
  return locks.map((lock) => {
    const started = events.find((e) => e.type === 'account.locked' && e.reason === lock.scope && (!lock.ip || e.ip === lock.ip));
    const until = clock(lock.until, now);
    const base = { code: 'locked' as const, since: started?.at.toISOString() ?? null, until: lock.until.toISOString() };
    if (lock.scope === 'ip') {
      return { ...base, message: `sign-ins from ${lock.ip} are locked until ${until} after ${plural(lock.failures, 'failed password')} for any account from that address within an hour` };
    }
    if (lock.scope === 'second_factor') {
      return { ...base, message: `locked until ${until} on every browser the user has not signed in from before, after the SMS code was entered wrong too often in ${plural(lock.failures, 'sign-in', 'sign-ins')}` };
    }
    const run = failureRun(facts, lock.scope === 'username_ip' ? lock.ip : undefined);
    const sources = andList(distinct(run.map((e) => clientLabel({ client_id: e.client_id ?? '', kind: e.client_kind }, facts.clients)).filter((label) => !label.startsWith('client '))));
    if (lock.scope === 'username_ip') {
      return { ...base, message: `locked until ${until} after ${plural(lock.failures, 'failed password')}${sources ? ` from ${sources}` : ''} at ${lock.ip}` };
    }
    const addresses = distinct(run.map((e) => e.ip ?? '')).filter(Boolean).length;
    return {
      ...base,
      message: `locked until ${until} on every browser the user has not signed in from before, after ${plural(lock.failures, 'failed password')}${sources ? ` from ${sources}` : ''}${addresses ? ` at ${plural(addresses, 'address', 'addresses')}` : ''}`,
    };
  });
}

/** The wrong passwords since the last success or unlock (from one address, when given): what a lock counted. */
function failureRun({ events }: DiagnosisFacts, ip: string | undefined): EventRecord[] {
  const run: EventRecord[] = [];
  for (const event of events) {
    if (event.type === 'account.unlocked' || (event.type === 'login.succeeded' && (!ip || event.ip === ip))) break;
    const counted = event.type === 'login.failed' && (event.reason === 'wrong_password' || event.reason === 'previous_password');
    if (counted && (!ip || event.ip === ip)) run.push(event);
  }
  return run;
}

function temporaryPassword({ user, now }: DiagnosisFacts): Blocker[] {
  if (!user.password_temporary) return [];
  const since = user.password_changed_at?.toISOString() ?? null;
  if (user.password_expires_at && user.password_expires_at <= now) {
    return [{ code: 'temporary_password_expired', message: `the temporary password expired at ${clock(user.password_expires_at, now)}; send a new one`, since: user.password_expires_at.toISOString() }];
  }
  const valid = user.password_expires_at ? ` (the temporary one is valid until ${clock(user.password_expires_at, now)})` : '';
  return [{ code: 'password_change_required', message: `must choose a new password at the next sign-in${valid}`, since, ...(user.password_expires_at ? { until: user.password_expires_at.toISOString() } : {}) }];
}

function tokensRevoked({ user, events, clients, now }: DiagnosisFacts): Blocker[] {
  const cut = user.tokens_valid_after;
  const reason = user.tokens_revoked_reason;
  // A disabled or deleted account says so itself.
  if (!cut || !reason || reason === 'account_disabled' || reason === 'user_deleted') return [];
  const signOut = reason === 'signed_out_by_admin';
  const denials = (client: NamedClient) => events.filter((e) => e.type === 'token.refresh_denied' && e.client_id === client.client_id && e.at >= cut).length;
  const stillOut = clients
    .filter((c) => !c.signed_in_since_cut && (c.revoked_at_cut > 0 || denials(c) > 0))
    .sort((a, b) => denials(b) - denials(a) || (b.last_token_at?.getTime() ?? 0) - (a.last_token_at?.getTime() ?? 0));
  if (!stillOut.length) return [];

  const cause = events.find((e) => (signOut ? e.type === 'user.signed_out' : e.type === 'password.changed') && e.at.getTime() >= cut.getTime() - 5_000);
  const by = actorPhrase(cause?.actor);
  const when = clock(cut, now);
  const headline = signOut
    ? `signed out everywhere by ${by ?? 'an administrator'} at ${when}`
    : reason === 'password_reset'
      ? `password reset with a code sent to the user's email at ${when}`
      : reason === 'password_changed'
        ? `password changed by the user at ${when}`
        : `password changed by ${by ?? 'an administrator'} at ${when}`;
  const revoked = stillOut.filter((c) => c.revoked_at_cut > 0).map((c) => clientLabel(c, clients));
  const failing = stillOut.filter((c) => denials(c) > 0).map((c, i) => `${clientLabel(c, clients)}${i === 0 ? ' has failed' : ''} ${times(denials(c))}`);
  const parts = [headline, ...(revoked.length ? [`${possessiveList(revoked)} refresh tokens were revoked then`] : []), ...(failing.length ? [`${andList(failing)} since`] : [])];
  return [{ code: signOut ? 'tokens_revoked_by_sign_out' : 'tokens_revoked_by_password_change', message: parts.join('; '), since: cut.toISOString() }];
}

function secondFactor({ user, mfaMode, smsBudget, enrolledMethods }: DiagnosisFacts): Blocker[] {
  const blockers: Blocker[] = [];
  const verifiedPhone = Boolean(user.phone && user.phone_verified);
  const otherMethods = (enrolledMethods ?? []).filter((m) => m !== 'sms');
  if (mfaMode !== 'off' && enrolledMethods?.length && smsBudget?.exhausted && otherMethods.length === 0 && enrolledMethods.includes('sms')) {
    blockers.push({ code: 'no_usable_second_factor', message: "the user's only second factor is a code by SMS, and the organisation's SMS budget for this month is used up; remove the block by raising the budget, or issue a one-time bypass so the user can set up an authenticator app", since: smsBudget.since?.toISOString() ?? null });
  }
  if (mfaMode === 'required' && !verifiedPhone && otherMethods.length === 0) {
    blockers.push({ code: 'mfa_phone_missing', message: `the organisation requires a code by SMS at sign-in but ${user.phone ? 'the mobile number on the profile is not verified' : 'there is no mobile number on the profile'}; the user will be asked to add one at the next sign-in`, since: null });
  }
  const smsStepApplies = mfaMode === 'required' || (mfaMode === 'optional' && verifiedPhone);
  if (smsBudget?.exhausted && smsStepApplies && otherMethods.length === 0 && !blockers.some((b) => b.code === 'no_usable_second_factor')) {
    blockers.push({ code: 'sms_budget_exhausted', message: "the organisation's SMS budget for this month is used up, so no sign-in code can be sent", since: smsBudget.since?.toISOString() ?? null });
  }
  return blockers;
}

function oldPasswordRetried({ events, clients, now }: DiagnosisFacts): Blocker[] {
  const retries = events.filter((e) => e.type === 'login.failed' && e.reason === 'previous_password' && now.getTime() - e.at.getTime() <= RETRY_WINDOW_MS);
  const bySource = new Map<string, EventRecord[]>();
  for (const event of retries) {
    const key = JSON.stringify([event.client_id, event.ip, event.user_agent]);
    bySource.set(key, [...(bySource.get(key) ?? []), event]);
  }
  const blockers: Blocker[] = [];
  for (const group of bySource.values()) {
    const newest = group[0]!;
    // Signed in from there since: the person found the new password.
    if (events.some((e) => e.type === 'login.succeeded' && e.client_id === newest.client_id && e.ip === newest.ip && e.at > newest.at)) continue;
    const changedAt = typeof newest.details?.password_changed_at === 'string' ? new Date(newest.details.password_changed_at) : undefined;
    const from = newest.client_id ? clientLabel({ client_id: newest.client_id, kind: newest.client_kind }, clients) : 'a browser';
    const agent = shortUserAgent(newest.user_agent);
    blockers.push({
      code: 'old_password_retried',
      message: `an old password${changedAt ? ` (replaced on ${day(changedAt)})` : ''} is being retried from ${from} at ${newest.ip ?? 'an unknown address'}${agent ? ` (${agent})` : ''}: ${times(group.length)}, last at ${clock(newest.at, now)}`,
      since: group.at(-1)!.at.toISOString(),
    });
  }
  return blockers;
}

function secretExpired({ clients, now }: DiagnosisFacts): Blocker[] {
  return clients.flatMap((client) => {
    const failures = client.auth_failures.filter((e) => e.reason === 'client_secret_expired' && now.getTime() - e.at.getTime() <= SECRET_FAILURE_WINDOW_MS);
    if (!failures.length) return [];
    const expired = client.previous_secret_expires_at;
    const label = clientLabel(client, clients);
    return [
      {
        code: 'client_secret_expired' as const,
        message: `${label}'s previous secret ${expired ? `expired at ${clock(expired, now)}` : 'expired'} and it still presents it: refused ${times(failures.length)}, last at ${clock(failures[0]!.at, now)}; give it the current secret`,
        since: (expired ?? failures.at(-1)!.at).toISOString(),
      },
    ];
  });
}

function delivery({ delivery, now }: DiagnosisFacts): Blocker[] {
  if (!delivery) return [];
  const blockers: Blocker[] = [];
  if (delivery.bounce) {
    const { bounce } = delivery;
    const what = bounce.kind === 'complaint' ? 'drew a spam complaint' : 'bounced';
    blockers.push({ code: 'email_bounced', message: `email address ${what} on ${day(bounce.at)} at ${clock(bounce.at, bounce.at)}${bounce.reason ? ` (${bounce.reason})` : ''}; emails to it may not arrive: correct the address`, since: bounce.at.toISOString() });
  }
  const codes = delivery.resetCodes;
  if (codes && codes.total >= codes.limit && codes.resetsInMs > 0) {
    const next = new Date(now.getTime() + codes.resetsInMs);
    blockers.push({ code: 'reset_code_limit', message: `${codes.limit} reset codes were sent in the last hour (the most allowed); the next can be sent at ${clock(next, now)}`, since: null, until: next.toISOString() });
  }
  // The newest message of each kind tells where it stands; older ones were overtaken.
  const newest = new Map<string, DeliveryFacts['messages'][number]>();
  for (const message of delivery.messages) if (!newest.has(`${message.channel}:${message.purpose}`)) newest.set(`${message.channel}:${message.purpose}`, message);
  for (const message of newest.values()) {
    const label = `the ${messageLabel(message.channel, message.purpose)}${message.destination_masked ? ` to ${message.destination_masked}` : ''}`;
    const at = message.final_at ?? message.last_attempt_at ?? message.created_at;
    if (message.status === 'failed') {
      blockers.push({ code: 'message_failed', message: `${label} failed at ${clock(at, now)}: ${deliveryFailure(message.reason)}`, since: at.toISOString() });
    } else if (message.status === 'queued' && message.attempts > 0 && message.reason) {
      blockers.push({ code: 'message_retrying', message: `${label} could not be sent yet (${plural(message.attempts, 'attempt')} since ${clock(message.created_at, now)}, last: ${deliveryFailure(message.reason)}); it is being retried`, since: message.created_at.toISOString() });
    } else if (message.status === 'suppressed') {
      blockers.push({ code: 'message_suppressed', message: `${label} was not sent at ${clock(at, now)}: ${suppressionRule(message.reason, message.channel)}`, since: at.toISOString() });
    }
  }
  return blockers;
}

function clientStatuses({ clients, events }: DiagnosisFacts): ClientStatus[] {
  const statuses = clients.map((client) => {
    const own = events.filter((e) => e.client_id === client.client_id);
    const lastLogin = own.find((e) => e.type === 'login.succeeded')?.at ?? null;
    const success = latest([lastLogin, client.last_token_at, client.kind === 'integration' ? client.last_used_at : null]);
    const failure = [...own.filter((e) => FAILURE_TYPES.has(e.type)), ...client.auth_failures].sort((a, b) => b.at.getTime() - a.at.getTime())[0];
    return {
      client_id: client.client_id,
      kind: client.kind,
      last_success_at: success?.toISOString() ?? null,
      last_failure: failure ? { at: failure.at.toISOString(), reason: failure.reason ?? failure.type } : null,
      active_refresh_tokens: client.active_refresh_tokens,
    };
  });
  const activity = (s: ClientStatus) => Math.max(Date.parse(s.last_success_at ?? '') || 0, Date.parse(s.last_failure?.at ?? '') || 0);
  return statuses.sort((a, b) => activity(b) - activity(a));
}

function latest(dates: (Date | null)[]): Date | null {
  return dates.reduce<Date | null>((max, d) => (d && (!max || d > max) ? d : max), null);
}

function distinct<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** A refused sign-in through the tenant's provider: its blocker, and what to do about it. */
const SSO_REFUSALS: Record<string, { code: BlockerCode; explain: (upstream: string, event: EventRecord) => string }> = {
  unknown_user: { code: 'sso_unknown_user', explain: (upstream, e) => `${upstream} signed in ${named(e)}, but no Gatehouse user is linked to that account and the tenant does not create users on first sign-in; link it by giving the user that username or email (in one of the tenant's domains), or turn on just-in-time creation` },
  no_seat_left: { code: 'sso_no_seat_left', explain: (upstream, e) => `${upstream} signed in ${named(e)}, but every seat of the tenant was taken, so no user was created; free a seat or ask the operator for more` },
  domain_not_allowed: { code: 'sso_domain_not_allowed', explain: (upstream, e) => `${upstream} signed in ${named(e)}, whose email domain${typeof e.details?.domain === 'string' ? ` (${e.details.domain})` : ''} is not among the connection's allowed domains` },
  username_taken: { code: 'sso_not_linked', explain: (upstream, e) => `${upstream} signed in ${named(e)}, but that username belongs to a Gatehouse user who could not be linked automatically (another tenant, a look-alike, or already linked to someone else)` },
  upstream_failed: { code: 'sso_upstream_failed', explain: (upstream, e) => `the sign-in through ${upstream} did not complete (${String(e.details?.cause ?? 'error')}); error id ${e.request_id ?? 'unknown'} in the logs` },
  wrong_directory: { code: 'sso_upstream_failed', explain: (upstream, e) => `${upstream} answered with a token of another directory than the configured one; error id ${e.request_id ?? 'unknown'}` },
  upstream_refused: { code: 'sso_upstream_failed', explain: (upstream, e) => `${upstream} refused or the person cancelled (${String(e.details?.upstream_error ?? 'error')}); error id ${e.request_id ?? 'unknown'}` },
};

function named(event: EventRecord): string {
  return typeof event.details?.upstream_username === 'string' ? `the person as ${event.details.upstream_username}` : 'the person';
}

/**
 * Single sign-on: whether password sign-in is off for the tenant, and the newest refused sign-in
 * through its provider since the user last signed in (attached to the user, or naming them).
 */
function singleSignOn({ singleSignOn: sso, events }: DiagnosisFacts): Blocker[] {
  if (!sso) return [];
  const blockers: Blocker[] = [];
  if (sso.required) {
    blockers.push({ code: 'sso_required', message: `signs in with ${sso.displayName} only (single sign-on is required): a password typed at Gatehouse leads to ${sso.displayName}, and passwords cannot be set or reset`, since: null });
  }
  const lastSuccess = events.find((e) => e.type === 'login.succeeded')?.at.getTime() ?? 0;
  const refusal = [...events.filter((e) => e.type === 'sso.refused' && e.reason !== 'disabled'), ...sso.unmatchedRefusals]
    .filter((e) => e.at.getTime() > lastSuccess)
    .sort((a, b) => b.at.getTime() - a.at.getTime())[0];
  const rule = refusal?.reason ? SSO_REFUSALS[refusal.reason] : undefined;
  if (refusal && rule) blockers.push({ code: rule.code, message: rule.explain(sso.displayName, refusal), since: refusal.at.toISOString() });
  return blockers;
}
