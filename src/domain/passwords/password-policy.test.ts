import { describePasswordProblem, passwordProblems } from './password-policy.js';
import { translator } from '../../infrastructure/i18n/translator.js';

const check = (password: string, username = 'alice', minLength = 10) => passwordProblems({ password, username, minLength }).map((problem) => describePasswordProblem(problem));

describe('password policy', () => {
  it('accepts a long, uncommon password', () => {
    expect(check('violet-harbour-kettle')).toEqual([]);
  });

  it('says what to fix', () => {
    expect(check('short')).toContain('Use at least 10 characters.');
    expect(check('x'.repeat(129) + 'y')).toContain('Use at most 128 characters.');
    expect(check('password123')).toContain('This password is too common; choose one that others are unlikely to use.');
    expect(check('alice-in-wonderland')).toContain('Do not use your username in the password.');
    expect(check('aaaaaaaaaaaa')).toContain('Do not repeat a single character.');
  });

  it('honours a tenant minimum above the default', () => {
    expect(check('violet-harbour', 'alice', 16)).toEqual(['Use at least 16 characters.']);
  });

  it('says it in the reader\'s language, with the length filled in', () => {
    const [problem] = passwordProblems({ password: 'violet-harbour', username: 'alice', minLength: 16 });
    expect(describePasswordProblem(problem!, translator('de'))).toBe('Verwenden Sie mindestens 16 Zeichen.');
    expect(describePasswordProblem(problem!, translator('fr'))).toBe('Utilisez au moins 16 caractères.');
  });
});
