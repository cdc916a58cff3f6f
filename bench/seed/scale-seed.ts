import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { ClientRepository } from '../../src/domain/clients/client.repository.js';
import { PasswordHasher } from '../../src/domain/passwords/password-hasher.js';
import { GRANT_TTL, REFRESH_TOKEN_ABSOLUTE_TTL, SESSION_IDLE_TTL } from '../../src/entrypoints/oidc/lifetimes.js';
import { COMPANY_KINDS, COMPANY_WORDS, FAMILY_NAMES, FAMILY_STEP, FIRST_NAMES, FIRST_STEP } from './people.js';
import { opaqueIdSql, SEEDED_CLIENT_ID, SEEDED_SLUG_PREFIX, seededUuidSql, sqlInt, sqlText, sqlTextArray } from './seeded-ids.js';

export interface ScaleSeedOptions {
  tenants: number;
  users: number;
  /** Live (usable) refresh tokens, each the head of its own sign-in: one grant each. */
  refreshTokens: number;
  /** Live browser sessions (people who used a sign-in page within the day). */
  sessions: number;
  /** Expired rows added on top, as a share of the live ones: what the hourly cleanup finds. */
  expiredShare: number;
  /** Rows per INSERT statement. */
  batch: number;
  /** Every seeded user's password (one bcrypt hash, computed once, shared by all). */
  password: string;
  bcryptCost: number;
}

export const SCALE_DEFAULTS: ScaleSeedOptions = {
  tenants: 1_000,
  users: 1_000_000,
  refreshTokens: 10_000_000,
  sessions: 100_000,
  expiredShare: 0.05,
  batch: 100_000,
  password: 'gatehouse-scale',
  bcryptCost: 12,
};

export interface SeedPart {
  name: string;
  rows: number;
  seconds: number;
}

export interface ScaleSeedResult {
  /** Derives every seeded id (seeded-ids.ts): the bench and the tests compute token values from it. */
  salt: string;
  /** The instant the seed's lifetimes are measured from (epoch seconds). */
  seededAt: number;
  /** Live refresh tokens are numbers [0, refreshTokens); expired ones follow. */
  expiredRefreshTokens: number;
  expiredSessions: number;
  parts: SeedPart[];
}

const ROLES_SQL = `CASE WHEN n % 100 = 0 THEN 'admin' WHEN n % 10 = 0 THEN 'staff' ELSE 'member' END`;
// The Unicode TS #39 skeleton of a seeded username (letters, '.', '_', digits): of those
// characters, only 'm' (→ 'rn'), '0' (→ 'O') and '1' (→ 'l') have another prototype. The '_'
// before the number keeps skeletons unique: no name ends in what a digit becomes.
const skeletonSql = (username: string) => `replace(replace(replace(${username}, 'm', 'rn'), '0', 'O'), '1', 'l')`;
const DAY = 86_400;
// A chain's refresh tokens rotate on use; seeded chains are up to this old (all still live).
const LIVE_CHAIN_MAX_AGE = 29 * DAY;
// Expired chains ended within the last two days: a backlog the cleanup has not reached.
const EXPIRED_BACKLOG = 2 * DAY;

/**
 * Fills a migrated Gatehouse database with tenants, users, and refresh tokens with their grants
 * and sessions, as Gatehouse itself stores them (payloads as oidc-provider writes them), so a
 * running Gatehouse signs the users in and refreshes the tokens. Every row is generated inside
 * PostgreSQL (`INSERT … SELECT … FROM generate_series`), `batch` rows per statement.
 */
