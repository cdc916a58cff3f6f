import type { Role } from '../../domain/users/user.js';
import { GatehouseError } from '../../infrastructure/http/gatehouse-error.js';
import type { AdminActor } from './admin-actor.js';

/**
 * Who may do what in the admin API (DESIGN §5). Checked in the order the contract promises:
 * an object the caller may not see is 404 (it does not exist for them), then a forbidden act
 * is 403, then a state conflict is 409.
 */

/** Operators see every tenant; a tenant's people only their own. */
export function assertTenantVisible(actor: AdminActor, tenantId: string | undefined): asserts tenantId is string {
  if (!tenantId || (actor.kind === 'user' && actor.user.tenant_id !== tenantId)) throw new GatehouseError('not_found', 'No such tenant.');
}

export function assertMayCreateTenants(actor: AdminActor): void {
  if (actor.kind !== 'operator') forbid('Only operators create tenants.');
}

export function assertMayChangeTenant(actor: AdminActor): void {
  if (!isOperatorOrAdmin(actor)) forbid("Only the tenant's administrators change its settings.");
}

/** Usage and budgets of the tenant: its administrators and operators. */
export function assertMaySeeTenantUsage(actor: AdminActor): void {
  if (!isOperatorOrAdmin(actor)) forbid("Only the tenant's administrators see its usage.");
}

/**
 * The tenant's whole event log (every user's sign-ins, every administrator's actions): its
 * administrators and operators. Staff read the events of the members they manage instead.
 */
export function assertMayReadTenantEvents(actor: AdminActor): void {
  if (!isOperatorOrAdmin(actor)) forbid("Only the tenant's administrators read its event log.");
}

export function assertMayReadUsers(actor: AdminActor): void {
  if (actor.kind === 'user' && actor.user.role === 'member') forbid('Members cannot use the admin API.');
}

/**
 * The one rule for every call about one user (read, sessions, events, diagnosis, and every
 * change): staff read and act on their tenant's member users only (DESIGN §5), admins and
 * operators on everyone. What an administrator did and where they are signed in is not staff's
 * to see, any more than their password is staff's to set.
 */
export function assertMayAccessUser(actor: AdminActor, target: { role: Role; is_operator?: boolean }): void {
  assertMayReadUsers(actor);
  if (actor.kind === 'user' && actor.user.role === 'staff' && target.role !== 'member') forbid('Staff read and manage member users only.');
  // An operator's account opens every tenant: only another operator may touch it (its password above all).
  if (actor.kind === 'user' && target.is_operator) forbid('Only operators manage an operator.');
}

export function assertMayGiveRole(actor: AdminActor, role: Role): void {
  assertMayReadUsers(actor);
  if (actor.kind === 'user' && actor.user.role === 'staff' && role !== 'member') forbid('Staff may give the member role only.');
}

export function assertMayManageClients(actor: AdminActor): void {
  if (!isOperatorOrAdmin(actor)) forbid("Only the tenant's administrators manage its clients.");
}

function isOperatorOrAdmin(actor: AdminActor): boolean {
  return actor.kind === 'operator' || actor.user.role === 'admin';
}

/** Making a person an operator (or no longer one): operators only. */
export function assertMayGrantOperator(actor: AdminActor): void {
  if (actor.kind !== 'operator') forbid('Only operators make a person an operator.');
}

/** Keys and other deployment-wide settings: operators only. */
export function assertIsOperator(actor: AdminActor): void {
  if (actor.kind !== 'operator') forbid('Only operators manage keys.');
}

function forbid(message: string): never {
  throw new GatehouseError('forbidden', message);
}
