import { randomInt } from 'node:crypto';
import type { OneTimeCodeStore } from '../../one-time-codes/one-time-code.store.js';
import type { OneTimeCodes } from '../../one-time-codes/one-time-code.js';
import type { Challenge, ChallengeRepository } from '../challenge.repository.js';
import type { EnrolledFacts, SecondFactorAttempt, SecondFactorMethod, VerifyOutcome } from '../second-factor-method.js';
import type { RecoveryCodeRepository } from './recovery-code.repository.js';

export const RECOVERY_CODES = { count: 10, maxAttempts: 5, stepTtlMs: 30 * 60_000 };
// No 0/o, 1/l/i: read off paper and typed back without doubt.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export interface RecoveryCodesDependencies {
  challenges: ChallengeRepository;
  codes: OneTimeCodeStore;
  hashing: OneTimeCodes;
  repository: RecoveryCodeRepository;
  now: () => Date;
}

/**
 * Ten single-use codes, shown once, stored hashed: the way back in when the phone or the app is
 * lost. A used code is gone; a new set replaces the old one.
 */
export class RecoveryCodesMethod implements SecondFactorMethod {
  readonly id = 'recovery_code' as const;
  // RFC 8176: a one-time password.
  readonly amr = 'otp';
  readonly challengePurpose = 'recovery_code' as const;

  constructor(private readonly deps: RecoveryCodesDependencies) {}

  isEnrolled({ recoveryCodesLeft }: EnrolledFacts): boolean {
    return recoveryCodesLeft > 0;
  }

  /** A browser is never remembered for a recovery code: it is a way back in, not a habit. */
  rememberedFor(): null {
    return null;
  }

  async startChallenge(attempt: SecondFactorAttempt) {
    const challenge = await this.deps.challenges.open(attempt, 'recovery_code', 'codes', RECOVERY_CODES, this.deps.now(), this.deps.codes);
    return { started: true as const, challenge };
  }

  async verify(attempt: SecondFactorAttempt, challenge: Challenge, input: string): Promise<VerifyOutcome> {
    const userId = attempt.user.id;
    const check = await this.deps.codes.withTry(challenge.id, () => this.deps.repository.useOne(userId, this.deps.hashing.hashesWithEveryKey(userId, input.toLowerCase()), this.deps.now()));
    if (!check.ok) return check;
    return (await this.deps.codes.consume(challenge.id)) ? { ok: true } : { ok: false, reason: 'closed' };
  }

  /** A new set of codes, replacing any old one; returned once for the person to keep. */
  async generate(userId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODES.count }, () => newCode());
    await this.deps.repository.replace(userId, codes.map((code) => this.deps.hashing.hash(userId, code.replace('-', ''))));
    return codes;
  }

  remaining(userId: string): Promise<number> {
    return this.deps.repository.remaining(userId);
  }
}

function newCode(): string {
  const chars = Array.from({ length: 10 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}
