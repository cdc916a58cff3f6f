import type { PasswordHasher } from '../passwords/password-hasher.js';
import type { UserRecord, UserRepository } from './user.repository.js';

export type SignInFailure = 'invalid_credentials' | 'disabled';
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
    const user = username ? await this.users.findByUsername(username) : undefined;
    if (!user?.password_hash) {
      await this.hasher.verifyAgainstNothing(password);
      return { ok: false, reason: 'invalid_credentials' };
    }
    if (!(await this.hasher.verify(password, user.password_hash))) {
      return { ok: false, reason: 'invalid_credentials' };
    }
    // Told only after the right password, so it reveals nothing to a stranger.
    if (user.disabled) return { ok: false, reason: 'disabled' };
    return { ok: true, user };
  }
}
