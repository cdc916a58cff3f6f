import type { PasswordHasher } from '../passwords/password-hasher.js';
import type { UserRepository } from '../users/user.repository.js';
import type { UserRecord } from '../users/user.js';

export type SignInFailure = 'invalid_credentials' | 'disabled' | 'temporary_password_expired';
export type SignInResult = { ok: true; user: UserRecord } | { ok: false; reason: SignInFailure };

/**
 * Checks a username and password. An unknown username costs one bcrypt comparison like a wrong
 * password and yields the same failure, so neither the answer nor its timing reveals which
 * usernames exist.
 */
export class SignInService {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  async verifyPassword(username: string, password: string): Promise<SignInResult> {
    return this.verifyFor(username ? await this.users.findByUsername(username) : undefined, password);
  }

  /** The same check for a user already looked up (undefined: the username is unknown). */
  async verifyFor(user: UserRecord | undefined, password: string): Promise<SignInResult> {
    if (!user?.password_hash) {
      await this.hasher.verifyAgainstNothing(password);
      return { ok: false, reason: 'invalid_credentials' };
    }
    if (!(await this.hasher.verify(password, user.password_hash))) {
      return { ok: false, reason: 'invalid_credentials' };
    }
    // Told only after the right password, so it reveals nothing to a stranger.
    if (user.disabled) return { ok: false, reason: 'disabled' };
    if (user.password_temporary && user.password_expires_at && user.password_expires_at <= new Date()) return { ok: false, reason: 'temporary_password_expired' };
    return { ok: true, user };
  }

  /** Re-checks the password of a known user (forced change asks for the temporary one again). */
  async confirmPassword(user: UserRecord, password: string): Promise<boolean> {
    return Boolean(user.password_hash) && this.hasher.verify(password, user.password_hash!);
  }
}
