import type { UserRecord } from '../../../domain/users/user.js';

export type UserStatus = 'active' | 'disabled' | 'locked' | 'password_change_required' | 'temporary_password_expired';

/** The user as the admin API shows it (DESIGN §5); never a password or hash. */
export interface UserView {
  id: string;
  tenant: string;
  username: string;
  email: string | null;
  name: string | null;
  given_name: string | null;
  family_name: string | null;
  locale: string | null;
  zoneinfo: string | null;
  phone: string | null;
  phone_verified: boolean;
  role: UserRecord['role'];
  is_operator: boolean;
  status: UserStatus;
  /** Until when sign-in is locked (status `locked`); null otherwise. */
  locked_until: string | null;
  disabled: boolean;
  created_at: string;
  last_login_at: string | null;
}

export function userStatus(user: UserRecord, now = new Date(), lockedUntil?: Date): UserStatus {
  if (user.disabled) return 'disabled';
  if (lockedUntil && lockedUntil > now) return 'locked';
  if (user.password_temporary && user.password_expires_at && user.password_expires_at <= now) return 'temporary_password_expired';
  if (user.password_temporary) return 'password_change_required';
  return 'active';
}

/** `lockedUntil`: the end of the user's longest sign-in lock in force, if any. */
export function userView(user: UserRecord, lockedUntil?: Date): UserView {
  return {
    id: user.id,
    tenant: user.tenant_id,
    username: user.username,
    email: user.email,
    name: user.name,
    given_name: user.given_name ?? null,
    family_name: user.family_name ?? null,
    locale: user.locale ?? null,
    zoneinfo: user.zoneinfo ?? null,
    phone: user.phone,
    phone_verified: user.phone_verified,
    role: user.role,
    is_operator: user.is_operator ?? false,
    status: userStatus(user, new Date(), lockedUntil),
    locked_until: lockedUntil && lockedUntil > new Date() ? lockedUntil.toISOString() : null,
    disabled: user.disabled,
    created_at: user.created_at.toISOString(),
    last_login_at: user.last_login_at?.toISOString() ?? null,
  };
}
