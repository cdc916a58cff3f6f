import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { SNSClient, PublishCommand } from '@aws-sdk/client-sns';
import { DeliveryError, type Accepted, type Courier, type EmailMessage, type SmsMessage } from './courier.js';

/** SES and SNS error codes that mean "not now" rather than "never". */
const RETRYABLE_CODES = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'ThrottledException', 'ServiceUnavailable', 'InternalFailure', 'InternalError', 'RequestTimeout', 'RequestTimeoutException', 'TimeoutError']);

/**
 * Email through SES and SMS through SNS. The SDK reads the standard AWS_ENDPOINT_URL_SES /
 * AWS_ENDPOINT_URL_SNS overrides from the environment itself, and its credential chain (roles,
 * IRSA) unless static credentials are given (they may come from files, see `*_FILE`). The SDK's
 * own retries are off: the outbox retries durably, with its own backoff, and counts attempts.
 */
export class AwsCourier implements Courier {
  private readonly ses: SESClient;
  private readonly sns: SNSClient;

  constructor(region: string, private readonly from: string, credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) {
    const common = { region, credentials, maxAttempts: 1, requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 } };
    this.ses = new SESClient(common);
    this.sns = new SNSClient(common);
  }

  async sendEmail(message: EmailMessage): Promise<Accepted> {
    return accepted(
      this.ses.send(
        new SendEmailCommand({
          Source: this.from,
          Destination: { ToAddresses: [message.to] },
          Message: {
            Subject: { Data: message.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: message.text, Charset: 'UTF-8' }, Html: { Data: message.html, Charset: 'UTF-8' } },
          },
        }),
      ),
    );
  }

  async sendSms(message: SmsMessage): Promise<Accepted> {
    return accepted(
      this.sns.send(
        new PublishCommand({
          PhoneNumber: message.to,
          Message: message.text,
          MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } },
        }),
      ),
    );
  }

  close(): void {
    this.ses.destroy();
    this.sns.destroy();
  }
}

async function accepted(sending: Promise<{ MessageId?: string }>): Promise<Accepted> {
  let output: { MessageId?: string };
  try {
    output = await sending;
  } catch (err) {
    throw classify(err);
  }
  return { providerMessageId: output.MessageId ?? 'unknown' };
}

/** An SDK error as a DeliveryError: the provider's code and message, and whether to try again. */
export function classify(err: unknown): DeliveryError {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown; code?: string };
  const status = e.$metadata?.httpStatusCode;
  const code = e.name && e.name !== 'Error' ? e.name : (e.code ?? 'Error');
  const retryable = Boolean(e.$retryable) || RETRYABLE_CODES.has(code) || status === undefined || status === 429 || status >= 500;
  const message = (e.message ?? '').replace(/\s+/g, ' ').trim();
  return new DeliveryError(`${code}${message && message !== code ? `: ${message}` : ''}`.slice(0, 500), retryable);
}
