import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router } from '@koa/router';

/**
 * The few scripts the hosted pages enhance themselves with (passkeys, the show-password toggle), served from Gatehouse's
 * own origin so the pages' content security policy can stay `script-src 'self'`. Read once.
 */
export function createAssetRouter(): Router {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const webauthnEntry = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
  const scripts: Record<string, string> = {
    'webauthn.js': readFileSync(path.join(path.dirname(webauthnEntry), '..', 'dist', 'bundle', 'index.umd.min.js'), 'utf8'),
    'passkeys.js': readFileSync(path.join(here, 'rendering', 'assets', 'passkeys.js'), 'utf8'),
    'show-password.js': readFileSync(path.join(here, 'rendering', 'assets', 'show-password.js'), 'utf8'),
  };
  const router = new Router();
  router.get('/assets/:name', (ctx) => {
    const script = scripts[ctx.params.name!];
    if (script === undefined) return;
    ctx.type = 'application/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = script;
  });
  return router;
}
