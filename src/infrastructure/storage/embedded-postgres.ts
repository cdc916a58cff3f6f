import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import lockfile from 'proper-lockfile';

/**
 * The embedded default: PostgreSQL compiled to WebAssembly (PGlite), served on a loopback port
 * so the application reaches it through the ordinary `pg` driver. One code path for embedded
 * and real servers; nothing else in Gatehouse knows which one it talks to.
 */
export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(dataDir: string | undefined): Promise<EmbeddedPostgres> {
  let location: string | undefined;
  let unlock: (() => Promise<void>) | undefined;
  if (dataDir) {
    location = path.join(dataDir, 'pg');
    mkdirSync(location, { recursive: true });
    // One process per data directory: two PGlite instances on the same files corrupt them. A
    // second Gatehouse fails here with ELOCKED (told in one line at start-up); a lock left by a
    // crashed process goes stale after a few seconds.
    unlock = await lockfile.lock(location, { lockfilePath: path.join(dataDir, 'gatehouse.lock'), stale: 10_000, update: 2_000, retries: 0, realpath: false });
  }
  const db = await PGlite.create(location).catch(async (err: unknown) => {
    await unlock?.();
    throw err;
  });
  // PGlite runs one query at a time; the socket server queues connections' queries.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 32 });
  await server.start();
  const [host, port] = server.getServerConn().split(':');
  return {
    url: `postgres://postgres@${host}:${port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
      await unlock?.();
    },
  };
}
