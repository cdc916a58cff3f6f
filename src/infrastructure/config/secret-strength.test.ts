import { randomBytes } from 'node:crypto';
import { estimatedBits, secretWeakness } from './secret-strength.js';

describe('secretWeakness', () => {
  it.each([
    ['32 times the same character', 'a'.repeat(32), 'is one short sequence repeated'],
    ['a short unit repeated', 'abcd1234'.repeat(4), 'is one short sequence repeated'],
    ['a placeholder', 'CHANGE-ME-0123456789abcdefghijklmnopqrstuv', 'looks like a placeholder'],
    ['few distinct characters', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab', 'has too little randomness'],
    ['two characters mixed', 'abbababbbaabababbbabaabbababaabb', 'has too little randomness'],
  ])('refuses %s', (_case, secret, reason) => {
    expect(secretWeakness(secret)).toMatch(new RegExp(`^${reason}`));
  });

  it('accepts what openssl rand and Node generate, many times over', () => {
    for (let i = 0; i < 2000; i++) {
      expect(secretWeakness(randomBytes(16).toString('hex'))).toBeUndefined();
      expect(secretWeakness(randomBytes(32).toString('base64'))).toBeUndefined();
      expect(secretWeakness(randomBytes(32).toString('base64url'))).toBeUndefined();
    }
  });

  it('accepts a key from the low tail of what openssl rand -hex 16 draws, and refuses 20 hex characters', () => {
    // A real draw of randomBytes(16).toString('hex'), whose estimate came to 88 bits: the bar
    // once stood at 90 and refused it.
    expect(estimatedBits('c7ffac8888cdc8faa77168a6f78f8df8')).toBeLessThan(90);
    expect(secretWeakness('c7ffac8888cdc8faa77168a6f78f8df8')).toBeUndefined();
    expect(secretWeakness('3f9a1c07be5d24e86a1f')).toMatch(/^has too little randomness/);
  });

  it('estimates bits from character frequencies', () => {
    expect(estimatedBits('a'.repeat(32))).toBe(0);
    expect(estimatedBits('ab'.repeat(16))).toBeCloseTo(32);
    expect(estimatedBits('0123456789abcdef'.repeat(2))).toBeCloseTo(128);
  });
});
