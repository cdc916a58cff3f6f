import http from 'node:http';
import Koa from 'koa';
import { createLogger } from '../../src/infrastructure/observability/logger.js';
import { RateLimiters } from '../../src/infrastructure/rate-limits/rate-limiters.js';
import type { Database } from '../../src/infrastructure/storage/database.js';
import { limitUserCodeGuesses, markWrongUserCode } from '../../src/entrypoints/pages/device/user-code-guesses.js';
import { openMigratedDatabase, type MigratedDatabase } from '../helpers/test-gatehouse.js';

/**
 * The device page's tries (RFC 8628 §5.1) are taken before the code is looked up and given back
 * when it was not a wrong code. Giving back happens after the answer is made: when the store
 * stops answering just then, the answer stands. A confirmed code has started its sign-in, and a
 * "try again" page would send the person back to a code already in use.
 */
(process.env.TEST_DATABASE_URL ? describe : describe.skip)('the tries of the device page, when the store goes away mid-request', () => {
  let database: Database;
  let opened: MigratedDatabase;
  let server: http.Server;
  let origin: string;
  const warnings: string[] = [];

  beforeAll(async () => {
    opened = await openMigratedDatabase({ onServer: true });
    database = opened.database;
    const limiters = new RateLimiters({ knex: database.knex });
    const logger = createLogger('warn', { write: (line: string) => void warnings.push(line) });
    const app = new Koa();
    app.use(limitUserCodeGuesses({ perBrowser: limiters.create('device-browser-test', 10, 900), perAddress: limiters.create('device-ip-test', 50, 3600) }, () => 'session', logger));
    app.use(async (ctx) => {
      const { code } = Object.fromEntries(new URLSearchParams(ctx.querystring));
      if (code === 'wrong') {
        markWrongUserCode(ctx);
        ctx.body = 'not valid';
        return;
      }
      // The code was right and the device's sign-in has begun; then the database goes away.
      await database.close();
      ctx.body = 'confirmed';
    });
    server = http.createServer(app.callback()).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server?.close();
    await opened?.dispose();
  });

  it('answers a right code as made, and says in the log that its try was not given back', async () => {
    const wrong = await fetch(`${origin}/device?code=wrong`, { method: 'POST', headers: { cookie: 'session=browser-1' } });
    expect([wrong.status, await wrong.text()]).toEqual([200, 'not valid']);

    const right = await fetch(`${origin}/device?code=right`, { method: 'POST', headers: { cookie: 'session=browser-1' } });
    expect([right.status, await right.text()]).toEqual([200, 'confirmed']);
    expect(warnings.join('\n')).toMatch(/a device code try was not given back/);
  });
});
