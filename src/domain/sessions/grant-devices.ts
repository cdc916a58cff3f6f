import type { ActiveGrant } from './artifact.js';

/** A sign-in as the event log recorded it: enough to tell which device a grant began on. */
export interface SignInSighting {
  type: string;
  client_id: string | null;
  at: Date;
  user_agent: string | null;
  ip: string | null;
}

/** A grant began within this long of the sign-in that gave it (the code exchange follows the sign-in). */
const GRANT_FOLLOWS_SIGN_IN_MS = 10 * 60_000;

/**
 * Which device each grant of a user began on: the newest successful sign-in to the grant's app
 * at or shortly before the grant was made. Grants keep no user agent of their own; the sign-in
 * that created them did record one. Unknown (null) when the event has aged out of the log.
 */
export function devicesOfGrants<G extends Pick<ActiveGrant, 'client_id' | 'created_at'>>(grants: readonly G[], signIns: readonly SignInSighting[]): (G & { user_agent: string | null; ip: string | null })[] {
  const successes = signIns.filter((e) => e.type === 'login.succeeded').sort((a, b) => b.at.getTime() - a.at.getTime());
  return grants.map((grant) => {
    const made = Date.parse(grant.created_at);
    const sighting = successes.find((e) => e.client_id === grant.client_id && e.at.getTime() <= made + 5_000 && e.at.getTime() >= made - GRANT_FOLLOWS_SIGN_IN_MS);
    return { ...grant, user_agent: sighting?.user_agent ?? null, ip: sighting?.ip ?? null };
  });
}
