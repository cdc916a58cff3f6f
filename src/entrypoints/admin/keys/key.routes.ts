import type { EventLog } from '../../../domain/events/event-log.js';
import { GatehouseError } from '../../../infrastructure/http/gatehouse-error.js';
import { KeyRotationInProgress, type KeyRing, type KeyUse } from '../../../infrastructure/keys/key-ring.js';
import { assertIsOperator } from '../access-policy.js';
import { eventActor } from '../admin-actor.js';
import type { AdminApi } from '../admin-route.js';
import { keyListSchema, rotateKeySchema, rotationSchema } from './key.schemas.js';

export interface KeyRouteDependencies {
  /** Present when keys live in the database (KEY_ENCRYPTION_KEY). */
  keyRing?: KeyRing;
  events: EventLog;
  /** Puts a rotation in force on this replica at once (the others follow within KEY_REFRESH_SECONDS). */
  afterKeyRotation?: () => Promise<void>;
}

const USE: Record<'signing' | 'cookie', KeyUse> = { signing: 'sig', cookie: 'cookie' };
const NAME: Record<KeyUse, 'signing' | 'cookie'> = { sig: 'signing', cookie: 'cookie' };

/** Signing and cookie keys (operators): list them, rotate them. Never their private parts. */
export function registerKeyRoutes(api: AdminApi, deps: KeyRouteDependencies): void {
  const ring = (): KeyRing => {
    if (!deps.keyRing) throw new GatehouseError('conflict', 'Keys come from the JWKS and COOKIE_KEYS variables; set KEY_ENCRYPTION_KEY to keep them in the database and rotate them here.');
    return deps.keyRing;
  };

  api.route({
    method: 'get',
    path: '/keys',
    summary: 'Signing and cookie keys with their state (operators)',
    success: { status: 200, schema: keyListSchema, description: 'Every key, newest first' },
    errors: [403, 409],
    handler: async ({ actor }) => {
      assertIsOperator(actor);
      const items = await ring().list();
      return {
        items: items.map((key) => ({
          kid: key.kid,
          use: NAME[key.use],
          alg: key.alg,
          state: key.state,
          published_at: key.published_at.toISOString(),
          active_at: key.active_at.toISOString(),
          retire_at: key.retire_at?.toISOString() ?? null,
        })),
      };
    },
  });

  api.route({
    method: 'post',
    path: '/keys/rotations',
    summary: 'Rotate the signing or the cookie key (operators): published now, signing after KEY_PUBLISH_SECONDS',
    body: rotateKeySchema,
    success: { status: 201, schema: rotationSchema, description: 'The new key and the keys it replaces' },
    errors: [403, 409],
    handler: async ({ actor, body }) => {
      assertIsOperator(actor);
      const use = USE[body.use];
      if (use === 'cookie' && body.alg) throw new GatehouseError('invalid_request', 'alg applies to signing keys only', { errors: [{ field: 'alg', message: 'only for use signing' }] });
      let rotation;
      try {
        rotation = await ring().rotate(use, { alg: body.alg });
      } catch (err) {
        if (err instanceof KeyRotationInProgress) throw new GatehouseError('conflict', err.message, { pending_kid: err.pending.kid, active_at: err.pending.active_at.toISOString() });
        throw err;
      }
      await deps.afterKeyRotation?.();
      deps.events.record({ type: 'admin.key_rotated', actor: eventActor(actor), reason: body.use, details: { kid: rotation.kid, alg: rotation.alg, active_at: rotation.active_at.toISOString(), retiring: rotation.retiring.map((key) => key.kid) } });
      return {
        kid: rotation.kid,
        use: body.use,
        alg: rotation.alg,
        published_at: rotation.published_at.toISOString(),
        active_at: rotation.active_at.toISOString(),
        retiring: rotation.retiring.map((key) => ({ kid: key.kid, retire_at: key.retire_at.toISOString() })),
      };
    },
  });
}
