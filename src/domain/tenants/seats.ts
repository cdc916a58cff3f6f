import type { Knex } from 'knex';
import { GatehouseError } from '../../infrastructure/http/gatehouse-error.js';
import type { TenantRecord } from './tenant.js';

/**
 * A tenant's seat limit (`seats.limit`, set by the operator): how many users that are not
 * disabled it may have. Checked inside the transaction that adds the user, with the tenant's row
 * locked until it commits, so two parallel additions cannot both take the last seat. Called last
 * in that transaction (`counted`), the lock is held only for the count and the commit.
 */
export async function takeSeat(trx: Knex.Transaction, tenant: TenantRecord, options: { counted?: boolean } = {}): Promise<void> {
  const limit = tenant.settings.seats.limit;
  if (limit === null) return;
  // NO KEY UPDATE: exclusive among seat checks, yet compatible with the KEY SHARE lock that
  // inserting the user (its foreign key to the tenant) already holds; FOR UPDATE would deadlock.
  await trx('tenants').where({ id: tenant.id }).forNoKeyUpdate().first('id');
  const [{ count }] = (await trx('users').where({ tenant_id: tenant.id, disabled: false }).count({ count: '*' })) as [{ count: string | number }];
  // `counted`: the transaction already added (or enabled) the user, who is in the count.
  if (Number(count) > (options.counted ? limit : limit - 1)) throw new NoSeatLeft(limit);
}

/** Every seat is taken: the admin API answers 409, a sign-in shows the page that says so. */
export class NoSeatLeft extends GatehouseError {
  constructor(readonly limit: number) {
    super('conflict', `Every seat of this tenant is taken (${limit}): disable or delete a user, or ask your operator for more seats.`, { reason: 'no_seat_left' });
  }
}
