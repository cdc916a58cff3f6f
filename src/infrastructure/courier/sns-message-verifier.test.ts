import { SnsMessageVerifier } from './sns-message-verifier.js';

describe('SNS message verifier', () => {
  const production = new SnsMessageVerifier();

  it("trusts only SNS's own https hosts for certificates and subscribe URLs", () => {
    expect(production.isTrustedUrl('https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem')).toBe(true);
    expect(production.isTrustedUrl('https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem')).toBe(true);
    for (const url of [
      'http://sns.us-east-1.amazonaws.com/cert.pem',
      'https://sns.us-east-1.amazonaws.com.evil.test/cert.pem',
      'https://evil.test/sns.us-east-1.amazonaws.com/cert.pem',
      'https://sns.us-east-1.amazonaws.com:8443/cert.pem',
      'https://user@sns.us-east-1.amazonaws.com/cert.pem',
      'https://s3.amazonaws.com/cert.pem',
      'not a url',
      undefined,
    ]) {
      expect([url, production.isTrustedUrl(url)]).toEqual([url, false]);
    }
  });

  it('trusts a configured prefix besides (tests), and nothing else', () => {
    const local = new SnsMessageVerifier({ trustedUrlPrefix: 'http://127.0.0.1:9999/' });
    expect(local.isTrustedUrl('http://127.0.0.1:9999/cert.pem')).toBe(true);
    expect(local.isTrustedUrl('http://127.0.0.1:9998/cert.pem')).toBe(false);
  });

  it('refuses bodies that are not signed SNS messages before fetching anything', async () => {
    const fetched: string[] = [];
    const verifier = new SnsMessageVerifier({ fetch: (async (url: string) => (fetched.push(url), new Response('x'))) as never });
    await expect(verifier.verify('not json')).rejects.toThrow(/not an SNS message/);
    await expect(verifier.verify(JSON.stringify({ Type: 'Notification' }))).rejects.toThrow(/has no MessageId/);
    const base = { Type: 'Notification', MessageId: 'm', TopicArn: 't', Message: '{}', Timestamp: '2026-11-24T10:00:00.000Z', Signature: 'AAAA', SignatureVersion: '1' };
    await expect(verifier.verify(JSON.stringify({ ...base, SigningCertURL: 'https://evil.test/cert.pem' }))).rejects.toThrow(/not on an SNS host/);
    await expect(verifier.verify(JSON.stringify({ ...base, SignatureVersion: '3', SigningCertURL: 'https://sns.us-east-1.amazonaws.com/c.pem' }))).rejects.toThrow(/SignatureVersion/);
    expect(fetched).toEqual([]);
  });
});
