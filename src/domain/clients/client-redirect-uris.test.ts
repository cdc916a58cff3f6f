import { redirectUriProblems } from './client-redirect-uris.js';

const fields = (kind: Parameters<typeof redirectUriProblems>[0], uris: string[]) => redirectUriProblems(kind, uris).map((p) => p.field);

describe('redirect URIs of web clients', () => {
  it('accepts https anywhere and http only on loopback', () => {
    expect(redirectUriProblems('web', ['https://app.example/cb', 'https://app.example/cb?tenant=1', 'http://localhost:3000/cb', 'http://127.0.0.1/cb', 'http://[::1]:8080/cb'])).toEqual([]);
  });

  it('refuses plain http to a real host, which would leak codes on the network', () => {
    expect(fields('web', ['https://app.example/cb', 'http://app.example/cb'])).toEqual(['redirect_uris.1']);
  });

  it('refuses fragments, credentials, relative URIs, other schemes and whitespace', () => {
    expect(fields('web', ['https://app.example/cb#x', 'https://user:pw@app.example/cb', '/cb', 'com.example.app:/cb', 'javascript:alert(1)', ' https://app.example/cb'])).toEqual([
      'redirect_uris.0',
      'redirect_uris.1',
      'redirect_uris.2',
      'redirect_uris.3',
      'redirect_uris.4',
      'redirect_uris.5',
    ]);
  });

  it('needs at least one', () => {
    expect(fields('web', [])).toEqual(['redirect_uris']);
  });

  it('refuses the same URI twice', () => {
    expect(fields('web', ['https://app.example/cb', 'https://app.example/cb'])).toEqual(['redirect_uris.1']);
  });
});

describe('redirect URIs of mobile clients', () => {
  it('accepts a reverse-domain private-use scheme and a loopback IP listener', () => {
    expect(redirectUriProblems('mobile', ['com.example.app:/callback', 'com.example.app://callback', 'http://127.0.0.1:51000/cb', 'http://[::1]/cb'])).toEqual([]);
  });

  it('refuses schemes that are not reverse domain names (javascript:, data:, myapp:)', () => {
    expect(fields('mobile', ['javascript:alert(1)', 'data:text/html,x', 'myapp:/cb', 'Com.Example.App:/cb'])).toEqual(['redirect_uris.0', 'redirect_uris.1', 'redirect_uris.2', 'redirect_uris.3']);
  });

  it('refuses localhost by name and https (RFC 8252 §8.3, claimed links are not supported)', () => {
    expect(fields('mobile', ['http://localhost/cb', 'https://app.example/cb', 'http://app.example/cb'])).toEqual(['redirect_uris.0', 'redirect_uris.1', 'redirect_uris.2']);
  });

  it('needs at least one', () => {
    expect(fields('mobile', [])).toEqual(['redirect_uris']);
  });
});

describe('redirect URIs of clients without a browser redirect', () => {
  it.each(['downloader', 'integration'] as const)('refuses any for %s clients', (kind) => {
    expect(redirectUriProblems(kind, [])).toEqual([]);
    expect(fields(kind, ['https://app.example/cb'])).toEqual(['redirect_uris']);
  });
});
