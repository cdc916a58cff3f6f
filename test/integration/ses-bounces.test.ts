import { execFileSync } from 'node:child_process';
import { createSign, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignInHarness } from '../helpers/sign-in-harness.js';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:ses-feedback';

/**
 * SES bounce and complaint notifications through an SNS HTTP(S) subscription: messages signed in
 * the test with a self-signed certificate, served (with the subscribe URL) by a local server that
 * the test trusts through SNS_TRUSTED_URL_PREFIX.
 */
describe('SES bounces and complaints', () => {
  const h = new SignInHarness();
  const dir = mkdtempSync(path.join(tmpdir(), 'sns-cert-'));
  let key: string;
  let certificate: string;
  let local: http.Server;
  let localUrl = '';
  const served: string[] = [];

  beforeAll(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=sns.test'], { stdio: 'ignore' });
    key = readFileSync(path.join(dir, 'key.pem'), 'utf8');
    certificate = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    local = http.createServer((req, res) => {
      served.push(req.url ?? '');
      if (req.url === '/SimpleNotificationService-test.pem') return res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(certificate);
      if (req.url?.startsWith('/subscribe')) return res.writeHead(200, { 'content-type': 'text/xml' }).end('<ConfirmSubscriptionResponse/>');
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
    localUrl = `http://127.0.0.1:${(local.address() as AddressInfo).port}`;
    await h.start({ env: { SNS_TRUSTED_URL_PREFIX: `${localUrl}/`, SES_NOTIFICATION_TOPIC_ARNS: TOPIC } });
  });
  afterAll(async () => {
    await h.stop();
    await new Promise<void>((resolve) => local.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** An SNS message signed as SNS does (SignatureVersion 2: SHA256withRSA over the signed fields). */
  function signed(fields: Record<string, string>, options: { signingKey?: string; certUrl?: string } = {}): Record<string, string> {
    const message: Record<string, string> = { MessageId: randomUUID(), TopicArn: TOPIC, Timestamp: new Date().toISOString(), SignatureVersion: '2', SigningCertURL: options.certUrl ?? `${localUrl}/SimpleNotificationService-test.pem`, ...fields };
    const names = message.Type === 'Notification' ? ['Message', 'MessageId', ...('Subject' in message ? ['Subject'] : []), 'Timestamp', 'TopicArn', 'Type'] : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
    const text = names.map((name) => `${name}\n${message[name]}\n`).join('');
    return { ...message, Signature: createSign('RSA-SHA256').update(text).sign(options.signingKey ?? key, 'base64') };
  }

  const post = async (body: unknown) => {
    const response = await fetch(`${h.issuer}/webhooks/ses`, { method: 'POST', headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': String((body as { Type?: string }).Type) }, body: JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, type: response.headers.get('content-type'), body: text ? JSON.parse(text) : undefined };
  };

  const notification = (event: unknown) => signed({ Type: 'Notification', Message: JSON.stringify(event) });

  /** A user whose reset email was sent; returns the ids. */
  async function sentTo(username: string) {
    const slug = await h.tenant({});
    const { id } = await h.user(slug, username);
    expect((await h.admin('POST', `/tenants/${slug}/users/${id}/password-reset`)).status).toBe(202);
    const email = await h.aws.waitForEmail(`${username}@clinic.test`);
    return { slug, id, messageId: email.messageId };
  }

  it('confirms a subscription by its SubscribeURL, only when signed and only on a trusted host', async () => {
    const confirm = signed({ Type: 'SubscriptionConfirmation', Message: 'You have chosen to subscribe', Token: 'tok', SubscribeURL: `${localUrl}/subscribe?Token=tok` });
    expect((await post(confirm)).status).toBe(204);
    expect(served.filter((u) => u.startsWith('/subscribe'))).toEqual(['/subscribe?Token=tok']);

    const elsewhere = signed({ Type: 'SubscriptionConfirmation', Message: 'x', Token: 'tok', SubscribeURL: 'https://evil.test/subscribe' });
    const refused = await post(elsewhere);
    expect(refused.status).toBe(400);
    expect(refused.body.title).toMatch(/SubscribeURL is not on an SNS host/);
  });

  it('refuses a forged signature, a certificate off SNS hosts and another topic, and changes nothing', async () => {
    const { slug, id, messageId } = await sentTo('forged-bounce');
    const bounce = { notificationType: 'Bounce', mail: { messageId }, bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: 'forged-bounce@clinic.test' }] } };
    const otherKey = execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });

    const forged = await post(signed({ Type: 'Notification', Message: JSON.stringify(bounce) }, { signingKey: otherKey }));
    expect(forged.status).toBe(400);
    expect(forged.type).toMatch(/application\/problem\+json/);
    expect(forged.body.title).toMatch(/signature does not verify/);
    const tampered = { ...notification(bounce), Message: JSON.stringify({ ...bounce, mail: { messageId: 'another' } }) };
    expect((await post(tampered)).status).toBe(400);
    expect((await post(signed({ Type: 'Notification', Message: JSON.stringify(bounce) }, { certUrl: 'https://sns.us-east-1.amazonaws.com.evil.test/c.pem' }))).body.title).toMatch(/not on an SNS host/);
    expect((await post(signed({ Type: 'Notification', Message: JSON.stringify(bounce), TopicArn: 'arn:aws:sns:us-east-1:999999999999:other' }))).status).toBe(403);
    expect((await post('garbage')).status).toBe(400);

    const [message] = (await h.admin('GET', `/tenants/${slug}/users/${id}/messages`)).body.items;
    expect(message.status).toBe('sent');
    expect((await h.admin('GET', `/tenants/${slug}/users/${id}`)).body.email_bounced).toBeNull();
  });

  it('marks the message and the address bounced; the admin user view and the diagnosis say so', async () => {
    const { slug, id, messageId } = await sentTo('gone-away');
    const bounce = {
      notificationType: 'Bounce',
      mail: { messageId, destination: ['gone-away@clinic.test'] },
      bounce: { bounceType: 'Permanent', bounceSubType: 'General', timestamp: '2026-11-24T10:42:00.000Z', bouncedRecipients: [{ emailAddress: 'gone-away@clinic.test', diagnosticCode: 'smtp; 550 5.1.1 <gone-away@clinic.test>: user unknown' }] },
    };
    expect((await post(notification(bounce))).status).toBe(204);

    const [message] = (await h.admin('GET', `/tenants/${slug}/users/${id}/messages`)).body.items;
    expect(message).toMatchObject({ status: 'bounced', provider_message_id: messageId });
    expect(message.reason).toBe('Permanent/General: smtp; 550 5.1.1 <g•••@clinic.test>: user unknown');
    const user = (await h.admin('GET', `/tenants/${slug}/users/${id}`)).body;
    expect(user.email_bounced).toMatchObject({ kind: 'bounce', at: '2026-11-24T10:42:00.000Z' });
    expect(user.email_bounced.message).toMatch(/^email address bounced on 24 Nov 2026 at 10:42 UTC: Permanent\/General/);
    const blockers = (await h.admin('GET', `/tenants/${slug}/users/${id}/diagnosis`)).body.blockers;
    expect(blockers).toContainEqual(expect.objectContaining({ code: 'email_bounced', message: expect.stringMatching(/^email address bounced on 24 Nov 2026 at 10:42 UTC \(Permanent\/General/) }));

    // The same notification again (SNS retries) changes nothing more.
    expect((await post(notification(bounce))).status).toBe(204);
  });

  it('records a complaint, and leaves a transient bounce to SES', async () => {
    const transient = await sentTo('full-mailbox');
    expect((await post(notification({ notificationType: 'Bounce', mail: { messageId: transient.messageId }, bounce: { bounceType: 'Transient', bounceSubType: 'MailboxFull', bouncedRecipients: [{ emailAddress: 'full-mailbox@clinic.test' }] } }))).status).toBe(204);
    expect((await h.admin('GET', `/tenants/${transient.slug}/users/${transient.id}/messages`)).body.items[0].status).toBe('sent');

    const { slug, id, messageId } = await sentTo('annoyed');
    expect((await post(notification({ notificationType: 'Complaint', mail: { messageId }, complaint: { complaintFeedbackType: 'abuse', complainedRecipients: [{ emailAddress: 'annoyed@clinic.test' }] } }))).status).toBe(204);
    expect((await h.admin('GET', `/tenants/${slug}/users/${id}/messages`)).body.items[0]).toMatchObject({ status: 'bounced', reason: 'complaint: abuse' });
    expect((await h.admin('GET', `/tenants/${slug}/users/${id}`)).body.email_bounced).toMatchObject({ kind: 'complaint' });
  });
});
