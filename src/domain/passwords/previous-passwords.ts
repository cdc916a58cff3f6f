import type { PasswordHasher } from './password-hasher.js';
import { PASSWORD_HISTORY_DEPTH, type PasswordHistoryRepository } from './password-history.repository.js';

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

  /**
   * The same answer, always at the cost of `PASSWORD_HISTORY_DEPTH` comparisons (padded with
   * comparisons against nothing): for look-ups whose timing a stranger could observe.
   */
  async changedAwayFromInConstantWork(userId: string, password: string): Promise<Date | undefined> {
    const history = await this.history.recent(userId);
    let changedAt: Date | undefined;
    for (let i = 0; i < PASSWORD_HISTORY_DEPTH; i++) {
      const previous = history[i];
      if (!previous) {
        await this.hasher.verifyAgainstNothing(password);
        continue;
      }
      if ((await this.hasher.verify(password, previous.password_hash)) && !changedAt) changedAt = previous.replaced_at;
    }
    return changedAt;
  }
}
