import type { Knex } from 'knex';
import { UserRepository } from '../domain/users/user.repository.js';
import { ClientRepository } from '../domain/clients/client.repository.js';
import { DeviceRepository } from '../domain/devices/device.repository.js';
import { TenantRepository } from '../domain/tenants/tenant.repository.js';
import { ArtifactRepository } from '../domain/sessions/artifact.repository.js';
import { SignInRecordsRepository } from '../domain/sign-in/sign-in-records.repository.js';

export interface Repositories {
  users: UserRepository;
  tenants: TenantRepository;
  clients: ClientRepository;
  devices: DeviceRepository;
  /** The provider's grants, refresh tokens, sessions and codes. */
  artifacts: ArtifactRepository;
  /** A user with their tenant and browser, read together for each request of a sign-in. */
  signInRecords: SignInRecordsRepository;
}

export function createRepositories(knex: Knex): Repositories {
  return { users: new UserRepository(knex), tenants: new TenantRepository(knex), clients: new ClientRepository(knex), devices: new DeviceRepository(knex), artifacts: new ArtifactRepository(knex), signInRecords: new SignInRecordsRepository(knex) };
}
