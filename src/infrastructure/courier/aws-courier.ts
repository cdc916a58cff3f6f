import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { SNSClient, PublishCommand } from '@aws-sdk/client-sns';
import type { Courier, EmailMessage, SmsMessage } from './courier.js';

/**
 * Email through SES and SMS through SNS. The SDK reads the standard AWS_ENDPOINT_URL_SES /
 * AWS_ENDPOINT_URL_SNS overrides from the environment itself, and its credential chain (roles,
 * IRSA) unless static credentials are given (they may come from files, see `*_FILE`).
 */
export class AwsCourier implements Courier {
  private readonly ses: SESClient;
  private readonly sns: SNSClient;

  constructor(region: string, private readonly from: string, credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) {
    this.ses = new SESClient({ region, credentials });
    this.sns = new SNSClient({ region, credentials });
  }

  async sendEmail(message: EmailMessage): Promise<void> {
    await this.ses.send(
      new SendEmailCommand({
        Source: this.from,
        Destination: { ToAddresses: [message.to] },
        Message: {
          Subject: { Data: message.subject, Charset: 'UTF-8' },
          Body: { Text: { Data: message.text, Charset: 'UTF-8' }, Html: { Data: message.html, Charset: 'UTF-8' } },
        },
      }),
    );
  }

  async sendSms(message: SmsMessage): Promise<void> {
    await this.sns.send(
      new PublishCommand({
        PhoneNumber: message.to,
        Message: message.text,
        MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } },
      }),
    );
  }

  close(): void {
    this.ses.destroy();
    this.sns.destroy();
  }
}
