import { renderEmail } from './email-templates.js';

describe('email templates', () => {
  const message = renderEmail('temporary-password', 'ann@example.test', { name: 'Ann & <Bo>', username: 'ann', password: 'Xy7-secret', organisation: 'Clinic & Co', expires: 'Mon, 30 Nov 2026' });

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
});
