import { KeyEncryption } from '../infrastructure/keys/key-encryption.js';
import { KeyRing, KeyRotationInProgress, type KeyUse } from '../infrastructure/keys/key-ring.js';
import { SIGNING_ALGS, type SigningAlg } from '../infrastructure/keys/key-generation.js';
import type { KeysCommandConfig } from '../infrastructure/config/config.js';
import { openDatabase } from '../infrastructure/storage/database.js';
import { migrateToLatest } from '../../migrations/migrator.js';

export const KEYS_USAGE = `usage: npm run keys -- <command>
  list                          every signing and cookie key with its state
  rotate [signing|cookie]       a new key, published now, signing after KEY_PUBLISH_SECONDS;
        [--alg RS256|ES256|EdDSA]   the keys it replaces retire after their retention
  reencrypt                     re-seal every key under KEY_ENCRYPTION_KEY
                                (after rotating it; KEY_ENCRYPTION_KEY_PREVIOUS opens the old ones)`;

/**
 * `npm run keys`: the key ring from the command line (the admin API's /keys does the same).
 * Returns the exit status; prints through `print`, never a private key.
 */
export async function runKeysCommand(args: string[], config: KeysCommandConfig, print: (line: string) => void): Promise<number> {
  const [command, ...rest] = args;
  if (!command || !['list', 'rotate', 'reencrypt'].includes(command)) {
    print(KEYS_USAGE);
    return 2;
  }
  const database = await openDatabase({ url: config.databaseUrl, embeddedDataDir: config.dataDir });
  try {
    await migrateToLatest(database.knex);
    const ring = new KeyRing(database.knex, new KeyEncryption(config.keyRing.keyEncryptionKey, config.keyRing.previousKeyEncryptionKey), config.keyRing);
    if (command === 'list') {
      for (const key of await ring.list()) {
        print(`${key.use === 'sig' ? 'signing' : 'cookie '}  ${key.alg.padEnd(6)}  ${key.state.padEnd(9)}  ${key.kid}  published ${key.published_at.toISOString()}  signs ${key.active_at.toISOString()}${key.retire_at ? `  retires ${key.retire_at.toISOString()}` : ''}`);
      }
      return 0;
    }
    if (command === 'reencrypt') {
      print(`${await ring.reencrypt()} keys re-sealed under the current KEY_ENCRYPTION_KEY`);
      return 0;
    }
    const use: KeyUse = rest.includes('cookie') ? 'cookie' : 'sig';
    const algIndex = rest.indexOf('--alg');
    const alg = algIndex === -1 ? undefined : rest[algIndex + 1];
    if (alg !== undefined && (use === 'cookie' || !(SIGNING_ALGS as readonly string[]).includes(alg))) {
      print(`--alg must be one of ${SIGNING_ALGS.join(', ')}, for signing keys`);
      return 2;
    }
    try {
      const rotation = await ring.rotate(use, { alg: alg as SigningAlg | undefined });
      print(`new ${use === 'sig' ? `${rotation.alg} signing` : 'cookie'} key ${rotation.kid}: published now, signs from ${rotation.active_at.toISOString()}`);
      for (const key of rotation.retiring) print(`  replaces ${key.kid}, which retires at ${key.retire_at.toISOString()}`);
      print('Every replica follows within KEY_REFRESH_SECONDS; nothing needs restarting.');
      return 0;
    } catch (err) {
      if (err instanceof KeyRotationInProgress) {
        print(err.message);
        return 1;
      }
      throw err;
    }
  } finally {
    await database.close();
  }
}
