import { renderEmail, type EmailData } from './email-templates.js';

const app = { name: 'Field app', url: 'https://field.example.test' };
const greeting: EmailData = { name: 'Ann & <Bo>', username: 'ann', organisation: 'Clinic & Co', app };

describe('email templates', () => {
  const message = renderEmail('temporary-password', 'ann@example.test', { ...greeting, password: 'Xy7-secret', expires: 'Mon 30 Nov 2026, 09:00 CET' });

  it('render text and HTML with the subject', () => {
    expect(message.subject).toBe('Your temporary password');
    expect(message.to).toBe('ann@example.test');
    expect(message.text).toContain('Temporary password: Xy7-secret');
    expect(message.html).toContain('Xy7-secret');
  });

  it('escape HTML but leave plain text as written', () => {
    expect(message.html).toContain('Ann &amp; &lt;Bo&gt;');
    expect(message.html).not.toContain('<Bo>');
    expect(message.text).toContain('Hello Ann & <Bo>,');
  });

  it('put each fact of the invitation on its own line, naming the app and where to sign in', () => {
    expect(message.text.split('\n')).toEqual([
      'Hello Ann & <Bo>,',
      '',
      'An administrator of Clinic & Co gave you an account for Field app, with a temporary password.',
      '',
      'Sign in at: https://field.example.test',
      'Username: ann',
      'Temporary password: Xy7-secret',
      'Valid until: Mon 30 Nov 2026, 09:00 CET',
      '',
      'When you sign in with it, you will choose your own password.',
      'If you did not expect this, contact your administrator.',
      '',
      '--',
      'Sign in to Field app at https://field.example.test',
      'This message was sent by Gatehouse, the sign-in service of Clinic & Co.',
      '',
    ]);
    expect(message.html).toContain('<a href="https://field.example.test">https://field.example.test</a>');
  });

  it('keep the facts of a new-device notice apart', () => {
    const notice = renderEmail('new-device', 'ann@example.test', { ...greeting, client: 'Demo web app', userAgent: 'Firefox/128', ip: '203.0.113.9', when: 'Tue 24 Nov 2026, 11:42 CET' });
    const lines = notice.text.split('\n');
    expect(lines).toEqual(expect.arrayContaining(['When: Tue 24 Nov 2026, 11:42 CET', 'Application: Demo web app', 'Browser: Firefox/128', 'Network address: 203.0.113.9']));
    expect(notice.text).not.toMatch(/GMT/);
  });

  it('name the app and where to sign in in every email, in text and HTML', () => {
    const data = { ...greeting, code: '123456', minutes: 15, link: 'https://id.example.test/forgot-password/x', byAdmin: false, until: 'x', how: 'by you', when: 'x', last4: '0123', sent: 4, budget: 5, month: '2026-11', client: 'x', userAgent: 'x', ip: 'x', password: 'x', expires: 'x' };
    for (const template of ['temporary-password', 'password-changed', 'recovery-code', 'sms-budget-alert', 'phone-changed', 'phone-change-code', 'account-locked', 'new-device'] as const) {
      const email = renderEmail(template, 'ann@example.test', data);
      expect(email.text).toContain('Sign in to Field app at https://field.example.test');
      expect(email.html).toContain('https://field.example.test');
      // No line runs two facts together.
      expect(email.text).not.toMatch(/[a-z0-9.]:\s*\S+[A-Z][a-z]+( [a-z]+)*: /);
    }
  });
});

describe('email templates in the user\'s language', () => {
  it('write the reset email in German, formally', () => {
    const email = renderEmail('recovery-code', 'ann@example.test', { ...greeting, code: '123456', minutes: 15, link: 'https://id.example.test/forgot-password/x', byAdmin: false, expires: 'So., 29. Nov. 2026, 13:49 MEZ' }, 'de');
    expect(email.subject).toBe('Ihr Code zum Zurücksetzen des Passworts');
    expect(email.text).toContain('Guten Tag Ann & <Bo>,');
    expect(email.text).toContain('Ihr Code: 123456');
    expect(email.text).toContain('Gültig bis: So., 29. Nov. 2026, 13:49 MEZ');
    expect(email.html).toContain('<html lang="de">');
  });
});
