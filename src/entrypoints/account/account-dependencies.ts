import type { AccountActivity } from '../../domain/account/account-activity.js';
import type { AccountApps } from '../../domain/account/account-apps.js';
import type { AccountEnrollment } from '../../domain/account/account-enrollment.js';
import type { AccountMethods } from '../../domain/account/account-methods.js';
import type { AccountPassword } from '../../domain/account/account-password.js';
import type { FreshSecondFactor } from '../../domain/account/fresh-second-factor.js';
import type { PhoneChange } from '../../domain/account/phone-change.js';
import type { FirstPartyWebApp } from '../first-party/first-party-web-app.js';

/** What the account page's routes work with: the first-party sign-in and the person's own services. */
export interface AccountDependencies {
  webApp: FirstPartyWebApp;
  account: {
    password: AccountPassword;
    phone: PhoneChange;
    freshSecondFactor: FreshSecondFactor;
    methods: AccountMethods;
    enrollment: AccountEnrollment;
    apps: AccountApps;
    activity: AccountActivity;
  };
}
