import type { UserRecord } from '../users/user.js';
import type { EventRepository } from '../events/event.repository.js';
import type { LockoutService } from '../lockout/lockout.service.js';
import type { TenantRecord } from '../tenants/tenant.js';
import { diagnose, type ClientFacts, type DeliveryFacts, type Diagnosis, type DiagnosisFacts } from './diagnose.js';
import type { DiagnosisRepository } from './diagnosis.repository.js';

/** Whether a tenant's SMS budget is used up this month (provided by the SMS second factor). */
export type SmsBudgetStatus = (tenantId: string) => Promise<{ exhausted: boolean; since?: Date }>;

/** What the outbox knows of a user's emails and SMS (provided by the delivery module). */
export type DeliveryStatus = (user: UserRecord) => Promise<DeliveryFacts>;

/** The tenant's single sign-on, when it has one (provided by the federation module). */
export type SingleSignOnStatus = (tenantId: string) => Promise<{ required: boolean; display_name: string } | undefined>;

export interface DiagnosisDependencies {
  repository: DiagnosisRepository;
  events: EventRepository;
  lockout: LockoutService;
  smsBudget?: SmsBudgetStatus;
  /** The second-factor methods the user has set up that the tenant allows. */
  enrolledMethods?: (user: UserRecord, tenant: TenantRecord) => Promise<string[]>;
  delivery?: DeliveryStatus;
  singleSignOn?: SingleSignOnStatus;
  now?: () => Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** How far back the diagnosis reads a user's events (a refresh token lives 30 days). */
const LOOK_BACK_MS = 30 * DAY_MS;
const MAX_USER_EVENTS = 2_000;
const MAX_CLIENT_FAILURES = 200;
/** A refused single sign-on older than this no longer explains today's trouble. */
const SSO_LOOK_BACK_MS = 7 * DAY_MS;

/**
 * "Why can't I sign in?" in one call (DESIGN §5): gathers what the lockout counters, the user's
 * record, the provider's tokens and the event log know, and lets the pure `diagnose` explain.
 */
export class DiagnosisService {
  constructor(private readonly deps: DiagnosisDependencies) {}

  async diagnose(tenant: TenantRecord, user: UserRecord): Promise<Diagnosis> {
    const now = this.deps.now?.() ?? new Date();
    const since = new Date(now.getTime() - LOOK_BACK_MS);
    const [events, tokens, locks, smsBudget, enrolledMethods, delivery, singleSignOn] = await Promise.all([
      this.deps.events.ofUser(user.id, since, MAX_USER_EVENTS),
      this.deps.repository.tokensOf(user.id, user.tokens_valid_after),
      this.deps.lockout.activeLocks(user),
      this.deps.smsBudget?.(tenant.id),
      this.deps.enrolledMethods?.(user, tenant),
      this.deps.delivery?.(user),
      this.singleSignOn(tenant, user, now),
    ]);

    const clientIds = new Set([...tokens.map((t) => t.client_id), ...events.map((e) => e.client_id).filter((id): id is string => Boolean(id))]);
    const known = await this.deps.repository.clients([...clientIds]);
    // An administrator answers for the tenant's integrations, which no user signs in to.
    const integrations = user.role === 'admin' ? (await this.deps.repository.integrationsOf(tenant.id)).filter((c) => !clientIds.has(c.client_id)) : [];
    const clients: ClientFacts[] = await Promise.all(
      [...known, ...integrations].map(async (client) => {
        const token = tokens.find((t) => t.client_id === client.client_id);
        return {
          client_id: client.client_id,
          kind: client.kind,
          name: client.name,
          active_refresh_tokens: token?.active_refresh_tokens ?? 0,
          last_token_at: token?.last_token_at ?? null,
          revoked_at_cut: token?.revoked_at_cut ?? 0,
          signed_in_since_cut: token?.signed_in_since_cut ?? false,
          last_used_at: client.last_used_at,
          previous_secret_expires_at: client.previous_secret_expires_at,
          auth_failures: await this.deps.events.ofClient(client.client_id, ['client.auth_failed'], since, MAX_CLIENT_FAILURES),
        };
      }),
    );

    return diagnose({ now, user, mfaMode: tenant.settings.mfa.mode, locks, events, clients, smsBudget: smsBudget ?? undefined, enrolledMethods, delivery, singleSignOn });
  }

  /** The tenant's single sign-on, and refusals of it that named this user without finding them. */
  private async singleSignOn(tenant: TenantRecord, user: UserRecord, now: Date): Promise<DiagnosisFacts['singleSignOn']> {
    const connection = await this.deps.singleSignOn?.(tenant.id);
    if (!connection) return undefined;
    const identifiers = [user.username, user.email].filter((value): value is string => Boolean(value));
    const unmatched = await this.deps.events.ssoRefusalsNaming(tenant.id, identifiers, new Date(now.getTime() - SSO_LOOK_BACK_MS), 20);
    return { required: connection.required, displayName: connection.display_name, unmatchedRefusals: unmatched };
  }
}
