import type { Knex } from 'knex';
import { deleteInBatches } from '../../infrastructure/storage/batched-delete.js';
import { runPrepared, usesPreparedStatements, type PreparedStatement } from '../../infrastructure/storage/prepared-statements.js';
import { mayRetryAlone, TickBatch } from '../../infrastructure/storage/tick-batch.js';
import type { ActiveGrant, ArtifactWrite, ClientTokenActivity, RefreshChainState, StoredArtifact, StoredRefreshToken, UserGrant } from './artifact.js';

/*
 * The provider's hottest statements (every refresh finds its token and writes the rotated one)
 * are plain SQL prepared once here: no query builder per request.
 */
const COLUMNS = 'payload, consumed_at, revoked_at, revoked_reason, account_id';
const LIVE = '(expires_at IS NULL OR expires_at > now())';
const FIND_SQL = `SELECT ${COLUMNS} FROM oidc_artifacts WHERE type = ? AND id = ? AND ${LIVE}`;
const FIND_EXPIRED_TOO_SQL = `SELECT ${COLUMNS} FROM oidc_artifacts WHERE type = ? AND id = ?`;
const DESTROY_SQL = `DELETE FROM oidc_artifacts WHERE type = ? AND (id = ? OR uid = (SELECT uid FROM oidc_artifacts WHERE type = ? AND id = ?))`;
const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
/** The user id of artifact `t` (its `account_id` as uuid), or null when it names no user. */
const USER_ID_OF_T = `CASE WHEN t.account_id ~ '${UUID}' THEN t.account_id::uuid END`;
// A refresh token and, in the same round trip, its grant (live and not revoked) and its user
// (as `to_jsonb(users)`, null when gone), which every refresh reads next: an app refreshing once
// an hour finds none of them in any cache.
const FIND_REFRESH_TOKEN_SQL = `SELECT t.payload, t.consumed_at, t.revoked_at, t.revoked_reason, t.account_id,
    (SELECT g.payload FROM oidc_artifacts g WHERE g.type = 'Grant' AND g.id = t.grant_id AND g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > now())) AS grant_payload,
    (SELECT to_jsonb(u) FROM users u WHERE u.id = ${USER_ID_OF_T}) AS user_row
  FROM oidc_artifacts t WHERE t.type = 'RefreshToken' AND t.id = ? AND (t.expires_at IS NULL OR t.expires_at > now())`;
const CONSUME_SQL = 'UPDATE oidc_artifacts SET consumed_at = now() WHERE type = ? AND id = ? AND consumed_at IS NULL';
const ON_CONFLICT = `ON CONFLICT (type, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id, user_code = EXCLUDED.user_code,
    uid = EXCLUDED.uid, account_id = EXCLUDED.account_id, client_id = EXCLUDED.client_id, expires_at = EXCLUDED.expires_at`;
const INSERT_COLUMNS = 'INSERT INTO oidc_artifacts (type, id, payload, grant_id, user_code, uid, account_id, client_id, expires_at)';
/*
 * A save updates the row when it is there and inserts it otherwise. Not a bare INSERT … ON
 * CONFLICT: that guards only the (type, id) key it names, and when it meets a row another
 * transaction is updating at that moment it can go on to insert and then fail on the table's
 * other unique index, the user code's (a duplicate key), so one of a browser's parallel form
 * posts, each saving its session, was answered 500 (the uid's index was unique then too). An
 * UPDATE waits for the other's lock and updates the newest row.
 * The INSERT runs only when no row was there, its ON CONFLICT for two first saves at once.
 */
