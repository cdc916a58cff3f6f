import { parseArgs } from 'node:util';
import { openDatabase } from '../src/infrastructure/storage/database.js';
import { migrateToLatest } from '../migrations/migrator.js';
import { SCALE_DEFAULTS, seedAtScale, tableSizes, type ScaleSeedOptions } from './seed/scale-seed.js';
import { refusalToSeed } from './seed/seed-guard.js';
import { seededUsername } from './seed/people.js';
import { formatBytes } from './seed/seed-report.js';

/**
 * `npm run seed:scale -- [--tenants N] [--users N] [--refresh-tokens N] [--sessions N]
 * [--expired-share F] [--batch N] [--password P] [--force]`: fills the PostgreSQL database of
 * DATABASE_URL (migrated first) with tenants, users and live refresh tokens as Gatehouse stores
 * them, plus expired rows for the cleanup. Progress on stderr, the summary on stdout.
 */
const USAGE = `usage: DATABASE_URL=postgres://… npm run seed:scale -- [--tenants ${SCALE_DEFAULTS.tenants}] [--users ${SCALE_DEFAULTS.users}] [--refresh-tokens ${SCALE_DEFAULTS.refreshTokens}]
  [--sessions users/10] [--expired-share ${SCALE_DEFAULTS.expiredShare}] [--batch ${SCALE_DEFAULTS.batch}] [--password ${SCALE_DEFAULTS.password}] [--force]
BCRYPT_COST (default 12) is the cost of the users' one shared password hash.`;

function count(raw: string | undefined, name: string, fallback: number, min = 0): number {
  if (raw === undefined) return fallback;
  const value = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`--${name}: a whole number of at least ${min}\n${USAGE}`);
  return value;
}

function readOptions(argv: string[], env: NodeJS.ProcessEnv): { options: ScaleSeedOptions; force: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      tenants: { type: 'string' },
      users: { type: 'string' },
      'refresh-tokens': { type: 'string' },
      sessions: { type: 'string' },
      'expired-share': { type: 'string' },
      batch: { type: 'string' },
      password: { type: 'string' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const tenants = count(values.tenants, 'tenants', SCALE_DEFAULTS.tenants, 1);
  const users = count(values.users, 'users', SCALE_DEFAULTS.users, 1);
  const refreshTokens = count(values['refresh-tokens'], 'refresh-tokens', SCALE_DEFAULTS.refreshTokens);
  const expiredShare = values['expired-share'] === undefined ? SCALE_DEFAULTS.expiredShare : Number(values['expired-share']);
  if (!(expiredShare >= 0 && expiredShare <= 10)) throw new Error(`--expired-share: a share such as 0.05\n${USAGE}`);
  const options: ScaleSeedOptions = {
    tenants,
    users,
    refreshTokens,
    sessions: count(values.sessions, 'sessions', Math.min(Math.round(users / 10), refreshTokens)),
    expiredShare,
    batch: count(values.batch, 'batch', SCALE_DEFAULTS.batch, 2),
    password: values.password ?? SCALE_DEFAULTS.password,
    bcryptCost: count(env.BCRYPT_COST, 'BCRYPT_COST', SCALE_DEFAULTS.bcryptCost, 4),
  };
  return { options, force: values.force ?? false };
}

async function main(): Promise<void> {
  const { options, force } = readOptions(process.argv.slice(2), process.env);
  if (!process.env.DATABASE_URL) throw new Error(`DATABASE_URL: the PostgreSQL database to fill (the embedded one is not for millions of rows)\n${USAGE}`);
  const database = await openDatabase({ url: process.env.DATABASE_URL, poolMax: 2 });
  try {
    await migrateToLatest(database.knex);
    const refusal = await refusalToSeed(database.knex, process.env, force);
    if (refusal) throw new Error(`refusing to seed: ${refusal}`);
    const log = (line: string) => process.stderr.write(`[seed] ${line}\n`);
    log(`${options.tenants.toLocaleString('en-US')} tenants, ${options.users.toLocaleString('en-US')} users, ${options.refreshTokens.toLocaleString('en-US')} live refresh tokens, ${options.sessions.toLocaleString('en-US')} live sessions, expired share ${options.expiredShare}`);
    const started = Date.now();
    const result = await seedAtScale(database.knex, options, log);
    const out = ['Seeded:', ...result.parts.map((part) => `  ${part.name.padEnd(24)} ${part.rows.toLocaleString('en-US').padStart(12)} rows  ${part.seconds.toFixed(1).padStart(7)} s`)];
    out.push(`  ${'total'.padEnd(24)} ${''.padStart(12)}       ${((Date.now() - started) / 1000).toFixed(1).padStart(7)} s`);
    out.push(`  of which expired (for the cleanup): ${result.expiredRefreshTokens.toLocaleString('en-US')} refresh tokens, ${result.expiredSessions.toLocaleString('en-US')} sessions`);
    out.push('Table sizes (with indexes):');
    for (const size of await tableSizes(database.knex)) out.push(`  ${size.table.padEnd(16)} ${size.rows.toLocaleString('en-US').padStart(12)} rows  ${formatBytes(size.bytes).padStart(10)}`);
    out.push(`Every seeded user's password: ${options.password} (e.g. username ${seededUsername(0)}).`);
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await database.close();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`seed:scale: ${err.message}\n`);
  process.exitCode = 1;
});
