import type { Account, FindAccount, KoaContextWithOIDC } from 'oidc-provider';
import type { UserRepository } from '../../domain/users/user.repository.js';
import type { UserRecord } from '../../domain/users/user.js';
import { RecentUsers } from './recent-users.js';
import { REFUSAL_WORDING, revocationMessage } from './refusal-wording.js';
import { readableInvalidGrant } from './readable-refusal.js';
import type { SignInFactsLoader } from '../../domain/sign-in/sign-in-facts.js';

/** How long a user read for a refresh serves the next ones (see RecentUsers). */
export const USER_CACHE_MS = 3_000;

/**
 * The provider's view of a user. Tokens whose chain began before the user's
 * `tokens_valid_after` (password set by an administrator, sign-out everywhere) are refused even
 * if a copy survived revocation somewhere.
 */
export function createFindAccount(users: UserRepository, options: { cacheMs?: number; recent?: RecentUsers; facts?: SignInFactsLoader } = {}): FindAccount {
  const cacheMs = options.cacheMs ?? USER_CACHE_MS;
  const recent = options.recent ?? new RecentUsers(cacheMs);
  // Every refresh looks the user up; a few seconds of memory (which the refresh token's own read
  // fills) spare PostgreSQL a query on the hottest path. Revocation does not depend on it: the
  // rotation checks, in the same statement that consumes the token, that the user is neither
  // gone, disabled nor signed out since the chain began. Only profile claims in a refreshed ID
  // token may lag by the TTL; every other path reads the database.
  const findUser = async (id: string) => {
    const hit = recent.get(id);
    if (hit) return hit.user;
    const user = await users.findById(id);
    recent.remember(id, user);
    return user;
  };
  return async (ctx, sub, token) => {
    // Only refreshes (the hot path, guarded by refresh-token tombstones) read the memory.
    // An authorization request shares the user its interaction-policy checks read.
    const user =
      cacheMs > 0 && token?.kind === 'RefreshToken'
        ? await findUser(sub)
        : !token && options.facts && ctx
          ? (await options.facts.forAccount(ctx, sub))?.user
          : await users.findById(sub);
    if (!user) return refuse(ctx, 'user_deleted', REFUSAL_WORDING.user_deleted, sub);
    if (user.disabled) return refuse(ctx, 'account_disabled', REFUSAL_WORDING.account_disabled, sub);
    if (token && user.tokens_valid_after) {
      const issuedAt = ('iiat' in token && typeof token.iiat === 'number' ? token.iiat : token.iat) ?? 0;
      if (issuedAt * 1000 < user.tokens_valid_after.getTime()) return refuse(ctx, user.tokens_revoked_reason ?? 'revoked', revocationMessage(user.tokens_revoked_reason), sub);
    }
    return toAccount(user);
  };
}

/**
 * No account for this token. At the token endpoint the client is told why, so the app can tell
 * the person (DESIGN §3); elsewhere the provider's own answer (inactive, invalid token) stands.
 */
function refuse(ctx: KoaContextWithOIDC, reason: string, description: string, accountId: string): undefined {
  if (ctx?.oidc?.route === 'token') throw readableInvalidGrant(description, { reason, accountId });
  return undefined;
}

export function toAccount(user: UserRecord): Account {
  return {
    accountId: user.id,
    async claims() {
      return {
        sub: user.id,
        name: user.name ?? undefined,
        given_name: user.given_name ?? undefined,
        family_name: user.family_name ?? undefined,
        locale: user.locale ?? undefined,
        zoneinfo: user.zoneinfo ?? undefined,
        preferred_username: user.username,
        tenant: user.tenant_id,
        role: user.role,
        email: user.email ?? undefined,
        email_verified: false,
        phone_number: user.phone ?? undefined,
        phone_number_verified: user.phone ? user.phone_verified : undefined,
        updated_at: Math.floor(user.updated_at.getTime() / 1000),
      };
    },
  };
}
