import { runKeysCommand } from './app/keys-command.js';
import { ConfigError, loadKeysCommandConfig } from './infrastructure/config/config.js';

/** `npm run keys -- list | rotate [signing|cookie] [--alg ...] | reencrypt` (see app/keys-command.ts). */
try {
  const config = loadKeysCommandConfig();
  process.exitCode = await runKeysCommand(process.argv.slice(2), config, (line) => console.log(line));
} catch (err) {
  console.error(`gatehouse keys: ${err instanceof ConfigError ? err.message : (err as Error).message}`);
  process.exitCode = 1;
}
