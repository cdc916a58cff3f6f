import Provider, { type Adapter, type AdapterPayload } from 'oidc-provider';
import { reuseClientsOfUnchangedDefinitions } from './client-lookups.js';

/**
 * Client definitions as the client adapter hands them out: one object per client until it is
 * read again. The provider's own reads are counted: each is a build (serialise, hash, compare).
 */
class Definitions {
  readonly current = new Map<string, AdapterPayload>();
  providerFinds = 0;
  readonly forProvider = {
    find: async (id: string) => {
      this.providerFinds += 1;
      return this.current.get(id);
    },
  };
  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.current.get(id);
  }
}

const definition = (secret: string): AdapterPayload => ({
  client_id: 'integration',
  client_secret: secret,
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
});

describe('reuseClientsOfUnchangedDefinitions', () => {
  let provider: Provider;
  let definitions: Definitions;

  beforeEach(() => {
    definitions = new Definitions();
    const adapter = (name: string) => (name === 'Client' ? definitions.forProvider : undefined) as unknown as Adapter;
    provider = new Provider('http://localhost:3000', { adapter: adapter as never, features: { clientCredentials: { enabled: true } } });
    reuseClientsOfUnchangedDefinitions(provider, definitions);
  });

  it('hands out the Client built for a definition while the adapter returns that same definition, without the provider building it again', async () => {
    definitions.current.set('integration', definition('first-secret'));
    const first = await provider.Client.find('integration');
    expect(definitions.providerFinds).toBe(1);
    const again = await Promise.all(Array.from({ length: 300 }, () => provider.Client.find('integration')));

    expect(first?.clientSecret).toBe('first-secret');
    expect(again.every((client) => client === first)).toBe(true);
    // The provider was not asked again: it would have serialised and hashed the definition 300 times.
    expect(definitions.providerFinds).toBe(1);
  });

  it('builds a new Client at once for a changed definition (a rotated secret), and finds none for a deleted one', async () => {
    definitions.current.set('integration', definition('first-secret'));
    const first = await provider.Client.find('integration');

    definitions.current.set('integration', definition('rotated-secret'));
    const rotated = await provider.Client.find('integration');
    expect(rotated).not.toBe(first);
    expect(rotated?.clientSecret).toBe('rotated-secret');

    definitions.current.delete('integration');
    expect(await provider.Client.find('integration')).toBeUndefined();
  });

  it('leaves a look-up without an id, or of an unknown one, to the provider', async () => {
    expect(await provider.Client.find('')).toBeUndefined();
    expect(await provider.Client.find('nobody')).toBeUndefined();
    expect(await provider.Client.find(undefined as unknown as string)).toBeUndefined();
  });
});