const UPSERT_SQL = `WITH artifact (type, id, payload, grant_id, user_code, uid, account_id, client_id, expires_at) AS (
    VALUES (?::text, ?::text, ?::jsonb, ?::text, ?::text, ?::text, ?::text, ?::text, ?::timestamptz)),
  updated AS (
    UPDATE oidc_artifacts AS t SET payload = a.payload, grant_id = a.grant_id, user_code = a.user_code, uid = a.uid,
      account_id = a.account_id, client_id = a.client_id, expires_at = a.expires_at
    FROM artifact AS a WHERE t.type = a.type AND t.id = a.id
    RETURNING 1
  )
  ${INSERT_COLUMNS} SELECT type, id, payload, grant_id, user_code, uid, account_id, client_id, expires_at FROM artifact
  WHERE NOT EXISTS (SELECT 1 FROM updated) ${ON_CONFLICT}`;
const GRANT_LIVE = "g.type = 'Grant' AND g.id = t.grant_id AND (g.expires_at IS NULL OR g.expires_at > now())";
/*
 * A refresh consumes the presented token and writes its successor in one statement, and only
 * while the chain may go on: the token neither consumed nor revoked, its grant still there, its
 * user neither gone, disabled nor signed out since the chain began. The grant row is locked
 * (FOR SHARE) for the statement: a sign-out deletes the grants first, in its transaction, so a
 * rotation either commits before the sign-out reaches its grant (and the sign-out then revokes
 * the successor too) or waits for it and is refused. No cached read can let a refresh through.
 *
 * A plain INSERT, not an upsert: the successor's id was drawn moments ago (256 random bits), so
 * no row can hold it, and ON CONFLICT would make PostgreSQL insert speculatively and confirm for
 * nothing (about 5 % of a refresh's database CPU, measured). Were it ever to collide, the
 * statement fails and the app retries with the token it still holds, which is still unconsumed.
 */
const ROTATE_REFRESH_SQL = `WITH rotation (type, previous_id, id, account_id, chain_started) AS (VALUES (?::text, ?::text, ?::text, ?::uuid, to_timestamp(?::double precision))),
  consumed AS (
    UPDATE oidc_artifacts AS t SET consumed_at = now(), successor_id = r.id FROM rotation AS r
    WHERE t.type = r.type AND t.id = r.previous_id AND t.consumed_at IS NULL AND t.revoked_at IS NULL
      AND EXISTS (SELECT 1 FROM oidc_artifacts AS g WHERE ${GRANT_LIVE} FOR SHARE)
      AND EXISTS (SELECT 1 FROM users AS u WHERE u.id = r.account_id AND NOT u.disabled AND (u.tokens_valid_after IS NULL OR u.tokens_valid_after <= r.chain_started))
    RETURNING 1
  )
  ${INSERT_COLUMNS} SELECT ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?::timestamptz WHERE EXISTS (SELECT 1 FROM consumed)`;
/**
 * The same look-up for the refreshes of one turn of the event loop together (see TickBatch):
 * one look-up per id (LATERAL), each by its key exactly as the statement above. Exported for
 * the test of its plan on a table whose statistics are out of date.
 *
 * Not `id = ANY (array)`, nor a set-wise rotation: with the table's statistics out of date (a
 * database minutes old, a table that grew fast since it was last analysed), PostgreSQL planned
 * those as a scan of every refresh token filtered by the batch, and the rotation then locked
 * the grant of every live token, not only those of its batch. A look-up by key has one plan.
 */
export const FIND_REFRESH_TOKENS_SQL = `SELECT w.id, f.* FROM unnest(?::text[]) AS w (id)
  CROSS JOIN LATERAL (${FIND_REFRESH_TOKEN_SQL.replace('t.id = ?', 't.id = w.id')} LIMIT 1) AS f`;
