import type { Knex } from 'knex';
import { UserRepository } from '../accounts/user.repository.js';
import { ClientRepository } from '../clients/client.repository.js';
import { DeviceRepository } from '../devices/device.repository.js';
import { TenantRepository } from '../tenants/tenant.repository.js';

export interface Repositories {
  users: UserRepository;
  tenants: TenantRepository;
  clients: ClientRepository;
  devices: DeviceRepository;
}

export function createRepositories(knex: Knex): Repositories {
  return { users: new UserRepository(knex), tenants: new TenantRepository(knex), clients: new ClientRepository(knex), devices: new DeviceRepository(knex) };
}
