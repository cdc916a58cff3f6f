import type { Knex } from 'knex';
import { rowFromJson } from '../../infrastructure/storage/json-rows.js';

export interface UserDevice {
  device_hash: string;
  user_id: string;
  first_seen_at: Date;
  last_seen_at: Date;
  mfa_verified_at: Date | null;
  /** What the passed method was bound to: the phone number for SMS, the app's factor id. */
  mfa_phone: string | null;
  mfa_method: string | null;
}

/** The timestamp columns of `user_devices` (a test compares them with the table). */
export const DEVICE_TIMESTAMP_COLUMNS = ['first_seen_at', 'last_seen_at', 'mfa_verified_at'] as const;

/** A browser's record that a statement of another table brought along as `to_jsonb(user_devices)`. */
export function deviceFromJson(json: Record<string, unknown> | null | undefined): UserDevice | undefined {
  return rowFromJson<UserDevice>(json, DEVICE_TIMESTAMP_COLUMNS);
}

/** Browsers each user has signed in from (see migrations/…_user_devices). */
export class DeviceRepository {
  constructor(private readonly knex: Knex) {}

  async find(deviceHash: string, userId: string): Promise<UserDevice | undefined> {
    return this.knex<UserDevice>('user_devices').where({ device_hash: deviceHash, user_id: userId }).first();
  }

  /** Records a successful sign-in from this browser; true when the user had never used it before. */
  async touch(deviceHash: string, userId: string): Promise<boolean> {
    // xmax = 0 only on a freshly inserted row (an upsert that updated has a non-zero xmax).
    const { rows } = await this.knex.raw<{ rows: { inserted: boolean }[] }>(
      `INSERT INTO user_devices (device_hash, user_id) VALUES (?, ?)
       ON CONFLICT (device_hash, user_id) DO UPDATE SET last_seen_at = now()
       RETURNING (xmax = 0) AS inserted`,
      [deviceHash, userId],
    );
    return rows[0]?.inserted === true;
  }

  /** Remembers that this browser passed `method` for `binding` (the SMS number, the app). */
  async rememberSecondFactor(deviceHash: string, userId: string, method: string, binding: string, at: Date): Promise<void> {
    await this.knex('user_devices')
      .insert({ device_hash: deviceHash, user_id: userId, mfa_verified_at: at, mfa_phone: binding, mfa_method: method })
      .onConflict(['device_hash', 'user_id'])
      .merge({ mfa_verified_at: at, mfa_phone: binding, mfa_method: method, last_seen_at: this.knex.fn.now() });
  }

  /** Forgets every browser of a user (administrator's "forget devices", password reset). Returns how many. */
  async forgetAll(userId: string, db: Knex = this.knex): Promise<number> {
    return Number(await db('user_devices').where({ user_id: userId }).delete());
  }

  /** Drops only the remembered second factor (the phone number changed). */
  async forgetSecondFactor(userId: string): Promise<void> {
    await this.knex('user_devices').where({ user_id: userId }).update({ mfa_verified_at: null, mfa_phone: null, mfa_method: null });
  }
}
