import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';

/** What one of Gatehouse's own web apps keeps about a signed-in person (server-side only). */
export interface FirstPartySession<State extends object = Record<string, unknown>> {
  /** The cookie's value; never stored (only its digest is). */
  token: string;
  clientId: string;
  userId: string;
  tenantId: string;
  signedInAt: Date;
  expiresAt: Date;
  state: State;
}

interface Row {
  id_hash: string;
  client_id: string;
  user_id: string;
  tenant_id: string;
  state: Record<string, unknown>;
  signed_in_at: Date;
  expires_at: Date;
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/**
 * Sessions of first-party web apps. A database row rather than a sealed cookie: a session can
 * be ended from the server (sign-out, a password change) and the browser never holds more than
 * an opaque id. A leaked table holds only digests of the ids.
 */
export class FirstPartySessionRepository {
  constructor(private readonly knex: Knex) {}

  async create(session: Omit<FirstPartySession, 'token'>): Promise<FirstPartySession> {
    const token = randomBytes(32).toString('base64url');
    await this.knex<Row>('first_party_sessions').insert({
      id_hash: digest(token),
      client_id: session.clientId,
      user_id: session.userId,
      tenant_id: session.tenantId,
      state: JSON.stringify(session.state) as never,
      signed_in_at: session.signedInAt,
      expires_at: session.expiresAt,
    });
    return { ...session, token };
  }

  /** The live session of this id for this app; undefined when unknown, of another app or expired. */
  async find(token: string, clientId: string, now: Date): Promise<FirstPartySession | undefined> {
    const row = await this.knex<Row>('first_party_sessions').where({ id_hash: digest(token), client_id: clientId }).andWhere('expires_at', '>', now).first();
    if (!row) return undefined;
    return { token, clientId: row.client_id, userId: row.user_id, tenantId: row.tenant_id, signedInAt: new Date(row.signed_in_at), expiresAt: new Date(row.expires_at), state: row.state ?? {} };
  }

  /** Slides the idle expiry forward and saves the state (one statement per request). */
  async touch(token: string, changes: { expiresAt: Date; state?: Record<string, unknown>; signedInAt?: Date }): Promise<void> {
    await this.knex('first_party_sessions')
      .where({ id_hash: digest(token) })
      .update({
        expires_at: changes.expiresAt,
        ...(changes.state ? { state: JSON.stringify(changes.state) } : {}),
        ...(changes.signedInAt ? { signed_in_at: changes.signedInAt } : {}),
      });
  }

  async end(token: string): Promise<void> {
    await this.knex('first_party_sessions').where({ id_hash: digest(token) }).delete();
  }
}
