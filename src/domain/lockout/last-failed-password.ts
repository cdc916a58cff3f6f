import { createHmac } from 'node:crypto';
import type { Knex } from 'knex';
import { FAILURE_MEMORY_SECONDS, lockoutSubject } from './lockout-policy.js';

/** What is remembered of a username's last failed password: never the password. */
export interface FailedPasswordMemo {
  /** Keyed hash of username and password (see `passwordFingerprint`). */
  fingerprint: string;
  /**
   * Once known: when the user changed away from this password (it is one of their previous
   * ones), or null when it is not a previous password. Absent while not yet looked up.
   */
  previousChangedAt?: string | null;
}

/**
 * A keyed hash of a password typed for a username. Keyed with a server secret, bound to the
 * username, truncated to 128 bits and kept no longer than failures are counted: enough to
 * recognise the same wrong password typed again, useless on its own for guessing it.
 */
export function passwordFingerprint(key: Buffer, username: string, password: string): string {
  return createHmac('sha256', key).update(lockoutSubject(username)).update('\0').update(password.normalize('NFKC')).digest('base64url').slice(0, 22);
}

/**
 * The last failed password of each username (as a fingerprint), so a wrong password retried
 * unchanged (an old password saved in a browser or a sync tool) counts once toward lockout.
 * In the `ephemeral_marks` table, with the lockout counters it qualifies: both must survive a
 * Redis outage alike.
 */
export interface LastFailedPasswords {
  get(username: string): Promise<FailedPasswordMemo | undefined>;
  set(username: string, memo: FailedPasswordMemo): Promise<void>;
  forget(username: string): Promise<void>;
}

const TTL_MS = FAILURE_MEMORY_SECONDS * 1000;
const keyOf = (username: string) => `last-failed-password:${lockoutSubject(username)}`;

export class PostgresLastFailedPasswords implements LastFailedPasswords {
  constructor(private readonly knex: Knex) {}

  async get(username: string): Promise<FailedPasswordMemo | undefined> {
    const row = await this.knex('ephemeral_marks').where({ key: keyOf(username) }).andWhere('expires_at', '>', new Date()).first<{ value: string } | undefined>();
    return parse(row?.value);
  }

  async set(username: string, memo: FailedPasswordMemo): Promise<void> {
    const row = { key: keyOf(username), value: JSON.stringify(memo), expires_at: new Date(Date.now() + TTL_MS) };
    await this.knex('ephemeral_marks').insert(row).onConflict('key').merge();
  }

  async forget(username: string): Promise<void> {
    await this.knex('ephemeral_marks').where({ key: keyOf(username) }).delete();
  }
}

function parse(value: string | null | undefined): FailedPasswordMemo | undefined {
  if (!value) return undefined;
  try {
    const memo = JSON.parse(value) as FailedPasswordMemo;
    return typeof memo.fingerprint === 'string' ? memo : undefined;
  } catch {
    return undefined;
  }
}
