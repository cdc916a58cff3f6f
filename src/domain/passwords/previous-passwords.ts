import type { PasswordHasher } from './password-hasher.js';
import type { PasswordHistoryRepository } from './password-history.repository.js';

/** Recognises a user's previous passwords, newest first, by the hashes kept in their history. */
export class PreviousPasswords {
  constructor(
    private readonly history: PasswordHistoryRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  /** When the user changed away from `password`, if it is one of their previous ones. */
  async changedAwayFrom(userId: string, password: string): Promise<Date | undefined> {
    for (const previous of await this.history.recent(userId)) {
      if (await this.hasher.verify(password, previous.password_hash)) return previous.replaced_at;
    }
    return undefined;
  }
}
