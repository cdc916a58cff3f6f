import { signingKeysOf } from './signing-keys.js';

describe('signingKeysOf', () => {
  it('names the first key of each algorithm, as the provider signs with it', () => {
    const keys = [
      { kty: 'RSA', kid: 'new', alg: 'RS256', use: 'sig' },
      { kty: 'RSA', kid: 'old', alg: 'RS256', use: 'sig' },
      { kty: 'EC', crv: 'P-256', kid: 'ec', alg: 'ES256', use: 'sig' },
    ];
    expect(signingKeysOf({ keys })).toEqual([
      { kid: 'new', alg: 'RS256' },
      { kid: 'ec', alg: 'ES256' },
    ]);
  });

  it('prefers a key that states its algorithm and use over an earlier one that does not', () => {
    expect(signingKeysOf({ keys: [{ kty: 'RSA', kid: 'bare' }, { kty: 'RSA', kid: 'stated', alg: 'RS256', use: 'sig' }] })).toEqual([{ kid: 'stated', alg: 'RS256' }]);
  });
});
