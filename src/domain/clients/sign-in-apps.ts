import type { Knex } from 'knex';

/** An application people sign in to through Gatehouse, and where they do. */
export interface SignInApp {
  name: string;
  url: string;
}

interface AppRow {
  name: string;
  kind: string;
  redirect_uris: string[] | string;
}

/**
 * Names the app an email is about and where to sign in to it: the client a sign-in came from,
 * otherwise the tenant's own web app, otherwise the vendor's web app that serves every tenant.
 * Where: the web origin of the app's first web redirect URI; the issuer when it has none.
 */
export class SignInApps {
  constructor(
    private readonly knex: Knex,
    private readonly issuer: string,
  ) {}

  /** `reader`: an open transaction, when the email is written inside one. */
  async describe(tenantId: string | null, clientId: string | undefined, reader: Knex | Knex.Transaction = this.knex): Promise<SignInApp> {
    const columns = ['name', 'kind', 'redirect_uris'];
    const fromClient: AppRow | undefined = clientId ? await reader('clients').select(columns).where('client_id', clientId).first() : undefined;
    const web: AppRow | undefined = await reader('clients')
      .select(columns)
      .where('kind', 'web')
      .andWhere('is_operator', false)
      .andWhere((q) => (tenantId ? q.where('tenant_id', tenantId).orWhereNull('tenant_id') : q.whereNull('tenant_id')))
      .orderByRaw('tenant_id IS NULL, created_at')
      .first();
    const app = fromClient ?? web;
    return { name: app?.name ?? 'your organisation\'s apps', url: webOrigin(fromClient) ?? webOrigin(web) ?? this.issuer };
  }
}

function webOrigin(app: AppRow | undefined): string | undefined {
  if (!app) return undefined;
  const uris: string[] = typeof app.redirect_uris === 'string' ? JSON.parse(app.redirect_uris) : app.redirect_uris;
  for (const uri of uris ?? []) {
    if (URL.canParse(uri) && ['https:', 'http:'].includes(new URL(uri).protocol)) return new URL(uri).origin;
  }
  return undefined;
}