export async function seedAtScale(knex: Knex, options: ScaleSeedOptions, progress: (line: string) => void = () => undefined): Promise<ScaleSeedResult> {
  const salt = randomBytes(12).toString('base64url');
  const seededAt = Math.floor(Date.now() / 1000);
  const expiredRefreshTokens = Math.round(options.refreshTokens * options.expiredShare);
  const expiredSessions = Math.round(options.sessions * options.expiredShare);
  const parts: SeedPart[] = [];

  const timed = async (name: string, rows: number, work: () => Promise<void>) => {
    const started = performance.now();
    await work();
    const seconds = (performance.now() - started) / 1000;
    parts.push({ name, rows, seconds });
    progress(`${name}: ${rows.toLocaleString('en-US')} rows in ${seconds.toFixed(1)} s`);
  };

  let passwordHash = '';
  await timed('password hash', 1, async () => {
    passwordHash = await new PasswordHasher(options.bcryptCost).hash(options.password);
  });
  await timed('client', 1, () => new ClientRepository(knex).upsert({
    client_id: SEEDED_CLIENT_ID,
    tenant_id: null,
    kind: 'mobile',
    name: 'Field app (seeded)',
    redirect_uris: ['https://app.seed.example/callback'],
    scopes: 'openid profile email phone offline_access',
  }));
  const sql = new SeedStatements(salt, seededAt, passwordHash, options);
  const run = (statement: string) => bulkInsert(knex, statement);
  await timed('tenants', options.tenants, () => inBatches(options.tenants, options.batch, progress, 'tenants', (from, to) => run(sql.tenants(from, to))));
  await timed('users', options.users, () => inBatches(options.users, options.batch, progress, 'users', (from, to) => run(sql.users(from, to))));
  const tokens = options.refreshTokens + expiredRefreshTokens;
  // Two rows per number (grant and token): half the numbers per statement.
  await timed('grants + refresh tokens', 2 * tokens, () => inBatches(tokens, options.batch / 2, progress, 'refresh tokens (+ grants)', (from, to) => run(sql.refreshTokens(from, to))));
  const sessions = options.sessions + expiredSessions;
  await timed('sessions', sessions, () => inBatches(sessions, options.batch, progress, 'sessions', (from, to) => run(sql.sessions(from, to))));
  // What autovacuum would have done on a database that grew over months: plans need statistics,
  // and freshly inserted pages need their visibility marked. Left to autovacuum, that pass over
  // the whole seed would run during the measurements that follow (seen: the admin search a third
  // slower at scale while it ran, and as fast as on the demo database once it had finished).
  // Then a checkpoint: the gigabytes just written would otherwise still be on their way to disk
  // for minutes, and every commit's WAL flush would queue behind them (seen: refresh p99 95 ms).
  await timed('vacuum + analyze + checkpoint', 0, async () => {
    await knex.raw('VACUUM (ANALYZE) tenants, users, oidc_artifacts, clients');
    // Superusers and members of pg_checkpoint only; without the right the seed goes on as before.
    await knex.raw('CHECKPOINT').catch((err: { code?: string }) => {
      if (err.code !== '42501') throw err;
    });
  });
  return { salt, seededAt, expiredRefreshTokens, expiredSessions, parts };
}

/** One batch in its own short transaction, committed without waiting for the disk: a crash mid-seed loses the last batches, which a seed can afford. */
async function bulkInsert(knex: Knex, statement: string): Promise<void> {
  await knex.transaction(async (trx) => {
    await trx.raw('SET LOCAL synchronous_commit = off');
    await trx.raw(statement);
  });
}

async function inBatches(total: number, batch: number, progress: (line: string) => void, what: string, insert: (from: number, to: number) => Promise<unknown>): Promise<void> {
  const size = Math.max(1, Math.floor(batch));
  const started = performance.now();
  let lastReport = started;
  for (let from = 0; from < total; from += size) {
    const to = Math.min(total, from + size);
    await insert(from, to);
    const now = performance.now();
    if (now - lastReport > 5_000 || to === total) {
      const perSecond = to / ((now - started) / 1000);
      progress(`  ${what} ${to.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} (${Math.round(perSecond).toLocaleString('en-US')}/s)`);
      lastReport = now;
    }
  }
}

/** The INSERT statements of one seed run, numbers `from` to `to` (exclusive) each. */
class SeedStatements {
  constructor(
    private readonly salt: string,
    private readonly seededAt: number,
    private readonly passwordHash: string,
    private readonly options: ScaleSeedOptions,
  ) {}

  private series(from: number, to: number): string {
    return `generate_series(${sqlInt(from)}::bigint, ${sqlInt(to)}::bigint - 1) AS n`;
  }

  private tenantOf(n: string): string {
    return `(${n}) % ${sqlInt(this.options.tenants)}`;
  }

