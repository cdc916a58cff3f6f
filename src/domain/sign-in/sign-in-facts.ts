import type { DeviceRepository, UserDevice } from '../devices/device.repository.js';
import type { TenantRepository } from '../tenants/tenant.repository.js';
import type { TenantRecord } from '../tenants/tenant.js';
import type { UserRecord } from '../users/user.js';
import type { SignInRecordsRepository } from './sign-in-records.repository.js';

/**
 * What one request knows about the person signing in: the user, their tenant and this browser's
 * record for them, each read at most once and only when asked for. The interaction policy's
 * checks, the provider's account lookup and the page of one request share the same facts.
 */
export class SignInFacts {
  private tenantRead?: Promise<TenantRecord>;
  private deviceRead?: Promise<UserDevice | undefined>;

  constructor(
    readonly user: UserRecord,
    private readonly sources: { tenants: TenantRepository; devices: DeviceRepository },
    /** The browser's device cookie digest, when it has one. */
    readonly deviceHash?: string,
    known: { tenant?: TenantRecord; device?: UserDevice | null } = {},
  ) {
    if (known.tenant) this.tenantRead = Promise.resolve(known.tenant);
    if (known.device !== undefined) this.deviceRead = Promise.resolve(known.device ?? undefined);
  }

  tenant(): Promise<TenantRecord> {
    this.tenantRead ??= this.sources.tenants.findById(this.user.tenant_id).then((tenant) => {
      if (!tenant) throw new Error(`user ${this.user.id} has no tenant`);
      return tenant;
    });
    return this.tenantRead;
  }

  /** This browser's record, only if this request has read it already (no statement to find out). */
  deviceIfRead(): Promise<UserDevice | undefined> | undefined {
    return this.deviceRead;
  }

  device(): Promise<UserDevice | undefined> {
    this.deviceRead ??= this.deviceHash ? this.sources.devices.find(this.deviceHash, this.user.id) : Promise.resolve(undefined);
    return this.deviceRead;
  }
}

/**
 * Loads `SignInFacts` once per request. `request` is any object that lives exactly as long as the
 * request (its Koa context): the memory goes with it.
 */
export class SignInFactsLoader {
  private readonly perRequest = new WeakMap<object, Map<string, Promise<SignInFacts | undefined>>>();

  constructor(
    private readonly sources: { records: Pick<SignInRecordsRepository, 'byId'>; tenants: TenantRepository; devices: DeviceRepository },
    /** The request's device cookie digest (read by the HTTP layer, which owns cookies). */
    private readonly deviceHashOf: (request: object) => string | undefined,
  ) {}

  forAccount(request: object, accountId: string): Promise<SignInFacts | undefined> {
    const deviceHash = this.deviceHashOf(request);
    let facts = this.perRequest.get(request);
    if (!facts) this.perRequest.set(request, (facts = new Map()));
    let loading = facts.get(accountId);
    if (!loading) {
      // The user, their tenant and this browser's record in one statement: most requests of a
      // sign-in need the tenant, and the second-factor policy the browser.
      loading = this.sources.records
        .byId(accountId, deviceHash)
        .then((found) => (found ? new SignInFacts(found.user, this.sources, deviceHash, { tenant: found.tenant, device: deviceHash ? found.device : undefined }) : undefined));
      facts.set(accountId, loading);
    }
    return loading;
  }

  /** Facts of a user this request already read (the password step found them by name). */
  remember(request: object, facts: SignInFacts): SignInFacts {
    let known = this.perRequest.get(request);
    if (!known) this.perRequest.set(request, (known = new Map()));
    known.set(facts.user.id, Promise.resolve(facts));
    return facts;
  }

  /** New facts for a user read elsewhere, with what else is already known. */
  of(user: UserRecord, deviceHash?: string, known: { tenant?: TenantRecord; device?: UserDevice | null } = {}): SignInFacts {
    return new SignInFacts(user, this.sources, deviceHash, known);
  }
}
