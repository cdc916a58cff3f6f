import { randomBytes } from 'node:crypto';
import { DeviceRepository, DEVICE_TIMESTAMP_COLUMNS } from '../../src/domain/devices/device.repository.js';
import { CONNECTION_TIMESTAMP_COLUMNS, SsoConnectionRepository } from '../../src/domain/federation/sso-connection.repository.js';
import { DEFAULT_CLAIM_MAPPING } from '../../src/domain/federation/sso-connection.js';
import { SignInRecordsRepository } from '../../src/domain/sign-in/sign-in-records.repository.js';
import { TENANT_TIMESTAMP_COLUMNS, TenantRepository } from '../../src/domain/tenants/tenant.repository.js';
import { USER_TIMESTAMP_COLUMNS, UserRepository } from '../../src/domain/users/user.repository.js';
import type { Database } from '../../src/infrastructure/storage/database.js';
import { openMigratedDatabase, type MigratedDatabase } from '../helpers/test-gatehouse.js';

/** The embedded database, and the real server when the environment names one. */
const kinds = ['embedded', ...(process.env.TEST_DATABASE_URL ? ['postgres'] : [])] as const;

/**
 * A sign-in reads the user, their tenant, this browser's record and the tenant's single sign-on
 * in one statement, the joined rows as JSON: each must read exactly as its own repository reads
 * it (Dates where the table has timestamps), or a decision on it would silently change.
 */
describe.each(kinds)('the records a sign-in reads together, on %s PostgreSQL', (kind) => {
  let database: Database;
  let opened: MigratedDatabase;
  let records: SignInRecordsRepository;
  let users: UserRepository;
  let tenants: TenantRepository;
  let devices: DeviceRepository;
  let connections: SsoConnectionRepository;

  beforeAll(async () => {
    opened = await openMigratedDatabase({ onServer: kind === 'postgres' });
    database = opened.database;
    const knex = database.knex;
    [records, users, tenants, devices, connections] = [new SignInRecordsRepository(knex), new UserRepository(knex), new TenantRepository(knex), new DeviceRepository(knex), new SsoConnectionRepository(knex)];
  }, 60_000);
  afterAll(async () => opened?.dispose());

  const unique = () => randomBytes(6).toString('hex');

  async function statementsOf<T>(work: () => Promise<T>): Promise<{ result: T; statements: number }> {
    let statements = 0;
    const onQuery = () => statements++;
    database.knex.on('query', onQuery);
    try {
      return { result: await work(), statements };
    } finally {
      database.knex.off('query', onQuery);
    }
  }

  async function personWithBrowser() {
    const tenant = (await tenants.insert({ slug: `records-${unique()}`, name: 'Records', settings: { lockout: { max_failures: 3 } } }))!;
    const user = (await users.insert({ tenant_id: tenant.id, username: `Records.${unique()}`, role: 'member', email: 'r@clinic.test', phone: '+14155550100', password_expires_at: new Date('2027-01-01T00:00:00Z') }))!;
    const browser = unique();
    await devices.touch(browser, user.id);
    await devices.rememberSecondFactor(browser, user.id, 'sms', '+14155550100', new Date('2026-11-30T09:00:00.123Z'));
    return { tenant, user, browser };
  }

  it('reads by username (any case) and by id, in one statement, exactly as each table\'s own repository does', async () => {
    const { tenant, user, browser } = await personWithBrowser();
    const expected = {
      user: await users.findById(user.id),
      tenant: await tenants.findById(tenant.id),
      device: (await devices.find(browser, user.id))!,
      singleSignOn: undefined,
    };
    expect(expected.device.mfa_verified_at).toBeInstanceOf(Date);

    const byName = await statementsOf(() => records.byUsername(user.username.toUpperCase(), browser));
    expect(byName).toEqual({ result: expected, statements: 1 });
    const byId = await statementsOf(() => records.byId(user.id, browser));
    expect(byId).toEqual({ result: expected, statements: 1 });
    expect(byId.result!.tenant.settings.lockout.max_failures).toBe(3);
    // Another browser, or none: the person without a browser record.
    expect((await records.byId(user.id, unique()))!.device).toBeNull();
    expect((await records.byUsername(user.username))!.device).toBeNull();
  });

  it('costs an unknown username the same one statement, and reads a malformed id as nobody', async () => {
    expect(await statementsOf(() => records.byUsername(`nobody-${unique()}`, unique()))).toEqual({ result: undefined, statements: 1 });
    expect(await records.byId('not-a-uuid')).toBeUndefined();
    expect(await records.byId('00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });

  it('brings the tenant\'s single sign-on along only while it is on', async () => {
    const { tenant, user } = await personWithBrowser();
    const connection = {
      tenant_id: tenant.id,
      kind: 'oidc' as const,
      entra_tenant_id: null,
      issuer: 'https://idp.clinic.test',
      display_name: 'Clinic',
      client_id: 'gatehouse',
      client_secret_sealed: 'sealed',
      allowed_domains: ['clinic.test'],
      claim_mapping: DEFAULT_CLAIM_MAPPING,
      enabled: false,
      required: true,
      jit: false,
      trust_upstream_mfa: false,
      upstream_logout: false,
    };
    await database.knex.transaction((trx) => connections.save(connection, trx));
    expect((await records.byUsername(user.username))!.singleSignOn).toBeUndefined();
    await database.knex.transaction((trx) => connections.save({ ...connection, enabled: true }, trx));
    const found = await records.byUsername(user.username);
    expect(found!.singleSignOn).toEqual(await connections.ofTenant(tenant.id));
    expect(found!.singleSignOn!.created_at).toBeInstanceOf(Date);
  });

  it('knows every timestamp column of the tables it reads as JSON, and no column reads otherwise in JSON (a new one must be added to its list)', async () => {
    // JSON would give a bigint or numeric as a number and a bytea as hex text, where pg gives a
    // string and a Buffer: none of the four tables may have one.
    const otherTypes = await database.knex('information_schema.columns')
      .whereIn('table_name', ['users', 'tenants', 'user_devices', 'sso_connections'])
      .where({ table_schema: database.knex.raw('current_schema()') })
      .whereNotIn('data_type', ['text', 'boolean', 'uuid', 'jsonb', 'timestamp with time zone'])
      .select<{ table_name: string; column_name: string; data_type: string }[]>('table_name', 'column_name', 'data_type');
    expect(otherTypes).toEqual([]);
    const timestamps = async (table: string) =>
      (
        await database.knex('information_schema.columns')
          .where({ table_name: table, table_schema: database.knex.raw('current_schema()') })
          .whereIn('data_type', ['timestamp with time zone', 'timestamp without time zone', 'date'])
          .orderBy('column_name')
          .select<{ column_name: string }[]>('column_name')
      ).map((row) => row.column_name);
    expect(await timestamps('users')).toEqual([...USER_TIMESTAMP_COLUMNS].sort());
    expect(await timestamps('tenants')).toEqual([...TENANT_TIMESTAMP_COLUMNS].sort());
    expect(await timestamps('user_devices')).toEqual([...DEVICE_TIMESTAMP_COLUMNS].sort());
    expect(await timestamps('sso_connections')).toEqual([...CONNECTION_TIMESTAMP_COLUMNS].sort());
  });
});