  /** Tenant `n` (0-based): slug seed-000042, a company name, created over the last three years. */
  tenants(from: number, to: number): string {
    return `INSERT INTO tenants (id, slug, name, settings, created_at, updated_at)
      SELECT ${seededUuidSql(this.salt, 'tenant', 'n')}, ${sqlText(SEEDED_SLUG_PREFIX)} || lpad(n::text, 6, '0'),
        (${sqlTextArray(COMPANY_WORDS)})[1 + n % ${COMPANY_WORDS.length}] || ' ' || (${sqlTextArray(COMPANY_KINDS)})[1 + (n * 7) % ${COMPANY_KINDS.length}] || ' ' || (n + 1)::text,
        '{}'::jsonb, to_timestamp(${sqlInt(this.seededAt)} - (n * 7919) % ${3 * 365 * DAY}), now()
      FROM ${this.series(from, to)}`;
  }

  /**
   * User `n`: tenant n mod tenants, username `first.family_n` (unique across Gatehouse, see
   * seededUsername), an email at the tenant's domain, a mobile number in E.164 for most (most
   * verified), one in a hundred an administrator, one in ten staff; created over two years.
   */
  users(from: number, to: number): string {
    return `INSERT INTO users (id, tenant_id, username, username_normalized, username_skeleton, email, name, given_name, family_name,
        phone, phone_verified, role, password_hash, password_changed_at, created_at, updated_at)
      SELECT ${seededUuidSql(this.salt, 'user', 'n')}, ${seededUuidSql(this.salt, 'tenant', this.tenantOf('n'))},
        p.username, p.username, ${skeletonSql('p.username')},
        p.username || '@' || ${sqlText(SEEDED_SLUG_PREFIX)} || lpad((${this.tenantOf('n')})::text, 6, '0') || '.example.com',
        p.first || ' ' || p.family, p.first, p.family,
        CASE WHEN n % 5 = 4 THEN NULL ELSE '+1' || (201 + n % 700)::text || '555' || lpad((n % 10000)::text, 4, '0') END, n % 5 < 3,
        ${ROLES_SQL}, ${sqlText(this.passwordHash)}, p.created_at, p.created_at, p.created_at
      FROM ${this.series(from, to)},
        LATERAL (SELECT f.first, f.family, lower(f.first || '.' || f.family || '_' || n::text) AS username,
            to_timestamp(${sqlInt(this.seededAt)} - (n * 104729) % ${2 * 365 * DAY}) AS created_at
          FROM (SELECT (${sqlTextArray(FIRST_NAMES)})[1 + (n * ${FIRST_STEP}) % ${FIRST_NAMES.length}] AS first,
            (${sqlTextArray(FAMILY_NAMES)})[1 + (n * ${FAMILY_STEP}) % ${FAMILY_NAMES.length}] AS family) AS f) AS p`;
  }

  /**
   * Refresh token `n` with its grant, one statement for both: token n belongs to user n mod
   * users, issued to the seeded mobile app, payloads as oidc-provider writes them. Live chains
   * began up to 29 days ago and rotated a few times (gty and rotations as after a refresh); the
   * expired ones (numbers after the live ones) ended within the last two days, their grants
   * still live (a grant outlives its chains), as Gatehouse leaves them for the cleanup.
   */
  refreshTokens(from: number, to: number): string {
    const { salt, seededAt } = this;
    const client = sqlText(SEEDED_CLIENT_ID);
    return `WITH src AS (
        SELECT n, ${opaqueIdSql(salt, 'rt', 'n')} AS token_id, ${opaqueIdSql(salt, 'grant', 'n')} AS grant_id,
          ${opaqueIdSql(salt, 'session', 'n')} AS session_uid, ${seededUuidSql(salt, 'user', `n % ${sqlInt(this.options.users)}`)}::text AS account_id,
          CASE WHEN n < ${sqlInt(this.options.refreshTokens)} THEN ${sqlInt(seededAt)} - 60 - (n * 7919) % ${LIVE_CHAIN_MAX_AGE}
               ELSE ${sqlInt(seededAt - REFRESH_TOKEN_ABSOLUTE_TTL)} - 1 - (n * 7919) % ${EXPIRED_BACKLOG} END AS iiat,
          (n % 5)::int AS rotations
        FROM ${this.series(from, to)}
      ), grants AS (
        INSERT INTO oidc_artifacts (type, id, payload, account_id, client_id, expires_at, created_at)
        SELECT 'Grant', grant_id, jsonb_build_object('exp', iiat + ${GRANT_TTL}, 'iat', iiat, 'jti', grant_id, 'kind', 'Grant',
            'openid', jsonb_build_object('scope', 'openid profile offline_access'), 'clientId', ${client}, 'accountId', account_id),
          account_id, ${client}, to_timestamp(iiat + ${GRANT_TTL}), to_timestamp(iiat)
        FROM src
      )
      INSERT INTO oidc_artifacts (type, id, payload, grant_id, account_id, client_id, expires_at, created_at)
      SELECT 'RefreshToken', token_id, jsonb_build_object('acr', 'urn:gatehouse:acr:single-factor', 'amr', jsonb_build_array('pwd'),
          'exp', iiat + ${REFRESH_TOKEN_ABSOLUTE_TTL}, 'gty', CASE WHEN rotations = 0 THEN 'authorization_code' ELSE 'authorization_code refresh_token' END,
          'iat', t.iat, 'jti', token_id, 'iiat', iiat, 'kind', 'RefreshToken', 'scope', 'openid profile offline_access', 'grantId', grant_id,
          'authTime', iiat, 'clientId', ${client}, 'accountId', account_id, 'rotations', rotations, 'sessionUid', session_uid),
        grant_id, account_id, ${client}, to_timestamp(iiat + ${REFRESH_TOKEN_ABSOLUTE_TTL}), to_timestamp(t.iat)
      FROM src, LATERAL (SELECT least(iiat + rotations * 3600, ${sqlInt(seededAt)} - 60) AS iat) AS t`;
  }

