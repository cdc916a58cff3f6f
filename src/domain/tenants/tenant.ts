import type { TenantSettings } from './tenant-settings.js';

/** A customer account with its sub-users: one row of `tenants`, its settings read once. */
export interface TenantRecord {
  id: string;
  slug: string;
  name: string;
  /** Every setting with its default filled in, parsed once when the tenant was loaded. */
  settings: TenantSettings;
  /** The settings as administrators wrote them: a PATCH merges into these, so defaults stay defaults. */
  settingsAsWritten: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}
