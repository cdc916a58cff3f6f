import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/*
 * A new embedded database begins with PostgreSQL's initdb run in WebAssembly: about 7 s of CPU
 * on a two-core machine, for every suite that starts Gatehouse on the embedded default. Tests
 * start from a copy of one such cluster instead (under a second): the same PGlite files initdb
 * writes, made once per machine and PGlite version, then migrated and seeded by Gatehouse as on
 * any start. The first start of a truly empty data directory stays covered by the tests that
 * run `npm start` as written (test/docs/first-ten-minutes.test.ts).
 */
const pgliteVersion: string = JSON.parse(readFileSync(path.resolve('node_modules/@electric-sql/pglite/package.json'), 'utf8')).version;
const TEMPLATE = path.join(tmpdir(), `gatehouse-test-pglite-${pgliteVersion}`);

async function template(): Promise<string> {
  if (existsSync(path.join(TEMPLATE, 'PG_VERSION'))) return TEMPLATE;
  // Made aside and renamed into place, so that a parallel suite never copies a half-made one.
  const making = mkdtempSync(`${TEMPLATE}-making-`);
  const db = await PGlite.create(making);
  await db.close();
  try {
    renameSync(making, TEMPLATE);
  } catch {
    // Another suite made it first.
    rmSync(making, { recursive: true, force: true });
  }
  return TEMPLATE;
}

/** Puts a freshly initialised embedded cluster where Gatehouse looks for it in `dataDir` (`<DATA_DIR>/pg`). */
export async function seedEmbeddedCluster(dataDir: string): Promise<void> {
  const cluster = path.join(dataDir, 'pg');
  if (existsSync(path.join(cluster, 'PG_VERSION'))) return;
  mkdirSync(dataDir, { recursive: true });
  cpSync(await template(), cluster, { recursive: true });
}
