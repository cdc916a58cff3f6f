import type Provider from 'oidc-provider';
import type { Logger } from '../../infrastructure/observability/logger.js';
import type { RingSnapshot } from '../../infrastructure/keys/key-ring.js';
import { CookieSignatures } from '../../infrastructure/crypto/cookie-signatures.js';

type KeystoreInitializer = (this: Provider, jwks: { keys: Record<string, unknown>[] }) => void;
// oidc-provider takes its keys once, at construction; its own initializer, called again, puts a
// new set in force on the running provider (the published JWKS included). Not a public API:
// test/integration/key-rotation.test.ts fails if an oidc-provider upgrade changes it.
const INITIALIZER = 'oidc-provider/lib/helpers/initialize_keystore.js';
let initializer: KeystoreInitializer | undefined;

/** Puts a snapshot of the key ring in force: signing keys (and JWKS) and cookie keys. */
export async function applyKeys(provider: Provider, snapshot: Pick<RingSnapshot, 'jwks' | 'cookieKeys'>): Promise<void> {
  initializer ??= ((await import(INITIALIZER)) as { default: KeystoreInitializer }).default;
  initializer.call(provider, structuredClone(snapshot.jwks));
  // Koa signs cookies with the first key and accepts any: read per request, so this takes effect at once.
  (provider as unknown as { keys: CookieSignatures }).keys = new CookieSignatures(snapshot.cookieKeys);
}

export interface KeyFollower {
  /** Re-reads the ring now (tests, and after a rotation on this replica). */
  refresh(): Promise<void>;
  stop(): void;
}

/**
 * Keeps a replica's keys in step with the ring: re-reads it every `refreshSeconds` and at the
 * moment a key changes state, and applies it when something changed. A failed read keeps the
 * keys in force and tries again at the next interval.
 */
export function followKeyRing(
  provider: Provider,
  ring: { snapshot(now?: Date): Promise<RingSnapshot> },
  options: { refreshSeconds: number; initial: RingSnapshot; logger: Logger; onApplied?: (snapshot: RingSnapshot) => void },
): KeyFollower {
  let fingerprint = options.initial.fingerprint;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<void> | undefined;

  const schedule = (next?: Date) => {
    if (stopped) return;
    const interval = options.refreshSeconds * 1000;
    // A little after the change, so the clock of the database and this one need not agree to the millisecond.
    const untilChange = next ? Math.max(0, next.getTime() - Date.now()) + 50 : interval;
    timer = setTimeout(() => void refresh(), Math.min(interval, untilChange));
    timer.unref();
  };

  const refresh = (): Promise<void> => {
    running ??= (async () => {
      if (timer) clearTimeout(timer);
      let next: Date | undefined;
      try {
        const snapshot = await ring.snapshot();
        next = snapshot.nextChange;
        if (snapshot.fingerprint !== fingerprint) {
          await applyKeys(provider, snapshot);
          fingerprint = snapshot.fingerprint;
          options.logger.info({ signing: snapshot.signing.map((key) => key.kid), published: snapshot.jwks.keys.length, cookieKeys: snapshot.cookieKeys.length }, 'keys changed');
          options.onApplied?.(snapshot);
        }
      } catch (err) {
        options.logger.warn({ err }, 'could not read the key ring; keeping the keys in force');
      } finally {
        running = undefined;
        schedule(next);
      }
    })();
    return running;
  };

  schedule(options.initial.nextChange);
  return {
    refresh,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
