/** A person who signs in: one row of `users`, and the rules of its username. */
import { confusableSkeleton } from '../../infrastructure/formatting/confusable-skeleton.js';

export type Role = 'admin' | 'staff' | 'member';

export interface UserRecord {
  id: string;
  tenant_id: string;
  username: string;
  username_normalized: string;
  /** `usernameSkeleton`; null only for a look-alike created before look-alikes were refused. */
  username_skeleton: string | null;
  email: string | null;
  name: string | null;
  /** Standard profile claims (OpenID Connect Core §5.1), released with the profile scope when set. */
  given_name: string | null;
  family_name: string | null;
  /** BCP 47 language tag, such as en-US. */
  locale: string | null;
  /** IANA time zone, such as Europe/Berlin. */
  zoneinfo: string | null;
  phone: string | null;
  phone_verified: boolean;
  role: Role;
  /** A person who operates Gatehouse: every tenant, as operator clients (set only by an operator). */
  is_operator: boolean;
  password_hash: string | null;
  password_changed_at: Date | null;
  password_temporary: boolean;
  password_expires_at: Date | null;
  disabled: boolean;
  tokens_valid_after: Date | null;
  tokens_revoked_reason: string | null;
  created_at: Date;
  updated_at: Date;
  last_login_at: Date | null;
  previous_login_at: Date | null;
  /** The second-factor method asked first (the one the person last chose), when set up. */
  preferred_method: string | null;
}

export type NewUser = Pick<UserRecord, 'tenant_id' | 'username' | 'role'> &
  Partial<Pick<UserRecord, 'is_operator' | 'email' | 'name' | 'given_name' | 'family_name' | 'locale' | 'zoneinfo' | 'phone' | 'password_hash' | 'password_temporary' | 'password_expires_at'>>;

/**
 * Usernames compare case-insensitively everywhere, Unicode-normalised as RFC 8265's
 * UsernameCaseMapped profile does: width and compatibility forms mapped (NFKC), case folded
 * to lower case, normalised again since lower-casing can undo NFKC for a few characters.
 */
export function normalizeUsername(username: string): string {
  return username.normalize('NFKC').trim().toLowerCase().normalize('NFKC');
}

/**
 * What a username looks like (Unicode TS #39 skeleton of its normalised form): no two users
 * may share one, so `аdmin` (Cyrillic а) cannot be created next to `admin`.
 */
export function usernameSkeleton(username: string): string {
  return confusableSkeleton(normalizeUsername(username));
}
