import { errors } from 'oidc-provider';

/**
 * An `invalid_grant` whose `error_description` a client can show the person ("the password was
 * changed by an administrator; sign in again"). The provider otherwise answers every refused
 * grant with a generic "grant request is invalid" and keeps the detail to itself.
 * The description must be printable ASCII (RFC 6749 §5.2).
 */
export function readableInvalidGrant(description: string): InstanceType<typeof errors.InvalidGrant> {
  const error = new errors.InvalidGrant(description);
  (error as unknown as { error_description: string }).error_description = description;
  return error;
}
