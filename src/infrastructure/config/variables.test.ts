import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { SECRET_VARIABLES, loadConfig } from './config.js';
import { VARIABLES } from './variables.js';

/**
 * The declarations are the documentation's only source, so they must name exactly the variables
 * the code reads: a variable read but not declared would be missing from docs/configuration.md,
 * one declared but not read would document a setting that does nothing.
 */
const SRC = path.resolve('src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return full.endsWith('.ts') && !full.endsWith('.test.ts') ? [full] : [];
  });
}

/** Names read as `env.NAME` anywhere, or passed by name to config.ts's readers. */
function variablesReadByTheCode(): Set<string> {
  const names = new Set<string>(SECRET_VARIABLES);
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/\benv\.([A-Z][A-Z0-9_]*)\b/g)) names.add(match[1]!);
  }
  const config = readFileSync(path.join(SRC, 'infrastructure/config/config.ts'), 'utf8');
  for (const match of config.matchAll(/\b(?:read|readKeyEncryptionKey)\(env, '([A-Z][A-Z0-9_]*)'/g)) names.add(match[1]!);
  return names;
}

describe('the declared configuration variables', () => {
  const declared = Object.keys(VARIABLES).sort();
  const read = [...variablesReadByTheCode()].sort();

  it('are exactly the variables the code reads', () => {
    expect(declared).toEqual(read);
  });

  it('give the defaults loadConfig applies when nothing is set', () => {
    const config = loadConfig({});
    expect(config.port).toBe(VARIABLES.PORT.default);
    expect(config.metricsPort).toBe(VARIABLES.METRICS_PORT.default);
    expect(config.bcryptCost).toBe(VARIABLES.BCRYPT_COST.default);
    expect(config.timeouts.databaseStatementMs).toBe(VARIABLES.DATABASE_STATEMENT_TIMEOUT_MS.default);
    expect(config.shutdownTimeoutMs).toBe(VARIABLES.SHUTDOWN_TIMEOUT_MS.default);
    expect(config.issuer).toBe(`http://localhost:${VARIABLES.PORT.default}`);
    expect(config.emailFrom).toBe(VARIABLES.EMAIL_FROM.default);
    expect(config.seedDemo).toBe(true);
    expect(config.delivery).toBe('outbox');
  });

  it('state whole-number bounds that loadConfig enforces', () => {
    expect(() => loadConfig({ BCRYPT_COST: String(VARIABLES.BCRYPT_COST.max + 1) })).toThrow(`BCRYPT_COST: must be between ${VARIABLES.BCRYPT_COST.min} and ${VARIABLES.BCRYPT_COST.max}`);
  });
});
