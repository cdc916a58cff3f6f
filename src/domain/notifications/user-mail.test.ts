import { UserMail } from './user-mail.js';
import type { Outbox } from '../delivery/outbox.js';
import type { SignInApps } from '../clients/sign-in-apps.js';
import type { TenantRecord } from '../tenants/tenant.js';
import type { Logger } from '../../infrastructure/observability/logger.js';

describe('emails in the user\'s language', () => {
  function mailer() {
    const queued: { payload: { subject: string; text: string } }[] = [];
    const outbox = { enqueue: async (message: { payload: { subject: string; text: string } }) => (queued.push(message), message) } as unknown as Outbox;
    const apps = { describe: async () => ({ name: 'Field app', url: 'https://field.example.test' }) } as unknown as SignInApps;
    return { mail: new UserMail({ outbox, apps, logger: {} as Logger, issuer: 'https://id.example.test' }), queued };
  }
  const tenant = { id: 't', name: 'Praxis Müller', settings: { time_zone: 'Europe/Berlin', branding: { display_name: null, primary_color: null, support_contact: null, support_url: null, logo_version: null } } } as unknown as TenantRecord;
  const user = { id: 'u1', email: 'ann@example.test', name: 'Ann', username: 'ann', tenant_id: 't1' };
  const data = { code: '123456', minutes: 15, link: 'https://id.example.test/forgot-password/x', byAdmin: false, expires: new Date('2026-11-29T12:49:00Z') };

  it('a user with locale de gets the German reset email, its time in the tenant\'s zone', async () => {
    const { mail, queued } = mailer();
    await mail.send('recovery-code', { ...user, locale: 'de-AT' }, tenant, data);
    expect(queued[0]!.payload.subject).toBe('Ihr Code zum Zurücksetzen des Passworts');
    expect(queued[0]!.payload.text).toContain('Gültig bis: So., 29. Nov. 2026, 13:49 MEZ');
  });

  it('a user without a locale, or with one Gatehouse does not speak, gets English', async () => {
    const { mail, queued } = mailer();
    await mail.send('recovery-code', { ...user, locale: null }, tenant, data);
    await mail.send('recovery-code', { ...user, locale: 'ja-JP' }, tenant, data);
    expect(queued.map((m) => m.payload.subject)).toEqual(['Your password reset code', 'Your password reset code']);
    expect(queued[0]!.payload.text).toContain('Valid until: Sun 29 Nov 2026, 13:49 CET');
  });
});
