import { isUuid } from '../../infrastructure/storage/uuid.js';
import type { TenantRepository } from '../tenants/tenant.repository.js';
import { domainOf, type SsoConnection } from './sso-connection.js';
import type { SsoConnectionRepository } from './sso-connection.repository.js';

/**
 * Home-realm discovery: which tenant's provider a person signs in with, from what they typed or
 * what the application hinted. An email domain claimed by a connection routes without telling
 * anything about users; a username routes when its user's tenant has single sign-on on, as
 * any home-realm discovery must.
 */
export class HomeRealm {
  private anyEnabled?: { at: number; value: Promise<boolean> };

  constructor(
    private readonly connections: SsoConnectionRepository,
    private readonly tenants: TenantRepository,
  ) {}

  /** Whether any tenant signs in with its own provider (the login page then offers the button); read at most every 30 s. */
  offered(): Promise<boolean> {
    if (!this.anyEnabled || Date.now() - this.anyEnabled.at > 30_000) {
      const value = this.connections.anyEnabled();
      value.catch(() => (this.anyEnabled = undefined));
      this.anyEnabled = { at: Date.now(), value };
    }
    return this.anyEnabled.value;
  }

  /** The enabled connection for a typed username or email; undefined: sign in with a password. */
  async forIdentifier(identifier: string): Promise<SsoConnection | undefined> {
    if (!identifier) return undefined;
    const domain = domainOf(identifier);
    return (await this.connections.enabledForUsername(identifier)) ?? (domain ? this.connections.enabledForDomain(domain) : undefined);
  }

  /**
   * `forIdentifier`, for a username whose user (or absence) the request has already read with
   * their tenant's connection: a statement only for a domain that a connection may claim.
   */
  async forFoundUsername(identifier: string, found: { singleSignOn: SsoConnection | undefined } | null): Promise<SsoConnection | undefined> {
    if (found?.singleSignOn) return found.singleSignOn;
    const domain = domainOf(identifier);
    return domain ? this.connections.enabledForDomain(domain) : undefined;
  }

  /** An application's hint: a tenant's id or slug, or an email domain. */
  async forTenantHint(hint: string): Promise<SsoConnection | undefined> {
    const value = hint.trim().toLowerCase().slice(0, 256);
    if (!value) return undefined;
    if (value.includes('.') && !isUuid(value)) return this.connections.enabledForDomain(value);
    const tenant = await this.tenants.findByIdOrSlug(value);
    const connection = tenant && (await this.connections.ofTenant(tenant.id));
    return connection?.enabled ? connection : undefined;
  }
}