// Named anew with the user column: a connection that prepared the old text keeps it under the old name.
const FIND_REFRESH_TOKENS: PreparedStatement = { name: 'gh_find_refresh_tokens_2', sql: FIND_REFRESH_TOKENS_SQL };
const FIND: PreparedStatement = { name: 'gh_find_artifact', sql: FIND_SQL };
const FIND_EXPIRED_TOO: PreparedStatement = { name: 'gh_find_artifact_expired_too', sql: FIND_EXPIRED_TOO_SQL };
const FIND_REFRESH_TOKEN: PreparedStatement = { name: 'gh_find_refresh_token_2', sql: FIND_REFRESH_TOKEN_SQL };
const ROTATE_REFRESH: PreparedStatement = { name: 'gh_rotate_refresh_token', sql: ROTATE_REFRESH_SQL };
// A sign-in writes three artifacts (its grant, its session, its first refresh token).
const UPSERT: PreparedStatement = { name: 'gh_upsert_artifact_2', sql: UPSERT_SQL };
/** How many successors a chain look-up follows: more rotations than that within the retry window is no app retrying. */
const MAX_HOPS = 20;
/**
 * From a presented refresh token to the newest token of its chain (following successors), with
 * what decides whether the chain may go on: its grant and its user.
 */
const CHAIN_SQL = `WITH RECURSIVE chain AS (
    SELECT id, successor_id, consumed_at, revoked_at, revoked_reason, expires_at, grant_id, account_id, payload, 0 AS hops
    FROM oidc_artifacts WHERE type = ? AND id = ?
    UNION ALL
    SELECT n.id, n.successor_id, n.consumed_at, n.revoked_at, n.revoked_reason, n.expires_at, n.grant_id, n.account_id, n.payload, c.hops + 1
    FROM chain AS c JOIN oidc_artifacts AS n ON n.type = 'RefreshToken' AND n.id = c.successor_id
    WHERE c.consumed_at IS NOT NULL AND c.hops < ${MAX_HOPS}
  ), head AS (SELECT * FROM chain ORDER BY hops DESC LIMIT 1)
  SELECT t.id, t.consumed_at, t.revoked_at, t.revoked_reason, t.expires_at, (t.payload->>'iiat')::double precision AS chain_started,
    EXISTS (SELECT 1 FROM oidc_artifacts AS g WHERE ${GRANT_LIVE}) AS grant_live,
    u.id IS NOT NULL AS user_exists, coalesce(u.disabled, false) AS user_disabled, u.tokens_valid_after, u.tokens_revoked_reason
  FROM head AS t LEFT JOIN users AS u ON u.id = ${USER_ID_OF_T}`;

/** What the cleanup deleted here, under the name it reports each table by. */
export interface ExpiredArtifacts {
  oidc_artifacts: number;
}

/**
 * The one reader and writer of the provider's durable artifacts (table `oidc_artifacts`): the
 * provider's adapter, refresh rotation, sign-out everywhere, the session view, the diagnosis,
 * the cleanup and client deletion all go through here, so the rules of the table (what is live,
 * what a tombstone is, how a rotation stays atomic) hold in one place.
 */
export class ArtifactRepository {
  /** The refresh tokens looked up in one turn of the event loop, found together; only outside a transaction, on a PostgreSQL server. */
  private readonly refreshTokenFinds?: TickBatch<string, StoredRefreshToken | undefined>;

  constructor(private readonly knex: Knex) {
    if (usesPreparedStatements(knex)) {
      this.refreshTokenFinds = new TickBatch({ one: (id) => this.findOneRefreshToken(id), many: (ids) => this.findRefreshTokens(ids), retryAlone: mayRetryAlone });
    }
  }

  /** The same repository inside a transaction of the caller. */
  within(trx: Knex.Transaction): ArtifactRepository {
    return new ArtifactRepository(trx);
  }

  // --- The provider's adapter -------------------------------------------------------------

  /**
   * A live (unexpired) artifact, consumed and revoked ones included: the caller decides.
   * `expiredToo`: also one that expired and was not cleaned up yet (the caller tells why it is
   * refused, as a device polling with an expired code must be told `expired_token`).
   */
  async find(type: string, id: string, options: { expiredToo?: boolean } = {}): Promise<StoredArtifact | undefined> {
    const { rows } = await runPrepared<StoredArtifact>(this.knex, options.expiredToo ? FIND_EXPIRED_TOO : FIND, [type, id]);
    return rows[0];
  }

