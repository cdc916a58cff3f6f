import { scopesForUser } from './scope-policy.js';

describe('scopesForUser', () => {
  it('refuses the admin scope to members', () => {
    expect(scopesForUser(['openid', 'admin'], 'member')).toEqual({ granted: ['openid'], refused: ['admin'] });
  });

  it('grants admin to administrators and staff but never with offline_access', () => {
    expect(scopesForUser(['openid', 'admin', 'offline_access'], 'admin')).toEqual({ granted: ['openid', 'admin'], refused: ['offline_access'] });
    expect(scopesForUser(['openid', 'admin'], 'staff').granted).toContain('admin');
  });

  it('keeps offline_access when admin is not granted', () => {
    expect(scopesForUser(['openid', 'offline_access', 'admin'], 'member')).toEqual({ granted: ['openid', 'offline_access'], refused: ['admin'] });
  });
});
