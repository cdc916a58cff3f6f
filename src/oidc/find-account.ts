import type { Account, FindAccount } from 'oidc-provider';
import type { UserRecord, UserRepository } from '../accounts/user.repository.js';

/**
 * The provider's view of a user. Tokens whose chain began before the user's
 * `tokens_valid_after` (password set by an administrator, sign-out everywhere) are refused even
 * if a copy survived revocation somewhere.
 */
export function createFindAccount(users: UserRepository): FindAccount {
  return async (_ctx, sub, token) => {
    const user = await users.findById(sub);
    if (!user || user.disabled) return undefined;
    if (token && user.tokens_valid_after) {
      const issuedAt = ('iiat' in token && typeof token.iiat === 'number' ? token.iiat : token.iat) ?? 0;
      if (issuedAt * 1000 < user.tokens_valid_after.getTime()) return undefined;
    }
    return toAccount(user);
  };
}

export function toAccount(user: UserRecord): Account {
  return {
    accountId: user.id,
    async claims() {
      return {
        sub: user.id,
        name: user.name ?? undefined,
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