  /** A live refresh token with its grant's payload (null when the grant is gone or revoked) and its user's row. */
  findRefreshToken(id: string): Promise<StoredRefreshToken | undefined> {
    return this.refreshTokenFinds ? this.refreshTokenFinds.add(id) : this.findOneRefreshToken(id);
  }

  private async findOneRefreshToken(id: string): Promise<StoredRefreshToken | undefined> {
    const { rows } = await runPrepared<StoredRefreshToken>(this.knex, FIND_REFRESH_TOKEN, [id]);
    return rows[0];
  }

  private async findRefreshTokens(ids: readonly string[]): Promise<(StoredRefreshToken | undefined)[]> {
    const { rows } = await runPrepared<StoredRefreshToken & { id: string }>(this.knex, FIND_REFRESH_TOKENS, [ids]);
    const byId = new Map(rows.map(({ id, ...row }) => [id, row]));
    return ids.map((id) => byId.get(id));
  }

  /**
   * The artifact a uid names: for a browser session, its newest identifier. A session is given a
   * new identifier each time a sign-in completes in it, and two completing at once each give it
   * one, so for a moment two rows carry its uid (the browser keeps one of them as its cookie).
   */
  async findByUid(type: string, uid: string): Promise<StoredArtifact | undefined> {
    return this.live(type).where({ uid }).orderBy('created_at', 'desc').first<StoredArtifact | undefined>();
  }

  async findByUserCode(type: string, userCode: string): Promise<StoredArtifact | undefined> {
    return this.live(type).where({ user_code: userCode }).first<StoredArtifact | undefined>();
  }

  /**
   * Saves an artifact (see UPSERT_SQL). Several first saves of one new id at once can still
   * meet in the user code's index or deadlock there (PostgreSQL's ON CONFLICT covers only the
   * key it names): a refused statement did nothing, and sent again it finds the row the other
   * saved and updates it. Outside a transaction only: inside one, the refusal ends the caller's
   * transaction, which must decide for itself.
   */
  async upsert(type: string, id: string, artifact: ArtifactWrite): Promise<void> {
    const values = writeValues(type, id, artifact);
    for (let attempt = 1; ; attempt++) {
      try {
        await runPrepared(this.knex, UPSERT, values);
        return;
      } catch (err) {
        if (attempt >= SAVE_ATTEMPTS || this.knex.isTransaction || !metAnotherSave(err)) throw err;
      }
    }
  }

  /**
   * Consumes the refresh token `previousId` and writes its successor `id`, in one statement (one
   * round trip per refresh), only while the chain may go on (see ROTATE_REFRESH_SQL): of
   * parallel rotations of one token exactly one succeeds. false: consumed already, or the chain
   * was revoked; `refreshChain` tells which.
   */
  async rotateRefreshToken(previousId: string, id: string, artifact: ArtifactWrite, chainStarted: number): Promise<boolean> {
    const owner = artifact.accountId && UUID_PATTERN.test(artifact.accountId) ? artifact.accountId : null;
    const { rowCount } = await runPrepared(this.knex, ROTATE_REFRESH, ['RefreshToken', previousId, id, owner, chainStarted, ...writeValues('RefreshToken', id, artifact)]);
    return rowCount > 0;
  }

  /** The state of the chain `id` belongs to, at its newest token; undefined when `id` is unknown. */
  async refreshChain(id: string): Promise<RefreshChainState | undefined> {
    const { rows } = await this.knex.raw<{ rows: ChainRow[] }>(CHAIN_SQL, ['RefreshToken', id]);
    const row = rows[0];
    if (!row) return undefined;
    return {
      headId: row.id,
      consumedAt: row.consumed_at,
      revokedAt: row.revoked_at,
      revokedReason: row.revoked_reason,
      expiresAt: row.expires_at,
      chainStartedAt: row.chain_started === null ? null : new Date(row.chain_started * 1000),
      grantLive: row.grant_live,
      user: row.user_exists ? { disabled: row.user_disabled, tokensValidAfter: row.tokens_valid_after, revokedReason: row.tokens_revoked_reason } : undefined,
    };
  }

