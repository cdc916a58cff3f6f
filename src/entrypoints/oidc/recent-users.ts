import type { UserRecord } from '../../domain/users/user.js';

/** How many users the memory keeps before it starts over (a burst of refreshes of many people). */
const MAX_USERS = 50_000;

/**
 * Users read in the last few seconds, for the account look-up of refreshes (find-account.ts):
 * every refresh looks its user up, and a refresh-token read brings the user along (the refresh
 * token's adapter remembers it here), so the look-up that follows costs no statement of its own.
 * `undefined` is remembered too: a deleted user is refused without asking again.
 */
export class RecentUsers {
  private readonly users = new Map<string, { user: UserRecord | undefined; until: number }>();

  constructor(private readonly ttlMs: number) {}

  /** The user read within the last `ttlMs`; `{ user: undefined }` for one known to be gone; undefined when not known. */
  get(id: string): { user: UserRecord | undefined } | undefined {
    const hit = this.users.get(id);
    return hit && hit.until > Date.now() ? hit : undefined;
  }

  remember(id: string, user: UserRecord | undefined): void {
    if (this.ttlMs <= 0) return;
    if (this.users.size >= MAX_USERS) this.users.clear();
    this.users.set(id, { user, until: Date.now() + this.ttlMs });
  }
}
