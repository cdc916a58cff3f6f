import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BuildInfo {
  version: string;
  /** The source revision the image was built from (`GATEHOUSE_REVISION`, set by the Dockerfile), or `unknown`. */
  revision: string;
}

/**
 * Gatehouse's version from the nearest package.json above this file: the repository's when run
 * from source, the image's /app/package.json when run compiled from dist/.
 */
export function buildInfo(env: NodeJS.ProcessEnv = process.env): BuildInfo {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  let version = 'unknown';
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'gatehouse' && pkg.version) {
        version = pkg.version;
        break;
      }
    }
    dir = path.dirname(dir);
  }
  const revision = env.GATEHOUSE_REVISION && /^[A-Za-z0-9._-]{1,64}$/.test(env.GATEHOUSE_REVISION) ? env.GATEHOUSE_REVISION : 'unknown';
  return { version, revision };
}
