import { randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { generateSigningKey, type SigningAlg } from './key-generation.js';
import type { KeyEncryption } from './key-encryption.js';

export type KeyUse = 'sig' | 'cookie';

/** One row of `key_ring`. */
export interface KeyRow {
  kid: string;
  use: KeyUse;
  alg: string;
  sealed: string;
  kek_id: string;
  public_jwk: Record<string, unknown> | null;
  created_at: Date;
  published_at: Date;
  active_at: Date;
  retire_at: Date | null;
}

export type KeyState = 'scheduled' | 'published' | 'active' | 'verifying' | 'retired';

/**
 * Where a key stands at `now`. Published: in JWKS (or accepted in cookies) but not signing yet.
 * Active: the one that signs, the newest of its use and algorithm whose `active_at` has come.
 * Verifying: replaced, kept until `retire_at` for what it signed. Retired: gone.
 */
export function keyState(row: KeyRow, rows: KeyRow[], now: Date): KeyState {
  if (row.retire_at && row.retire_at <= now) return 'retired';
  if (row.published_at > now) return 'scheduled';
  if (row.active_at > now) return 'published';
  const newer = rows.some(
    (other) => other !== row && other.use === row.use && other.alg === row.alg && other.active_at <= now && (!other.retire_at || other.retire_at > now) && other.active_at > row.active_at,
  );
  return newer ? 'verifying' : 'active';
}

/** The moment after `now` at which some key changes state (replicas re-read the ring then). */
export function nextChange(rows: KeyRow[], now: Date): Date | undefined {
  const moments = rows.flatMap((row) => [row.published_at, row.active_at, ...(row.retire_at ? [row.retire_at] : [])]).filter((at) => at > now);
  return moments.length ? new Date(Math.min(...moments.map((at) => at.getTime()))) : undefined;
}

export interface RingSettings {
  /** Algorithm of the keys `rotate` makes unless told otherwise (SIGNING_KEY_ALG). */
  signingAlg: SigningAlg;
  /** Seconds a new key is published before it signs (KEY_PUBLISH_SECONDS). */
  publishSeconds: number;
  /** Seconds a replaced signing key still verifies after its successor signs (SIGNING_KEY_RETENTION_SECONDS). */
  signingRetentionSeconds: number;
  /** Seconds a replaced cookie key is still accepted (COOKIE_KEY_RETENTION_SECONDS). */
  cookieRetentionSeconds: number;
}

/** The keys in force at one moment, as the provider takes them. */
export interface RingSnapshot {
  /** Published signing keys; the active one of each algorithm signs, the others carry `key_ops: ["verify"]`. */
  jwks: { keys: Record<string, unknown>[] };
  /** Cookie keys, the active one first (it signs), then those still accepted. */
  cookieKeys: string[];
  /** The signing keys and since when they sign (metrics). */
  signing: { kid: string; alg: string; since: Date }[];
  /** Changes when the set or the order changes: replicas re-apply only then. */
  fingerprint: string;
  nextChange?: Date;
}

export interface KeyView {
  kid: string;
  use: KeyUse;
  alg: string;
  state: KeyState;
  published_at: Date;
  active_at: Date;
  retire_at: Date | null;
}

export class KeyRotationInProgress extends Error {
  constructor(readonly pending: { kid: string; active_at: Date }) {
    super(`key ${pending.kid} is published and signs from ${pending.active_at.toISOString()}; rotate again after that`);
  }
}

// Every replica may start at once: the first to hold this lock seeds an empty ring.
const RING_LOCK_KEY = 727_112_002;

/**
 * Signing and cookie keys in PostgreSQL, their private parts sealed (KeyEncryption). A rotation
 * publishes a new key at once, lets it sign after `publishSeconds` (every replica and every
 * relying party's JWKS cache has seen it by then), and retires the keys it replaces after their
 * retention: tokens and cookies they signed keep verifying until then.
 */
export class KeyRing {
  constructor(
    private readonly knex: Knex,
    private readonly encryption: KeyEncryption,
    private readonly settings: RingSettings,
  ) {}

  /**
   * Gives an empty ring its first keys: the given JWKS and cookie keys (moving from
   * environment variables keeps every `kid` and every session), or new ones. Idempotent.
   */
  async seed(from: { jwks?: { keys: Record<string, unknown>[] }; cookieKeys?: string[] }, now = new Date()): Promise<{ signing: number; cookie: number }> {
    return this.knex.transaction(async (trx) => {
      await trx.raw('SELECT pg_advisory_xact_lock(?)', [RING_LOCK_KEY]);
      const have = new Set((await trx('key_ring').distinct('use')).map((row: { use: KeyUse }) => row.use));
      const rows: Omit<KeyRow, 'created_at'>[] = [];
      if (!have.has('sig')) {
        const keys = from.jwks?.keys.length ? from.jwks.keys : [generateSigningKey(this.settings.signingAlg)];
        // The first key signs, as it did from the environment; the others only verify.
        keys.forEach((jwk, i) => rows.push(this.signingRow({ ...jwk, kid: typeof jwk.kid === 'string' ? jwk.kid : randomUUID() }, new Date(now.getTime() - i * 1000), new Date(now.getTime() - i * 1000))));
      }
      if (!have.has('cookie')) {
        const keys = from.cookieKeys?.length ? from.cookieKeys : [newCookieKey()];
        keys.forEach((key, i) => rows.push(this.cookieRow(key, new Date(now.getTime() - i * 1000), new Date(now.getTime() - i * 1000))));
      }
      if (rows.length) await trx('key_ring').insert(rows);
      return { signing: rows.filter((row) => row.use === 'sig').length, cookie: rows.filter((row) => row.use === 'cookie').length };
    });
  }

  /** The keys in force at `now`, opened. */
  async snapshot(now = new Date()): Promise<RingSnapshot> {
    const rows = await this.rows();
    const live = rows.filter((row) => !['retired', 'scheduled'].includes(keyState(row, rows, now)));
    // The active key first, then newest first: the order the provider and Koa's cookies use.
    const ordered = (use: KeyUse) =>
      live
        .filter((row) => row.use === use)
        .sort((a, b) => Number(keyState(b, rows, now) === 'active') - Number(keyState(a, rows, now) === 'active') || b.active_at.getTime() - a.active_at.getTime());
    const signingRows = ordered('sig');
    const jwks = signingRows.map((row) => {
      const jwk = JSON.parse(this.encryption.open(row.sealed, row.kid, row.kek_id)) as Record<string, unknown>;
      return keyState(row, rows, now) === 'active' ? jwk : { ...jwk, key_ops: ['verify'] };
    });
    const cookieKeys = ordered('cookie').map((row) => this.encryption.open(row.sealed, row.kid, row.kek_id));
    const cookieRows = ordered('cookie');
    return {
      jwks: { keys: jwks },
      cookieKeys,
      signing: signingRows.filter((row) => keyState(row, rows, now) === 'active').map((row) => ({ kid: row.kid, alg: row.alg, since: row.active_at })),
      fingerprint: [...signingRows.map((row) => `${row.kid}:${keyState(row, rows, now)}`), '|', ...cookieRows.map((row) => `${row.kid}:${keyState(row, rows, now)}`)].join(','),
      nextChange: nextChange(rows, now),
    };
  }

  /**
   * Adds a key that is published now and signs after `publishSeconds`, and schedules the
   * retirement of the keys it replaces (same use and algorithm) after their retention.
   * Refuses while another key of that use and algorithm waits to sign.
   */
  async rotate(use: KeyUse, options: { alg?: SigningAlg; now?: Date } = {}): Promise<{ kid: string; use: KeyUse; alg: string; published_at: Date; active_at: Date; retiring: { kid: string; retire_at: Date }[] }> {
    const now = options.now ?? new Date();
    const alg = use === 'sig' ? (options.alg ?? this.settings.signingAlg) : 'cookie';
    return this.knex.transaction(async (trx) => {
      await trx.raw('SELECT pg_advisory_xact_lock(?)', [RING_LOCK_KEY]);
      if (!(await trx('key_ring').where({ use }).first())) throw new Error(`there are no ${use === 'sig' ? 'signing' : 'cookie'} keys yet: start Gatehouse once with KEY_ENCRYPTION_KEY, it creates them`);
      const sameKind = (await trx<KeyRow>('key_ring').where({ use, alg })) as KeyRow[];
      const pending = sameKind.find((row) => row.active_at > now && (!row.retire_at || row.retire_at > now));
      if (pending) throw new KeyRotationInProgress(pending);
      const activeAt = new Date(now.getTime() + this.settings.publishSeconds * 1000);
      const row = use === 'sig' ? this.signingRow(generateSigningKey(alg as SigningAlg), now, activeAt) : this.cookieRow(newCookieKey(), now, activeAt);
      await trx('key_ring').insert(row);
      const retention = use === 'sig' ? this.settings.signingRetentionSeconds : this.settings.cookieRetentionSeconds;
      const retireAt = new Date(activeAt.getTime() + retention * 1000);
      const replaced = sameKind.filter((other) => !other.retire_at || other.retire_at > retireAt);
      if (replaced.length) await trx('key_ring').whereIn('kid', replaced.map((other) => other.kid)).update({ retire_at: retireAt });
      return { kid: row.kid, use, alg, published_at: now, active_at: activeAt, retiring: replaced.map((other) => ({ kid: other.kid, retire_at: retireAt })) };
    });
  }

  /** Every key with its state; never the private parts. */
  async list(now = new Date()): Promise<KeyView[]> {
    const rows = await this.rows();
    return rows.map((row) => ({ kid: row.kid, use: row.use, alg: row.alg, state: keyState(row, rows, now), published_at: row.published_at, active_at: row.active_at, retire_at: row.retire_at }));
  }

  /** Re-seals every key under the current key-encryption key; returns how many moved. */
  async reencrypt(): Promise<number> {
    let moved = 0;
    for (const row of await this.rows()) {
      if (row.kek_id === this.encryption.currentId) continue;
      const { sealed, kekId } = this.encryption.seal(this.encryption.open(row.sealed, row.kid, row.kek_id), row.kid);
      moved += await this.knex('key_ring').where({ kid: row.kid, kek_id: row.kek_id }).update({ sealed, kek_id: kekId });
    }
    return moved;
  }

  private async rows(): Promise<KeyRow[]> {
    return (await this.knex<KeyRow>('key_ring').select('*').orderBy('active_at', 'desc')) as KeyRow[];
  }

  private signingRow(jwk: Record<string, unknown>, publishedAt: Date, activeAt: Date): Omit<KeyRow, 'created_at'> {
    const kid = jwk.kid as string;
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk;
    const alg = typeof jwk.alg === 'string' ? jwk.alg : jwk.kty === 'EC' ? 'ES256' : jwk.kty === 'OKP' ? 'EdDSA' : 'RS256';
    const { sealed, kekId } = this.encryption.seal(JSON.stringify({ ...jwk, alg, use: 'sig' }), kid);
    return { kid, use: 'sig', alg, sealed, kek_id: kekId, public_jwk: { ...publicJwk, alg, use: 'sig' }, published_at: publishedAt, active_at: activeAt, retire_at: null };
  }

  private cookieRow(key: string, publishedAt: Date, activeAt: Date): Omit<KeyRow, 'created_at'> {
    const kid = `cookie-${randomUUID()}`;
    const { sealed, kekId } = this.encryption.seal(key, kid);
    return { kid, use: 'cookie', alg: 'cookie', sealed, kek_id: kekId, public_jwk: null, published_at: publishedAt, active_at: activeAt, retire_at: null };
  }
}

function newCookieKey(): string {
  return randomBytes(32).toString('base64url');
}
