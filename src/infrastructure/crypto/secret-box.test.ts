import { SecretBox } from './secret-box.js';

describe('secret box', () => {
  it('opens what it sealed, and what an older key sealed after a rotation', () => {
    const before = new SecretBox(['old-cookie-key-0123456789abcdef'], 'totp');
    const sealed = before.seal('JBSWY3DPEHPK3PXP');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    const after = new SecretBox(['new-cookie-key-0123456789abcdef', 'old-cookie-key-0123456789abcdef'], 'totp');
    expect(after.open(sealed)).toEqual({ plaintext: 'JBSWY3DPEHPK3PXP', stale: true });
    expect(after.open(after.seal('x'))).toEqual({ plaintext: 'x', stale: false });
  });

  it('refuses a tampered secret and one sealed for another purpose', () => {
    const box = new SecretBox(['cookie-key-0123456789abcdef0123'], 'totp');
    const sealed = box.seal('secret');
    const parts = sealed.split('.');
    parts[2] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow();
    expect(() => new SecretBox(['cookie-key-0123456789abcdef0123'], 'other').open(sealed)).toThrow();
  });
});
