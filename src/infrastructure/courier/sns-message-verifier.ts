import { createVerify } from 'node:crypto';

/** An SNS message as posted to an HTTP(S) subscription. */
export interface SnsEnvelope {
  Type: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  MessageId: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: '1' | '2';
  Signature: string;
  SigningCertURL: string;
  SubscribeURL?: string;
  Token?: string;
}

export class SnsVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnsVerificationError';
  }
}

/** Only SNS's own endpoints: https, sns.<region>.amazonaws.com (or .com.cn). */
const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;
const KEEP_CERTIFICATES = 20;

/**
 * Checks that a message posted to the SES notification endpoint really comes from Amazon SNS:
 * its signature (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA) over the fields SNS signs,
 * with the certificate at SigningCertURL, fetched only from SNS's own https host. A
 * subscription is confirmed by fetching its SubscribeURL under the same host rule.
 * `trustedUrlPrefix` (never in production) lets a test serve its own certificate.
 */
export class SnsMessageVerifier {
  private readonly certificates = new Map<string, Promise<string>>();

  constructor(private readonly options: { trustedUrlPrefix?: string; fetch?: typeof fetch } = {}) {}

  isTrustedUrl(raw: string | undefined): boolean {
    if (!raw || !URL.canParse(raw)) return false;
    if (this.options.trustedUrlPrefix && raw.startsWith(this.options.trustedUrlPrefix)) return true;
    const url = new URL(raw);
    return url.protocol === 'https:' && SNS_HOST.test(url.hostname) && !url.username && !url.password && (url.port === '' || url.port === '443');
  }

  /** Parses and verifies a posted body; throws SnsVerificationError on anything not from SNS. */
  async verify(body: string): Promise<SnsEnvelope> {
    let envelope: SnsEnvelope;
    try {
      envelope = JSON.parse(body) as SnsEnvelope;
    } catch {
      throw new SnsVerificationError('the body is not an SNS message (JSON)');
    }
    for (const field of ['Type', 'MessageId', 'TopicArn', 'Message', 'Timestamp', 'Signature', 'SigningCertURL'] as const) {
      if (typeof envelope?.[field] !== 'string') throw new SnsVerificationError(`the SNS message has no ${field}`);
    }
    if (!['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'].includes(envelope.Type)) throw new SnsVerificationError(`unknown SNS message type ${envelope.Type}`);
    const algorithm = envelope.SignatureVersion === '1' ? 'RSA-SHA1' : envelope.SignatureVersion === '2' ? 'RSA-SHA256' : undefined;
    if (!algorithm) throw new SnsVerificationError('unknown SNS SignatureVersion');
    if (!this.isTrustedUrl(envelope.SigningCertURL) || !new URL(envelope.SigningCertURL).pathname.endsWith('.pem')) throw new SnsVerificationError('the signing certificate is not on an SNS host');
    const certificate = await this.certificate(envelope.SigningCertURL);
    let valid = false;
    try {
      valid = createVerify(algorithm).update(stringToSign(envelope)).verify(certificate, envelope.Signature, 'base64');
    } catch {
      valid = false;
    }
    if (!valid) throw new SnsVerificationError('the SNS signature does not verify');
    return envelope;
  }

  /** Confirms a subscription by fetching its SubscribeURL (SNS's own host only). */
  async confirm(envelope: SnsEnvelope): Promise<void> {
    if (!this.isTrustedUrl(envelope.SubscribeURL)) throw new SnsVerificationError('the SubscribeURL is not on an SNS host');
    const response = await (this.options.fetch ?? fetch)(envelope.SubscribeURL!, { redirect: 'error', signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new SnsVerificationError(`confirming the subscription answered ${response.status}`);
  }

  private certificate(url: string): Promise<string> {
    let pending = this.certificates.get(url);
    if (!pending) {
      pending = (async () => {
        const response = await (this.options.fetch ?? fetch)(url, { redirect: 'error', signal: AbortSignal.timeout(10_000) });
        const pem = await response.text();
        if (!response.ok || !pem.includes('BEGIN CERTIFICATE')) throw new SnsVerificationError('the signing certificate could not be fetched');
        return pem;
      })();
      pending.catch(() => this.certificates.delete(url));
      if (this.certificates.size >= KEEP_CERTIFICATES) this.certificates.delete(this.certificates.keys().next().value!);
      this.certificates.set(url, pending);
    }
    return pending;
  }
}

/** The fields SNS signs, in its order, each as "Name\nvalue\n". */
export function stringToSign(envelope: SnsEnvelope): string {
  const fields =
    envelope.Type === 'Notification'
      ? (['Message', 'MessageId', ...(envelope.Subject !== undefined ? ['Subject'] : []), 'Timestamp', 'TopicArn', 'Type'] as const)
      : (['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const);
  return fields.map((field) => `${field}\n${envelope[field as keyof SnsEnvelope] ?? ''}\n`).join('');
}
