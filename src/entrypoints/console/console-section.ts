import type { Router } from '@koa/router';
import type { FreshSecondFactor } from '../../domain/account/fresh-second-factor.js';
import type { ClientAdminService } from '../../domain/clients/client-admin.service.js';
import type { ClientRepository } from '../../domain/clients/client.repository.js';
import type { DiagnosisService } from '../../domain/diagnosis/diagnosis.service.js';
import type { EventRepository } from '../../domain/events/event.repository.js';
import type { LockoutService } from '../../domain/lockout/lockout.service.js';
import type { SessionViewService } from '../../domain/sessions/session-view.service.js';
import type { SmsBudget } from '../../domain/second-factor/sms/sms-budget.js';
import type { TenantLogos } from '../../domain/tenants/tenant-logo.js';
import type { TenantRepository } from '../../domain/tenants/tenant.repository.js';
import type { TenantService } from '../../domain/tenants/tenant.service.js';
import type { UserAdminService } from '../../domain/user-admin/user-admin.service.js';
import type { UserAdministration } from '../../domain/user-admin/user-administration.js';
import type { UserRepository } from '../../domain/users/user.repository.js';
import type { AdminActor } from '../admin/admin-actor.js';
import type { FirstPartyWebApp } from '../first-party/first-party-web-app.js';

/**
 * What the console's sections act through: the same repositories and services as the admin API
 * (so the two cannot disagree), and the console's own first-party sign-in.
 */
export interface ConsoleDependencies {
  webApp: FirstPartyWebApp;
  tenants: TenantRepository;
  users: UserRepository;
  userAdmin: UserAdminService;
  userAdministration: UserAdministration;
  sessionView: SessionViewService;
  lockout: LockoutService;
  diagnosis: DiagnosisService;
  eventHistory: EventRepository;
  clients: ClientRepository;
  clientAdmin: ClientAdminService;
  tenantService: TenantService;
  tenantLogos: TenantLogos;
  smsBudget: SmsBudget;
  /** The account page's "confirm it is you" with a second factor, reused before destructive actions. */
  account: { freshSecondFactor: FreshSecondFactor };
  now?: () => Date;
}

/** One section of the console: a navigation entry and its routes, in a file of its own. */
export interface ConsoleSection {
  id: string;
  /** Where the navigation links to. */
  path: string;
  /** Catalog key of the navigation label; none: reached from other pages, not the navigation. */
  label?: string;
  /** Whether the person sees the section in the navigation (the routes authorize on their own). */
  shownTo(actor: AdminActor): boolean;
  register(router: Router, deps: ConsoleDependencies): void;
}
