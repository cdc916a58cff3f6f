import type { Knex } from 'knex';
import { isUuid } from '../../infrastructure/storage/uuid.js';
import type { OneTimeCodeStore } from '../one-time-codes/one-time-code.store.js';

/**
 * sign_in: a code to the profile's phone; enroll: a code to a number being added; email_gate:
 * an emailed code that must come before a later phone change; totp: a code from an authenticator
 * app; totp_enroll: setting up an app (its destination is the new factor's id); recovery_code:
 * one of the user's recovery codes; passkey / passkey_register: a WebAuthn assertion or
 * registration (the destination holds the options handed to the browser, challenge included).
 */
export type ChallengePurpose = 'sign_in' | 'enroll' | 'email_gate' | 'totp' | 'totp_enroll' | 'recovery_code' | 'passkey' | 'passkey_register';

/** One step of a sign-in's second factor, bound to that sign-in (interaction) and user. Its tries (and an SMS or email code) live in the one-time-code store. */
export interface Challenge {
  id: string;
  user_id: string;
  interaction_uid: string;
  purpose: ChallengePurpose;
  /** Phone (E.164) or, for the email gate, the email address. */
  destination: string;
  created_at: Date;
  expires_at: Date;
  completed_at: Date | null;
}

/** How long a step stays open, and how many answers it takes. */
export interface ChallengeLimits {
  stepTtlMs: number;
  maxAttempts: number;
}

/** The one-time-code store, as far as opening a challenge needs it (its tries live there). */
type CodeSlots = Pick<OneTimeCodeStore, 'open'>;

export class ChallengeRepository {
  constructor(private readonly knex: Knex) {}

  /** Inserts a challenge; `alongside` runs in the same transaction (its code slot is opened there). */
  async insert(challenge: Pick<Challenge, 'user_id' | 'interaction_uid' | 'purpose' | 'destination' | 'expires_at'>, alongside: (trx: Knex.Transaction, challenge: Challenge) => Promise<void>): Promise<Challenge> {
    return this.knex.transaction(async (trx) => {
      const [row] = await trx<Challenge>('second_factor_challenges').insert(challenge).returning('*');
      await alongside(trx, row!);
      return row!;
    });
  }

  /** Opens a step of one sign-in with its slot in the one-time-code store, in one transaction. */
  async open(attempt: { user: { id: string }; interactionUid: string }, purpose: ChallengePurpose, destination: string, limits: ChallengeLimits, now: Date, codes: CodeSlots): Promise<Challenge> {
    return this.insert(
      { user_id: attempt.user.id, interaction_uid: attempt.interactionUid, purpose, destination, expires_at: new Date(now.getTime() + limits.stepTtlMs) },
      (trx, challenge) => codes.open(challenge.id, purpose, limits.maxAttempts, trx),
    );
  }

  async findById(id: string): Promise<Challenge | undefined> {
    return isUuid(id) ? this.knex<Challenge>('second_factor_challenges').where({ id }).first() : undefined;
  }

  /** Every challenge of this sign-in, newest first: one read tells the page where the person stands. */
  async ofSignIn(interactionUid: string, userId: string): Promise<Challenge[]> {
    return this.knex<Challenge>('second_factor_challenges').where({ interaction_uid: interactionUid, user_id: userId }).orderBy('created_at', 'desc');
  }

  /** Of two parallel right submissions, one completes the step. */
  async complete(id: string, at: Date): Promise<boolean> {
    return (await this.knex('second_factor_challenges').where({ id }).whereNull('completed_at').update({ completed_at: at })) === 1;
  }

  /** Ends a step that ran out of tries. */
  async close(id: string, at: Date): Promise<void> {
    await this.knex('second_factor_challenges').where({ id }).update({ expires_at: at });
  }
}