  /** Marks an artifact consumed. Atomic: true for exactly one of several callers at once. */
  async consume(type: string, id: string): Promise<boolean> {
    const { rowCount } = await this.knex.raw<{ rowCount: number }>(CONSUME_SQL, [type, id]);
    return rowCount > 0;
  }

  /**
   * Deletes an artifact and, when it is there and has a uid, every other identifier of the same
   * browser session (see findByUid): a sign-out ends the session whichever identifier the tab
   * holds. The provider also destroys a session's previous identifier when it gives a new one;
   * a sign-in completing beside it has already destroyed that one, so nothing of it is found.
   */
  async destroy(type: string, id: string): Promise<void> {
    await this.knex.raw(DESTROY_SQL, [type, id, type, id]);
  }

  async deleteByGrantId(type: string, grantId: string): Promise<void> {
    await this.knex('oidc_artifacts').where({ type, grant_id: grantId }).delete();
  }

  // --- Sessions and sign-out --------------------------------------------------------------

  /**
   * Which apps a user is signed in to: their live grants per client, with when each began and
   * was last used (every refresh rotates the token, so the newest refresh token tells).
   */
  async activeGrantsOf(userId: string): Promise<ActiveGrant[]> {
    const rows = await this.knex('oidc_artifacts as g')
      .leftJoin('clients as c', 'c.client_id', 'g.client_id')
      .leftJoin('oidc_artifacts as r', (join) => {
        join.on('r.grant_id', '=', 'g.id').andOn('r.type', '=', this.knex.raw('?', ['RefreshToken']));
      })
      .where({ 'g.type': 'Grant', 'g.account_id': userId })
      .andWhere('g.expires_at', '>', this.knex.fn.now())
      .groupBy('g.id', 'g.client_id', 'g.created_at', 'c.kind', 'c.name')
      .select(
        'g.client_id',
        'c.kind as client_kind',
        'c.name as client_name',
        'g.created_at',
        this.knex.raw('greatest(g.created_at, max(r.created_at)) as last_used_at'),
        this.knex.raw(`count(r.id) filter (where r.consumed_at is null and r.revoked_at is null and r.expires_at > now()) as active_refresh_tokens`),
      )
      .orderBy('last_used_at', 'desc');
    return rows.map((row) => ({
      client_id: row.client_id,
      client_kind: row.client_kind ?? null,
      client_name: row.client_name ?? null,
      created_at: new Date(row.created_at).toISOString(),
      last_used_at: new Date(row.last_used_at).toISOString(),
      active_refresh_tokens: Number(row.active_refresh_tokens),
    }));
  }

  /** Every grant of a user, expired ones included, with its app. */
  async grantsOf(userId: string): Promise<UserGrant[]> {
    const rows = await this.knex('oidc_artifacts as a')
      .leftJoin('clients as c', 'c.client_id', 'a.client_id')
      .select('a.id as grant_id', 'a.client_id', 'c.kind as client_kind', 'c.name as client_name', 'c.backchannel_logout_uri')
      .where({ 'a.type': 'Grant', 'a.account_id': userId });
    return rows.map((row) => ({
      grant_id: row.grant_id,
      client_id: row.client_id,
      client_kind: row.client_kind ?? null,
      client_name: row.client_name ?? null,
      backchannel_logout_uri: row.backchannel_logout_uri ?? null,
    }));
  }

