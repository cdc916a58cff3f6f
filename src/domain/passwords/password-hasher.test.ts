import { PasswordHasher } from './password-hasher.js';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher(4);

  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hasher.hash('correct horse battery');
    expect(hash).toMatch(/^\$2[aby]\$04\$/);
    await expect(hasher.verify('correct horse battery', hash)).resolves.toBe(true);
    await expect(hasher.verify('correct horse battery!', hash)).resolves.toBe(false);
  });

  it('counts every character of passwords longer than bcrypt\'s 72 bytes', async () => {
    const long = 'a'.repeat(100);
    const hash = await hasher.hash(long);
    await expect(hasher.verify(`${'a'.repeat(99)}b`, hash)).resolves.toBe(false);
    await expect(hasher.verify(long, hash)).resolves.toBe(true);
  });

  it('does not cut a password at a NUL byte', async () => {
    const hash = await hasher.hash('abc\u0000def');
    await expect(hasher.verify('abc\u0000xyz', hash)).resolves.toBe(false);
  });

  it('spends a comparison on unknown users and always says no', async () => {
    await expect(hasher.verifyAgainstNothing('anything')).resolves.toBe(false);
  });
});