  /**
   * Browser session `n`, of the person and sign-in of refresh token `n`: saved within the last
   * day (live, idle expiry 24 h), or, for the numbers after the live ones, idle for longer
   * (expired, for the cleanup).
   */
  sessions(from: number, to: number): string {
    const { salt, seededAt } = this;
    return `WITH src AS (
        SELECT n, ${opaqueIdSql(salt, 'session-id', 'n')} AS id, ${opaqueIdSql(salt, 'session', 'n')} AS uid, ${opaqueIdSql(salt, 'sid', 'n')} AS sid,
          ${opaqueIdSql(salt, 'grant', 'n')} AS grant_id, ${seededUuidSql(salt, 'user', `n % ${sqlInt(this.options.users)}`)}::text AS account_id,
          CASE WHEN n < ${sqlInt(this.options.sessions)} THEN ${sqlInt(seededAt)} - 60 - (n * 7919) % ${SESSION_IDLE_TTL - 120}
               ELSE ${sqlInt(seededAt - SESSION_IDLE_TTL)} - 1 - (n * 7919) % ${DAY} END AS saved
        FROM ${this.series(from, to)}
      )
      INSERT INTO oidc_artifacts (type, id, payload, uid, account_id, expires_at, created_at)
      SELECT 'Session', id, jsonb_build_object('acr', 'urn:gatehouse:acr:single-factor', 'amr', jsonb_build_array('pwd'), 'exp', saved + ${SESSION_IDLE_TTL},
          'iat', saved, 'jti', id, 'uid', uid, 'kind', 'Session', 'loginTs', saved, 'accountId', account_id, 'transient', true,
          'authorizations', jsonb_build_object(${sqlText(SEEDED_CLIENT_ID)}, jsonb_build_object('sid', sid, 'grantId', grant_id, 'persistsLogout', true))),
        uid, account_id, to_timestamp(saved + ${SESSION_IDLE_TTL}), to_timestamp(saved)
      FROM src`;
  }
}

/** Sizes of the tables the seed fills, as PostgreSQL reports them (indexes and TOAST included). */
export async function tableSizes(knex: Knex): Promise<{ table: string; rows: number; bytes: number }[]> {
  const { rows } = await knex.raw<{ rows: { table: string; rows: number; bytes: number }[] }>(
    `SELECT c.relname AS "table", greatest(c.reltuples, 0)::bigint AS rows, pg_total_relation_size(c.oid) AS bytes
     FROM pg_class c WHERE c.relkind = 'r' AND c.relname IN ('tenants', 'users', 'oidc_artifacts', 'clients') ORDER BY bytes DESC`,
  );
  return rows.map((row) => ({ table: row.table, rows: Number(row.rows), bytes: Number(row.bytes) }));
}
