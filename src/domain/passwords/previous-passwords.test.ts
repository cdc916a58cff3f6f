import { PreviousPasswords } from './previous-passwords.js';
import type { PasswordHasher } from './password-hasher.js';
import type { PasswordHistoryRepository } from './password-history.repository.js';

/** A hasher that counts comparisons instead of running bcrypt; "hash-X" matches password "X". */
function countingHasher() {
  const counted = { compares: 0 };
  const hasher = {
    verify: async (password: string, hash: string) => (counted.compares++, hash === `hash-${password}`),
    verifyAgainstNothing: async () => (counted.compares++, false as const),
  } as unknown as PasswordHasher;
  return { hasher, counted };
}

const history = (entries: { password_hash: string; replaced_at: Date }[]) => ({ recent: async () => entries }) as unknown as PasswordHistoryRepository;

describe('previous passwords looked up in constant work', () => {
  it('spends five comparisons whether the history is empty, short or full, and finds the newest match', async () => {
    const when = new Date('2026-11-20T09:00:00Z');
    for (const entries of [[], [{ password_hash: 'hash-old', replaced_at: when }], Array.from({ length: 5 }, (_, i) => ({ password_hash: `hash-${i}`, replaced_at: when }))]) {
      const { hasher, counted } = countingHasher();
      const found = await new PreviousPasswords(history(entries), hasher).changedAwayFromInConstantWork('user', 'old');
      expect(counted.compares).toBe(5);
      expect(found).toEqual(entries.some((e) => e.password_hash === 'hash-old') ? when : undefined);
    }
  });
});
