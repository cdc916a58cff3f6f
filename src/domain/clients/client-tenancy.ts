/**
 * Clients are operator-owned (no tenant: the vendor's apps, for everyone) or tenant-owned
 * (only that tenant's users may sign in).
 */
export function clientTenant(client: unknown): string | null {
  return ((client as { gh_tenant?: string | null } | undefined)?.gh_tenant ?? null);
}

export function clientKind(client: unknown): string | undefined {
  return (client as { gh_kind?: string } | undefined)?.gh_kind;
}

export function isOperatorClient(client: unknown): boolean {
  return (client as { gh_operator?: boolean } | undefined)?.gh_operator === true;
}

/** May a user of `userTenant` sign in to this client? */
export function clientAdmitsTenant(client: unknown, userTenant: string): boolean {
  const tenant = clientTenant(client);
  return tenant === null || tenant === userTenant;
}
