import type { EventLog } from '../events/event-log.js';
import type { ActiveGrant, SessionViewService } from '../sessions/session-view.service.js';
import type { SignOutService } from '../sessions/sign-out.service.js';
import { accountEventFields, type AccountSubject } from './account-subject.js';

/**
 * The apps a person is signed in to, one line per app, and "sign out" of one of them: that
 * app's grants and refresh tokens are revoked (the app's next refresh is refused and it asks
 * the person to sign in again); other apps and the browser session stay.
 */
export class AccountApps {
  constructor(
    private readonly deps: { sessionView: SessionViewService; signOut: SignOutService; events: EventLog; ownClientId: string },
  ) {}

  /** Every app but the account page itself (signing out of it is the page's own sign-out). */
  async list(subject: AccountSubject): Promise<ActiveGrant[]> {
    return (await this.deps.sessionView.activeGrants(subject.user.id)).filter((grant) => grant.client_id !== this.deps.ownClientId);
  }

  async signOut(subject: AccountSubject, clientId: string): Promise<boolean> {
    if (clientId === this.deps.ownClientId || !(await this.list(subject)).some((grant) => grant.client_id === clientId)) return false;
    const revoked = await this.deps.signOut.signOutOfApp(subject.user.id, clientId, 'signed_out_by_user', (trx, counts) =>
      this.deps.events.writeIn(trx, { type: 'account.app_signed_out', ...accountEventFields(subject), reason: 'signed_out_by_user', details: { app: clientId, ...counts } }),
    );
    return revoked.grants > 0;
  }
}