  /**
   * The session ids (`sid`) each client knows of a user's browser sessions, read from the
   * provider's sessions (expired ones not cleaned up yet too: the app may keep its session
   * longer): a logout token naming them lets the app end exactly those.
   */
  async sessionIdsPerClient(userId: string): Promise<Map<string, string[]>> {
    const rows = await this.knex('oidc_artifacts').select('payload').where({ type: 'Session', account_id: userId });
    const sids = new Map<string, string[]>();
    for (const row of rows as Pick<StoredArtifact, 'payload'>[]) {
      const authorizations = (row.payload.authorizations ?? {}) as Record<string, { sid?: unknown }>;
      for (const [clientId, authorization] of Object.entries(authorizations)) {
        if (typeof authorization?.sid !== 'string') continue;
        sids.set(clientId, [...(sids.get(clientId) ?? []), authorization.sid]);
      }
    }
    return sids;
  }

  /** How many usable refresh tokens (not consumed, revoked or expired) a user has, per grant id. */
  async liveRefreshTokensPerGrant(userId: string): Promise<Map<string, number>> {
    const rows = await this.knex('oidc_artifacts')
      .select('grant_id')
      .count<{ grant_id: string; count: number }[]>('* as count')
      .where({ type: 'RefreshToken', account_id: userId })
      .whereNull('consumed_at')
      .whereNull('revoked_at')
      .andWhere('expires_at', '>', this.knex.fn.now())
      .groupBy('grant_id');
    return new Map(rows.map((row) => [row.grant_id, Number(row.count)]));
  }

  /**
   * Revokes every refresh token of a user but keeps it as a tombstone with the reason, so the
   * app presenting one later is told why. Tokens revoked before keep their first reason.
   * `at`: the instant of the cut, so "revoked at the cut" holds exactly (PostgreSQL's now() is
   * when the transaction began, which can fall in the second before the cut).
   */
  async tombstoneRefreshTokensOf(userId: string, reason: string, at?: Date): Promise<number> {
    return Number(
      await this.knex('oidc_artifacts')
        .where({ type: 'RefreshToken', account_id: userId })
        .whereNull('revoked_at')
        .update({ revoked_at: at ?? this.knex.fn.now(), revoked_reason: reason }),
    );
  }

  /**
   * Deletes every grant of a user and the device codes given under them; returns the grant ids.
   * Run first in a sign-out's transaction: it locks each grant, so a refresh rotating under one
   * (which holds it FOR SHARE) finishes before the sign-out goes on, and the tombstoning that
   * follows sees its new token.
   */
  async deleteGrantsOf(userId: string): Promise<string[]> {
    const grants = await this.knex('oidc_artifacts').where({ type: 'Grant', account_id: userId }).delete().returning<{ id: string }[]>('id');
    const ids = grants.map((grant) => grant.id);
    if (ids.length) await this.knex('oidc_artifacts').where({ type: 'DeviceCode' }).whereIn('grant_id', ids).delete();
    return ids;
  }

  /**
   * Deletes the grants a user gave one client (and their device codes), tombstoning that
   * client's refresh tokens of the user with `reason`; returns the grant ids. Grants first, as
   * in deleteGrantsOf: a refresh rotating under one finishes before its token is tombstoned.
   */
  async deleteGrantsOfClient(userId: string, clientId: string, reason: string): Promise<{ grantIds: string[]; refreshTokensRevoked: number }> {
    const grants = await this.knex('oidc_artifacts').where({ type: 'Grant', account_id: userId, client_id: clientId }).delete().returning<{ id: string }[]>('id');
    const grantIds = grants.map((grant) => grant.id);
    if (grantIds.length) await this.knex('oidc_artifacts').where({ type: 'DeviceCode' }).whereIn('grant_id', grantIds).delete();
    const refreshTokensRevoked = Number(
      await this.knex('oidc_artifacts').where({ type: 'RefreshToken', account_id: userId, client_id: clientId }).whereNull('revoked_at').update({ revoked_at: this.knex.fn.now(), revoked_reason: reason }),
    );
    return { grantIds, refreshTokensRevoked };
  }

