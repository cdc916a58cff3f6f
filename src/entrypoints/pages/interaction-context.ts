import type Provider from 'oidc-provider';
import type { PasswordLoginService } from '../../domain/sign-in/password-login.service.js';
import type { SignInService } from '../../domain/sign-in/sign-in.service.js';
import type { UserRepository } from '../../domain/users/user.repository.js';
import type { DeviceRepository } from '../../domain/devices/device.repository.js';
import type { UserRecord } from '../../domain/users/user.js';
import type { SignInEvents } from '../../domain/events/sign-in-events.js';
import type { Logger } from '../../infrastructure/observability/logger.js';

/** What the hosted pages need, and nothing more. */
export interface InteractionDependencies {
  provider: Provider;
  signIn: SignInService;
  users: UserRepository;
  logger: Logger;
  devices: DeviceRepository;
  /** The login form's password step, guarded by the lockout. */
  passwordLogin: PasswordLoginService;
  signInEvents: SignInEvents;
  /** Emails the user that a browser they never used before signed in (sent in the background). */
  notifyNewDevice: (user: UserRecord, where: { client: string; ip: string; userAgent: string }) => void;
  /** Mark cookies Secure (the issuer is https). */
  secureCookies: boolean;
}
