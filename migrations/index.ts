import type { Knex } from 'knex';
import * as m001 from './20261124_001_tenants_users_clients.js';
import * as m002 from './20261124_002_oidc_artifacts.js';
import * as m003 from './20261124_003_revocations_and_events.js';
import * as m004 from './20261124_004_recovery_and_rate_limits.js';
import * as m005 from './20261124_005_user_devices.js';
import * as m006 from './20261124_006_password_history.js';
import * as m007 from './20261124_007_event_indexes.js';
import * as m010 from './20261124_010_sms_second_factor.js';
import * as m011 from './20261129_011_one_time_codes.js';
import * as m012 from './20261129_012_username_skeletons.js';
import * as m013 from './20261129_013_second_factor_methods.js';
import * as m020 from './20261129_020_messages.js';
import * as m030 from './20261129_030_refresh_token_successors.js';
import * as m043 from './20261129_043_client_protocol_settings.js';
import * as m044 from './20261129_044_user_profile_claims.js';
import * as m101 from './20261201_001_event_request_ids.js';
import * as m102 from './20261201_002_signing_key_sightings.js';
import * as m103 from './20261201_003_key_ring.js';
import * as m201 from './20261202_001_sso_connections.js';
import * as m202 from './20261202_002_tenant_logos.js';
import * as m301 from './20261203_001_first_party_sessions.js';
import * as m401 from './20261204_001_client_home_urls.js';
import * as m518 from './20261205_018_operator_people.js';
import * as m601 from './20261206_001_user_search_index.js';
import * as m701 from './20261207_001_session_uid_index.js';
import * as m801 from './20261208_001_open_recovery_flows_by_name.js';

export interface Migration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
  /** `transaction: false` for a statement PostgreSQL refuses inside one (CREATE INDEX CONCURRENTLY). */
  config?: { transaction?: boolean };
}

/**
 * Every migration, in order. Listed explicitly (not read from the folder) so the same list runs
 * from TypeScript in tests and from compiled JavaScript in production. Forward-only.
 */
export const migrations: Migration[] = [
  { name: '20261124_001_tenants_users_clients', ...m001 },
  { name: '20261124_002_oidc_artifacts', ...m002 },
  { name: '20261124_003_revocations_and_events', ...m003 },
  { name: '20261124_004_recovery_and_rate_limits', ...m004 },
  { name: '20261124_005_user_devices', ...m005 },
  { name: '20261124_006_password_history', ...m006 },
  { name: '20261124_007_event_indexes', ...m007 },
  { name: '20261124_010_sms_second_factor', ...m010 },
  { name: '20261129_011_one_time_codes', ...m011 },
  { name: '20261129_012_username_skeletons', ...m012 },
  { name: '20261129_013_second_factor_methods', ...m013 },
  { name: '20261129_020_messages', ...m020 },
  { name: '20261129_030_refresh_token_successors', ...m030 },
  { name: '20261129_043_client_protocol_settings', ...m043 },
  { name: '20261129_044_user_profile_claims', ...m044 },
  { name: '20261201_001_event_request_ids', ...m101 },
  { name: '20261201_002_signing_key_sightings', ...m102 },
  { name: '20261201_003_key_ring', ...m103 },
  { name: '20261202_001_sso_connections', ...m201 },
  { name: '20261202_002_tenant_logos', ...m202 },
  { name: '20261203_001_first_party_sessions', ...m301 },
  { name: '20261204_001_client_home_urls', ...m401 },
  { name: '20261205_018_operator_people', ...m518 },
  { name: '20261206_001_user_search_index', ...m601 },
  { name: '20261207_001_session_uid_index', ...m701 },
  { name: '20261208_001_open_recovery_flows_by_name', ...m801 },
];