  /** Ends every browser session of a user; returns how many there were. */
  async deleteSessionsOf(userId: string): Promise<number> {
    return Number(await this.knex('oidc_artifacts').where({ type: 'Session', account_id: userId }).delete());
  }

  // --- Diagnosis ----------------------------------------------------------------------------

  /**
   * Per client of the user: live refresh tokens, the newest token or grant, how many live tokens
   * the cut at `cut` revoked, and whether the user signed in to it again after (a new grant).
   * Grants and refresh tokens always live in PostgreSQL, so this is the whole picture.
   */
  async tokenActivityPerClient(userId: string, cut: Date | null): Promise<ClientTokenActivity[]> {
    const since = cut ?? 'infinity';
    const rows = await this.knex('oidc_artifacts')
      .where({ account_id: userId })
      .whereIn('type', ['RefreshToken', 'Grant'])
      .whereNotNull('client_id')
      .groupBy('client_id')
      .select(
        'client_id',
        this.knex.raw(`count(*) filter (where type = 'RefreshToken' and consumed_at is null and revoked_at is null and expires_at > now()) as active_refresh_tokens`),
        this.knex.raw('max(created_at) as last_token_at'),
        this.knex.raw(`count(*) filter (where type = 'RefreshToken' and consumed_at is null and revoked_at >= ?::timestamptz) as revoked_at_cut`, [since]),
        this.knex.raw(`coalesce(bool_or(type = 'Grant' and created_at >= ?::timestamptz), false) as signed_in_since_cut`, [since]),
      );
    return rows.map((row) => ({
      client_id: row.client_id,
      active_refresh_tokens: Number(row.active_refresh_tokens),
      last_token_at: row.last_token_at ? new Date(row.last_token_at) : null,
      revoked_at_cut: Number(row.revoked_at_cut),
      signed_in_since_cut: Boolean(row.signed_in_since_cut),
    }));
  }

  // --- Clients and cleanup ------------------------------------------------------------------

  /** Deletes everything stored for a client (grants, tokens, codes); returns how many rows went. */
  async deleteOfClient(clientId: string): Promise<number> {
    return Number(await this.knex('oidc_artifacts').where({ client_id: clientId }).delete());
  }

  /**
   * Deletes what expired before `now`, refresh-token tombstones included (a tombstone outlives
   * its token only to explain a refusal, and an expired token is refused as unknown anyway).
   */
  async deleteExpired(now: Date): Promise<ExpiredArtifacts> {
    return { oidc_artifacts: await deleteInBatches(this.knex, 'oidc_artifacts', (q) => q.where('expires_at', '<', now)) };
  }

  private live(type: string) {
    return this.knex('oidc_artifacts').select(this.knex.raw(COLUMNS)).where({ type }).andWhereRaw(LIVE);
  }
}

const UUID_PATTERN = new RegExp(UUID);

/** How many times a save is sent when it met another save of the same artifact. */
const SAVE_ATTEMPTS = 3;

/** A duplicate key (23505) or a deadlock (40P01): what two saves of one artifact at once can meet. */
function metAnotherSave(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === '40P01';
}

interface ChainRow {
  id: string;
  consumed_at: Date | null;
  revoked_at: Date | null;
  revoked_reason: string | null;
  expires_at: Date | null;
  chain_started: number | null;
  grant_live: boolean;
  user_exists: boolean;
  user_disabled: boolean;
  tokens_valid_after: Date | null;
  tokens_revoked_reason: string | null;
}

function writeValues(type: string, id: string, artifact: ArtifactWrite): Knex.Value[] {
  return [type, id, JSON.stringify(artifact.payload), artifact.grantId, artifact.userCode, artifact.uid, artifact.accountId, artifact.clientId, artifact.expiresAt];
}
