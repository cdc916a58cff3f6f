import { classifyRefusal } from './token-refusals.js';

const DEVICE = 'urn:ietf:params:oauth:grant-type:device_code';

describe('token endpoint refusals', () => {
  it('give a replayed refresh token a reason and a description an app can show', () => {
    expect(classifyRefusal({ route: 'token', grantType: 'refresh_token', error: 'invalid_grant', detail: 'refresh token already used' })).toEqual({
      type: 'token.refresh_denied',
      reason: 'refresh_token_reused',
      description: 'this refresh token was already used, so the sign-in was ended for safety; sign in again',
    });
    expect(classifyRefusal({ route: 'token', grantType: 'refresh_token', error: 'invalid_grant', detail: 'refresh token not found' })).toMatchObject({ reason: 'refresh_token_invalid', description: expect.stringMatching(/sign in again/) });
  });

  it('keep the reason and wording of refusals Gatehouse raised itself (a password changed by an administrator)', () => {
    expect(classifyRefusal({ route: 'token', grantType: 'refresh_token', error: 'invalid_grant', detail: 'whatever', facts: { reason: 'password_changed_by_admin', accountId: 'u1' } })).toEqual({ type: 'token.refresh_denied', reason: 'password_changed_by_admin' });
  });

  it('are events for every grant that is refused, each of its own type', () => {
    expect(classifyRefusal({ route: 'token', grantType: 'authorization_code', error: 'invalid_grant', detail: 'authorization code already consumed' })).toMatchObject({ type: 'token.code_denied', reason: 'code_reused' });
    expect(classifyRefusal({ route: 'token', grantType: DEVICE, error: 'expired_token' })).toEqual({ type: 'token.device_code_denied', reason: 'expired_token' });
    expect(classifyRefusal({ route: 'token', grantType: DEVICE, error: 'access_denied' })).toEqual({ type: 'token.device_code_denied', reason: 'access_denied' });
    expect(classifyRefusal({ route: 'token', grantType: 'client_credentials', error: 'invalid_scope' })).toEqual({ type: 'token.client_credentials_denied', reason: 'invalid_scope' });
  });

  it('do not record a device that is merely waiting for its person, or polling too fast', () => {
    expect(classifyRefusal({ route: 'token', grantType: DEVICE, error: 'authorization_pending' })).toBeUndefined();
    expect(classifyRefusal({ route: 'token', grantType: DEVICE, error: 'slow_down' })).toBeUndefined();
  });

  it('record every failed client authentication, wherever the client authenticates, and tell an expired secret apart', () => {
    expect(classifyRefusal({ route: 'token', grantType: 'client_credentials', error: 'invalid_client', detail: 'invalid secret provided' })).toEqual({ type: 'client.auth_failed', reason: 'invalid_client_secret' });
    expect(classifyRefusal({ route: 'introspection', error: 'invalid_client', facts: { reason: 'client_secret_expired' } })).toEqual({ type: 'client.auth_failed', reason: 'client_secret_expired' });
    expect(classifyRefusal({ route: 'introspection', error: 'invalid_request' })).toBeUndefined();
  });
});
