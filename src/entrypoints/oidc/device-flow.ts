import type Koa from 'koa';
import Provider, { errors, type Adapter, type KoaContextWithOIDC } from 'oidc-provider';
import type { EphemeralMarks } from '../../infrastructure/storage/ephemeral-marks.js';

/**
 * RFC 8628 §3.5: a device polling faster than the interval gets `slow_down`. oidc-provider
 * never throws it, so the DeviceCode look-up on the token endpoint does: each device code may
 * be looked up once per interval, across replicas.
 */
export function enforcePollingInterval(adapter: Adapter, marks: EphemeralMarks, intervalSeconds: number): Adapter {
  return new Proxy(adapter, {
    get(target, property, receiver) {
      if (property !== 'find') return Reflect.get(target, property, receiver);
      return async (id: string) => {
        if (Provider.ctx?.oidc?.route === 'token') {
          // A little tolerance for network jitter between polls that honour the interval.
          const paced = await marks.setIfAbsent(`device-poll:${id}`, intervalSeconds * 1000 - 250);
          if (!paced) throw new errors.SlowDown();
        }
        return target.find(id);
      };
    },
  });
}

/** The device authorization response tells the device how often it may poll. */
export function advertisePollingInterval(provider: Provider, intervalSeconds: number): void {
  const path = provider.pathFor('device_authorization');
  // Every other request (a token request) goes straight on, without waiting here for its answer.
  provider.use((ctx, next) => (ctx.path === path ? withInterval(ctx, next) : next()));
  const withInterval = async (ctx: Koa.Context & Partial<Pick<KoaContextWithOIDC, 'oidc'>>, next: Koa.Next) => {
    await next();
    const body = ctx.body as Record<string, unknown> | undefined;
    if (ctx.oidc?.route === 'device_authorization' && ctx.status === 200 && body && body.interval === undefined) {
      body.interval = intervalSeconds;
    }
  };
}
