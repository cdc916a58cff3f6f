import * as oidc from 'openid-client';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { discoverClient, signInWithCode } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

/**
 * The refresh grant is the hottest path (DESIGN §9: at least as fast as bare oidc-provider):
 * it finds the presented refresh token, then consumes it and writes the rotated one in a single
 * statement. Two statements on refresh tokens per refresh, whatever else is cached or not.
 */
describe('a refresh on the token endpoint', () => {
  let server: TestGatehouse;
  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage());
  });
  afterAll(async () => server?.stop());

  it('finds the refresh token and rotates it in one statement each', async () => {
    const config = await discoverClient(server.issuer, DEMO.mobile.clientId);
    const { tokens } = await signInWithCode(config, { username: 'alice', password: DEMO.password, redirectUri: `${server.issuer}${DEMO.callbackPath}` });
    let refreshToken = tokens.refresh_token!;
    const { knex } = server.gatehouse.database;
    for (let i = 0; i < 3; i++) {
      const statements: string[] = [];
      const onQuery = (query: { sql: string; bindings?: unknown[] }) => {
        if (query.bindings?.[0] === 'RefreshToken' || query.sql.includes("t.type = 'RefreshToken'")) statements.push(query.sql.trim().split(/\s+/)[0]!);
      };
      knex.on('query', onQuery);
      try {
        refreshToken = (await oidc.refreshTokenGrant(config, refreshToken)).refresh_token!;
      } finally {
        knex.off('query', onQuery);
      }
      expect(statements).toEqual(['SELECT', 'WITH']);
    }
  });

  it('keeps refreshing and signing in when a migration adds a column while the statements are prepared (a rolling deploy)', async () => {
    const config = await discoverClient(server.issuer, DEMO.mobile.clientId);
    const { tokens } = await signInWithCode(config, { username: 'alice', password: DEMO.password, redirectUri: `${server.issuer}${DEMO.callbackPath}` });
    let refreshToken = (await oidc.refreshTokenGrant(config, tokens.refresh_token!)).refresh_token!;
    const { knex } = server.gatehouse.database;
    await knex.raw('ALTER TABLE oidc_artifacts ADD COLUMN added_by_a_newer_release text');
    await knex.raw('ALTER TABLE users ADD COLUMN added_by_a_newer_release text');
    try {
      for (let i = 0; i < 3; i++) refreshToken = (await oidc.refreshTokenGrant(config, refreshToken)).refresh_token!;
      // A sign-in's prepared writes and reads (its artifacts, the last sign-in, the user's row).
      const again = await signInWithCode(config, { username: 'alice', password: DEMO.password, redirectUri: `${server.issuer}${DEMO.callbackPath}` });
      expect(again.tokens.refresh_token).toBeTruthy();
    } finally {
      await knex.raw('ALTER TABLE oidc_artifacts DROP COLUMN added_by_a_newer_release');
      await knex.raw('ALTER TABLE users DROP COLUMN added_by_a_newer_release');
    }
  });
});
