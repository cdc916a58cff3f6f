import { errors } from 'oidc-provider';

/**
 * What Gatehouse knows about a refusal it raised itself, for the event that records it: a
 * reason code, and the user when the refused token names one (the provider's own context does
 * not have it yet when a token is refused on look-up).
 */
export interface RefusalFacts {
  reason: string;
  accountId?: string | null;
}

const facts = new WeakMap<object, RefusalFacts>();

/** The facts attached to an error raised through this module, if any. */
export function refusalFacts(err: unknown): RefusalFacts | undefined {
  return typeof err === 'object' && err !== null ? facts.get(err) : undefined;
}

/**
 * An `invalid_grant` whose `error_description` a client can show the person ("the password was
 * changed by an administrator; sign in again"). The provider otherwise answers every refused
 * grant with a generic "grant request is invalid" and keeps the detail to itself.
 * Descriptions come from refusal-wording.ts, where every text a client can see is kept.
 */
export function readableInvalidGrant(description: string, refusal?: RefusalFacts): InstanceType<typeof errors.InvalidGrant> {
  const error = new errors.InvalidGrant(description);
  (error as unknown as { error_description: string }).error_description = description;
  if (refusal) facts.set(error, refusal);
  return error;
}

/** An `invalid_client` that tells the integration's developer what to fix (an expired secret). */
export function readableInvalidClient(description: string, refusal: RefusalFacts): InstanceType<typeof errors.InvalidClientAuth> {
  const error = new errors.InvalidClientAuth(description);
  (error as unknown as { error_description: string }).error_description = description;
  facts.set(error, refusal);
  return error;
}
