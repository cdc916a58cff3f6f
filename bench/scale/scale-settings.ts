import { SCALE_DEFAULTS } from '../seed/scale-seed.js';

/** How big `npm run bench:scale` seeds; the defaults are the full scale. */
export interface ScaleSettings {
  tenants: number;
  users: number;
  refreshTokens: number;
  expiredShare: number;
}

function whole(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name}: a whole number of at least ${min}`);
  return value;
}

export function readScaleSettings(env: NodeJS.ProcessEnv = process.env): ScaleSettings {
  const share = env.BENCH_SCALE_EXPIRED_SHARE ? Number(env.BENCH_SCALE_EXPIRED_SHARE) : SCALE_DEFAULTS.expiredShare;
  if (!(share >= 0 && share <= 10)) throw new Error('BENCH_SCALE_EXPIRED_SHARE: a share such as 0.05');
  return {
    tenants: whole(env, 'BENCH_SCALE_TENANTS', SCALE_DEFAULTS.tenants, 1),
    users: whole(env, 'BENCH_SCALE_USERS', SCALE_DEFAULTS.users, 1),
    // At least one per connection of the cold-refresh scenario.
    refreshTokens: whole(env, 'BENCH_SCALE_REFRESH_TOKENS', SCALE_DEFAULTS.refreshTokens, 100),
    expiredShare: share,
  };
}
