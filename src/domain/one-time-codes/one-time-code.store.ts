import type { Knex } from 'knex';
import type { OneTimeCodes } from './one-time-code.js';

/** What a code is for; the store treats them alike. */
export type CodePurpose = 'recovery' | 'sign_in' | 'enroll' | 'email_gate' | 'totp' | 'totp_enroll' | 'recovery_code' | 'passkey' | 'passkey_register' | 'passkey_sign_in';

/** A code just issued: the code to send, its stored hash, and its expiry. */
export interface IssuedCode {
  code: string;
  hash: string;
  expiresAt: Date;
}

/** A flow's code slot: the newest code's hash and the counts that limit it. */
export interface CodeSlot {
  owner_id: string;
  purpose: CodePurpose;
  code_hash: string | null;
  code_expires_at: Date | null;
  attempts: number;
  max_attempts: number;
  codes_sent: number;
  last_sent_at: Date | null;
  used_at: Date | null;
  created_at: Date;
}

export type CodeCheck =
  | { ok: true }
  /** `triesLeft: 0`: this very check spent the last try (exactly one check of a code can). */
  | { ok: false; reason: 'wrong_code'; triesLeft: number }
  /** Every try was spent before this check, which compared nothing. */
  | { ok: false; reason: 'too_many_attempts' }
  | { ok: false; reason: 'code_expired' }
  /** No slot, or its code was already used. */
  | { ok: false; reason: 'closed' };

/**
 * One store for every one-time code. A check first spends one try atomically (`attempts + 1`
 * only while below the cap, in one statement), then compares; so however many guesses arrive in
 * parallel, at most `max_attempts` are ever compared. The right code gets its try back, so a
 * person who mistyped a new password can submit the same code again.
 */
export class OneTimeCodeStore {
  constructor(
    private readonly knex: Knex,
    private readonly codes: OneTimeCodes,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Opens the slot of a flow, with no code yet. */
  async open(ownerId: string, purpose: CodePurpose, maxAttempts: number, trx?: Knex.Transaction): Promise<void> {
    await (trx ?? this.knex)('one_time_codes').insert({ owner_id: ownerId, purpose, max_attempts: maxAttempts }).onConflict('owner_id').ignore();
  }

  /**
   * A new code replaces the previous one (only the newest works); wrong tries keep counting.
   * The caller delivers it (the hash lets the outbox tell whether it is still the newest), and
   * counts the send with `recordSend`.
   */
  async issue(ownerId: string, ttlMs: number, trx?: Knex.Transaction): Promise<IssuedCode> {
    const code = this.codes.generate();
    const hash = this.codes.hash(ownerId, code);
    const expiresAt = new Date(this.now().getTime() + ttlMs);
    await (trx ?? this.knex)('one_time_codes').where({ owner_id: ownerId }).update({ code_hash: hash, code_expires_at: expiresAt });
    return { code, hash, expiresAt };
  }

  /**
   * Keeps the hash of a machine-made single-use value (a WebAuthn challenge), replacing any
   * earlier one of the same owner; `checkValue` accepts it once.
   */
  async issueValue(ownerId: string, purpose: CodePurpose, value: string, ttlMs: number): Promise<void> {
    const row = { owner_id: ownerId, purpose, max_attempts: 5, attempts: 0, used_at: null, code_hash: this.codes.hash(ownerId, value), code_expires_at: new Date(this.now().getTime() + ttlMs) };
    await this.knex('one_time_codes').insert(row).onConflict('owner_id').merge();
  }

  /** Accepts a value kept by `issueValue` once, within its time. */
  async checkValue(ownerId: string, presented: string): Promise<boolean> {
    const check = await this.withTry(ownerId, async (slot) => {
      if (!this.codes.matches(ownerId, presented, slot.code_hash, true)) return false;
      return slot.code_expires_at && slot.code_expires_at > this.now() ? true : 'code_expired';
    });
    return check.ok && (await this.consume(ownerId));
  }

  /**
   * Counts a send, for the pacing of resends. Recovery counts before it knows whether an email
   * goes out (an unknown username's flow must look the same); SMS counts what was accepted.
   */
  async recordSend(ownerId: string): Promise<void> {
    await this.knex('one_time_codes').where({ owner_id: ownerId }).update({ last_sent_at: this.now() }).increment('codes_sent', 1);
  }

  async find(ownerId: string): Promise<CodeSlot | undefined> {
    return this.knex<CodeSlot>('one_time_codes').where({ owner_id: ownerId }).first();
  }

  async check(ownerId: string, presented: string): Promise<CodeCheck> {
    return this.withTry(ownerId, async (spent) => {
      if (!this.codes.matches(ownerId, presented, spent.code_hash)) return false;
      if (!spent.code_expires_at || spent.code_expires_at <= this.now()) return 'code_expired';
      return true;
    });
  }

  /**
   * Spends one try atomically, then asks `verify` (true: right; false: wrong; 'code_expired':
   * right but too late). A right answer gets its try back. Methods without a stored code (an
   * authenticator app, recovery codes) count their tries here too.
   */
  async withTry(ownerId: string, verify: (slot: Pick<CodeSlot, 'code_hash' | 'code_expires_at'>) => Promise<boolean | 'code_expired'>): Promise<CodeCheck> {
    const [spent] = await this.knex<CodeSlot>('one_time_codes')
      .where({ owner_id: ownerId })
      .whereNull('used_at')
      .andWhereRaw('attempts < max_attempts')
      .increment('attempts', 1)
      .returning(['code_hash', 'code_expires_at', 'attempts', 'max_attempts']);
    if (!spent) {
      const slot = await this.find(ownerId);
      return slot && !slot.used_at ? { ok: false, reason: 'too_many_attempts' } : { ok: false, reason: 'closed' };
    }
    const verdict = await verify(spent);
    if (verdict === false) return { ok: false, reason: 'wrong_code', triesLeft: spent.max_attempts - spent.attempts };
    await this.knex('one_time_codes').where({ owner_id: ownerId }).decrement('attempts', 1);
    return verdict === 'code_expired' ? { ok: false, reason: 'code_expired' } : { ok: true };
  }

  /** Marks the code used after a right check; of two parallel right submissions, one wins. */
  async consume(ownerId: string, trx?: Knex.Transaction): Promise<boolean> {
    const updated = await (trx ?? this.knex)('one_time_codes').where({ owner_id: ownerId }).whereNull('used_at').update({ used_at: this.now(), code_hash: null });
    return updated === 1;
  }

  /** Nothing can match any more (the flow ended, or a newer flow replaced it). */
  async close(ownerIds: string[], trx?: Knex.Transaction): Promise<void> {
    if (ownerIds.length === 0) return;
    await (trx ?? this.knex)('one_time_codes').whereIn('owner_id', ownerIds).update({ code_hash: null, code_expires_at: this.now() });
  }

  /** Seconds until another code may be sent. */
  secondsUntilResend(slot: Pick<CodeSlot, 'last_sent_at'> | undefined, resendAfterMs: number): number {
    if (!slot?.last_sent_at) return 0;
    return Math.max(0, Math.ceil((slot.last_sent_at.getTime() + resendAfterMs - this.now().getTime()) / 1000));
  }

  /** Slots of flows that ended long ago (housekeeping). */
  async deleteCreatedBefore(cutoff: Date): Promise<number> {
    return Number(await this.knex('one_time_codes').where('created_at', '<', cutoff).delete());
  }
}
