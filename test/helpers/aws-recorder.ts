import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

export interface RecordedEmail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  /** The MessageId the recorder answered with (what SES bounce notifications refer to). */
  messageId: string;
}

export interface RecordedSms {
  phone: string;
  message: string;
  messageId: string;
}

/** An answer the recorder gives instead of accepting a call. */
export type Failure = '500' | 'Throttling' | 'MessageRejected';

const FAILURES: Record<Failure, { status: number; type: string; message: string }> = {
  '500': { status: 500, type: 'Receiver', message: 'recorder told to fail' },
  Throttling: { status: 400, type: 'Sender', message: 'Maximum sending rate exceeded.' },
  MessageRejected: { status: 400, type: 'Sender', message: 'Email address is not verified. The following identities failed the check in region US-EAST-1: nobody@rejected.test' },
};

/**
 * A local stand-in for SES (v1) and SNS: both speak the AWS query protocol (a form POST with
 * `Action=SendEmail` / `Action=Publish`). The real AWS SDK clients of Gatehouse send real HTTP
 * here through AWS_ENDPOINT_URL_SES / AWS_ENDPOINT_URL_SNS. On demand it answers the next calls
 * with a server error, throttling or a rejection, as SES and SNS do.
 */
export class AwsRecorder {
  readonly emails: RecordedEmail[] = [];
  readonly sms: RecordedSms[] = [];
  /** Every call, answered or refused (attempts). */
  calls = 0;
  /** Other paths served by the same server (a signing certificate, a subscribe URL). */
  readonly extraRoutes = new Map<string, (req: http.IncomingMessage, res: http.ServerResponse) => void>();
  private readonly failures: Failure[] = [];
  private server?: http.Server;
  url = '';

  /** Answer the next N calls with a server error (delivery failure tests). */
  set failNext(count: number) {
    this.failures.length = 0;
    this.answerNext(count, '500');
  }

  get failNext(): number {
    return this.failures.length;
  }

  /** The next `count` calls get `failure` instead of being accepted. */
  answerNext(count: number, failure: Failure): void {
    for (let i = 0; i < count; i++) this.failures.push(failure);
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const extra = this.extraRoutes.get((req.url ?? '').split('?')[0]!);
      if (extra) return extra(req, res);
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => this.handle(new URLSearchParams(body), res));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Points the AWS SDK at this recorder for the current process. */
  useForAws(url: string): Record<string, string> {
    const env = { AWS_ENDPOINT_URL_SES: url, AWS_ENDPOINT_URL_SNS: url, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };
    Object.assign(process.env, env);
    return { ...env, DELIVERY: 'aws', EMAIL_FROM: 'Gatehouse <no-reply@gatehouse.test>' };
  }

  /** Waits for the newest email to `to` matching `predicate` (delivery is asynchronous). */
  async waitForEmail(to: string, predicate: (email: RecordedEmail) => boolean = () => true, timeoutMs = 5000): Promise<RecordedEmail> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = [...this.emails].reverse().find((e) => e.to.includes(to) && predicate(e));
      if (found) return found;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no email to ${to} arrived`);
  }

  emailsTo(to: string): RecordedEmail[] {
    return this.emails.filter((e) => e.to.includes(to));
  }

  private handle(form: URLSearchParams, res: http.ServerResponse): void {
    this.calls++;
    const failure = this.failures.shift();
    if (failure) {
      const { status, type, message } = FAILURES[failure];
      res.writeHead(status, { 'content-type': 'text/xml' }).end(`<ErrorResponse><Error><Type>${type}</Type><Code>${failure === '500' ? 'InternalFailure' : failure}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`);
      return;
    }
    const action = form.get('Action');
    const messageId = randomUUID();
    if (action === 'SendEmail') {
      this.emails.push({
        to: [...form.entries()].filter(([k]) => k.startsWith('Destination.ToAddresses.member.')).map(([, v]) => v),
        from: form.get('Source') ?? '',
        subject: form.get('Message.Subject.Data') ?? '',
        text: form.get('Message.Body.Text.Data') ?? '',
        html: form.get('Message.Body.Html.Data') ?? '',
        messageId,
      });
      return this.reply(res, 'SendEmail', 'http://ses.amazonaws.com/doc/2010-12-01/', messageId);
    }
    if (action === 'Publish') {
      this.sms.push({ phone: form.get('PhoneNumber') ?? '', message: form.get('Message') ?? '', messageId });
      return this.reply(res, 'Publish', 'http://sns.amazonaws.com/doc/2010-03-31/', messageId);
    }
    res.writeHead(400, { 'content-type': 'text/xml' }).end(`<ErrorResponse><Error><Code>InvalidAction</Code><Message>${action}</Message></Error></ErrorResponse>`);
  }

  private reply(res: http.ServerResponse, action: string, namespace: string, messageId: string): void {
    res.writeHead(200, { 'content-type': 'text/xml' }).end(
      `<${action}Response xmlns="${namespace}"><${action}Result><MessageId>${messageId}</MessageId></${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
    );
  }
}

/** The 6-digit code of a recorded message. */
export function codeIn(text: string): string {
  const code = /\b(\d{6})\b/.exec(text)?.[1];
  if (!code) throw new Error(`no code in: ${text}`);
  return code;
}
