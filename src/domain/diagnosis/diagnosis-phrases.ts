import type { Actor } from '../events/event-types.js';

/** The words of the diagnosis, for support staff reading it to a person on the phone. */
export { clock, day } from '../../infrastructure/formatting/human-time.js';

const KIND_LABELS: Record<string, string> = { web: 'web app', mobile: 'mobile app', downloader: 'downloader', integration: 'integration' };

export interface NamedClient {
  client_id: string;
  kind: string | null;
  name?: string | null;
}

/**
 * "the mobile app"; with its name when the user has two clients of that kind ("the mobile app
 * "Field"), so support can tell them apart; the id when its kind is unknown.
 */
export function clientLabel(client: NamedClient, all: readonly NamedClient[] = []): string {
  const kind = client.kind ? KIND_LABELS[client.kind] : undefined;
  if (!kind) return `client ${client.client_id}`;
  const ambiguous = all.filter((other) => other.kind === client.kind && other.client_id !== client.client_id).length > 0;
  return ambiguous ? `the ${kind} "${client.name ?? client.client_id}"` : `the ${kind}`;
}

/** "a", "a and b", "a, b and c". */
export function andList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** "the downloader's and the mobile app's". */
export function possessiveList(labels: readonly string[]): string {
  return andList(labels.map((label) => `${label}'s`));
}

export function times(n: number): string {
  return n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`;
}

export function plural(n: number, word: string, words = `${word}s`): string {
  return `${n} ${n === 1 ? word : words}`;
}

/** "admin jane", "operator client ops-bot". */
export function actorPhrase(actor: Actor | null | undefined): string | undefined {
  if (!actor) return undefined;
  if (actor.type === 'operator') return actor.username ? `operator ${actor.username}` : `operator client ${actor.client_id}`;
  return `${actor.role} ${actor.username}`;
}

/** A user agent short enough to read aloud. */
export function shortUserAgent(userAgent: string | null | undefined): string | undefined {
  if (!userAgent) return undefined;
  return userAgent.length > 60 ? `${userAgent.slice(0, 57)}...` : userAgent;
}

const MESSAGE_LABELS: Record<string, string> = {
  'recovery-code': 'reset email',
  'temporary-password': 'temporary-password email',
  'password-changed': 'password-changed notice',
  'new-device': 'new sign-in notice',
  'account-locked': 'account-locked notice',
  'phone-changed': 'mobile-number-changed notice',
  'phone-change-code': 'email with the code to change the mobile number',
  'sms-budget-alert': 'SMS budget alert',
  'sms-sign-in-code': 'sign-in code by SMS',
  'sms-enroll-code': 'SMS code confirming a new number',
};

/** "reset email", "sign-in code by SMS". */
export function messageLabel(channel: string, purpose: string): string {
  return MESSAGE_LABELS[purpose] ?? `${channel === 'sms' ? 'SMS' : 'email'} "${purpose}"`;
}

/** A provider's reason in words support can read out, with the provider's own words after. */
export function deliveryFailure(reason: string | null): string {
  if (!reason) return 'no reason was given';
  const words = /MessageRejected|InvalidParameter|not verified|Invalid.*(address|phone|number)/i.test(reason)
    ? 'the address was rejected'
    : /Throttl|TooManyRequests|Rate exceeded/i.test(reason)
      ? 'the provider asked to slow down'
      : /InternalFailure|InternalError|ServiceUnavailable|Timeout|ECONN|socket/i.test(reason)
        ? 'the provider could not be reached or had an error'
        : undefined;
  return words ? `${words} (${reason})` : reason;
}

/** Why a rule stopped a message. */
export function suppressionRule(reason: string | null, channel: string): string {
  switch (reason) {
    case 'budget':
      return "the organisation's SMS budget for the month was used up";
    case 'per_hour_limit':
      return 'the hourly limit was reached';
    case 'per_day_limit':
      return 'the daily limit was reached';
    case 'no_address':
      return channel === 'sms' ? 'there is no mobile number' : 'the user has no email address';
    case 'country_not_allowed':
      return "texts to that country are not allowed for the organisation";
    case 'expired':
      return 'its code had expired before it could be sent';
    case 'superseded':
      return 'a newer code replaced it before it could be sent';
    default:
      return reason ?? 'a rule stopped it';
  }
}
