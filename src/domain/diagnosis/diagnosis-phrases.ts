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
  return actor.type === 'operator' ? `operator client ${actor.client_id}` : `${actor.role} ${actor.username}`;
}

/** A user agent short enough to read aloud. */
export function shortUserAgent(userAgent: string | null | undefined): string | undefined {
  if (!userAgent) return undefined;
  return userAgent.length > 60 ? `${userAgent.slice(0, 57)}...` : userAgent;
}
