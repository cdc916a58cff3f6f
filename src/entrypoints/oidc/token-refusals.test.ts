import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { errors } from 'oidc-provider';
import { REVOCATION_REASONS } from '../../domain/sessions/revocation-reasons.js';
import { clientSecretExpiredMessage, REFUSAL_WORDING, revocationMessage } from './refusal-wording.js';
import {
  alreadyUsedDetail,
  classifyRefusal,
  PROVIDER_ACCOUNT_NOT_FOUND_SUFFIX,
  PROVIDER_CLIENT_AUTH_DETAILS,
  PROVIDER_GRANT_DETAILS,
  PROVIDER_GRANT_TYPE_NOT_ALLOWED,
  PROVIDER_NO_CLIENT_AUTHENTICATION,
} from './token-refusals.js';

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

  it('record a grant type the client is not registered for as unauthorized_client, which is what the client is told', () => {
    expect(classifyRefusal({ route: 'token', grantType: 'client_credentials', error: 'invalid_request', description: PROVIDER_GRANT_TYPE_NOT_ALLOWED })).toEqual({ type: 'token.client_credentials_denied', reason: 'unauthorized_client' });
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

/**
 * The mapping above reads the provider's internal details, which are not an API of
 * oidc-provider. Each one the mapping depends on must be raised, with the same error, by the
 * installed version: an upgrade that rewords one fails here instead of silently turning a
 * readable refusal into "grant request is invalid".
 */
describe('the provider details the refusals depend on', () => {
  const lib = path.resolve('node_modules/oidc-provider/lib');
  const sources = jsFiles(lib).map((file) => readFileSync(file, 'utf8')).join('\n');

  /** Every message the library passes to `new <ErrorClass>(…)`, literal or template. */
  function messagesOf(errorClass: string): string[] {
    return [...sources.matchAll(new RegExp(`new ${errorClass}\\(\\s*(['"\`])((?:(?!\\1).)*)\\1`, 'g'))].map((m) => m[2]!);
  }

  /** Raised as is, or composed as `${label} rest` with the label passed as a literal. */
  function raises(errorClass: string, detail: string): boolean {
    const messages = messagesOf(errorClass);
    if (messages.includes(detail)) return true;
    return messages.some((message) => {
      const composed = /^\$\{\w+\}( .+)$/.exec(message);
      if (!composed || !detail.endsWith(composed[1]!)) return false;
      const label = detail.slice(0, -composed[1]!.length);
      return sources.includes(`'${label}'`);
    });
  }

  it('reads the installed oidc-provider', () => {
    expect(messagesOf('InvalidGrant').length).toBeGreaterThan(10);
  });

  it.each(Object.keys(PROVIDER_GRANT_DETAILS))('invalid_grant "%s" is still raised by oidc-provider', (detail) => {
    expect(raises('InvalidGrant', detail)).toBe(true);
  });

  it.each(Object.keys(PROVIDER_CLIENT_AUTH_DETAILS))('invalid_client "%s" is still raised by oidc-provider', (detail) => {
    expect(raises('InvalidClientAuth', detail)).toBe(true);
  });

  it.each([PROVIDER_GRANT_TYPE_NOT_ALLOWED, PROVIDER_NO_CLIENT_AUTHENTICATION])('invalid_request "%s" is still raised by oidc-provider (answered with the RFC error code instead)', (description) => {
    expect(messagesOf('InvalidRequest')).toContain(description);
  });

  it('the account-not-found refusal still ends with the same words', () => {
    expect(messagesOf('InvalidGrant')).toContain(`\${entityLabel} ${PROVIDER_ACCOUNT_NOT_FOUND_SUFFIX}`);
  });

  it('a refusal still carries its detail where the refusal events read it', () => {
    const error = new errors.InvalidGrant('refresh token already used') as unknown as { error: string; error_detail: string; error_description: string };
    expect(error).toMatchObject({ error: 'invalid_grant', error_detail: 'refresh token already used', error_description: 'grant request is invalid' });
  });

  it("Gatehouse's own details do not collide with the provider's", () => {
    for (const model of ['RefreshToken', 'AuthorizationCode', 'DeviceCode']) expect(raises('InvalidGrant', alreadyUsedDetail(model))).toBe(false);
  });
});

describe('the refusal wording', () => {
  it('is printable ASCII without quotes or backslashes, as RFC 6749 §5.2 allows in error_description', () => {
    const texts = [...Object.values(REFUSAL_WORDING), clientSecretExpiredMessage(new Date(0))];
    for (const text of texts) expect(text).toMatch(/^[\x20\x21\x23-\x5B\x5D-\x7E]+$/);
  });

  it('words every revocation reason', () => {
    for (const reason of REVOCATION_REASONS) expect(revocationMessage(reason)).toBe(REFUSAL_WORDING[reason]);
    expect(revocationMessage(null)).toBe(REFUSAL_WORDING.revoked);
    expect(revocationMessage('something_older')).toBe(REFUSAL_WORDING.revoked);
  });

  it('gives every mapped provider detail a description', () => {
    for (const [detail, reason] of Object.entries(PROVIDER_GRANT_DETAILS)) {
      expect(classifyRefusal({ route: 'token', grantType: 'refresh_token', error: 'invalid_grant', detail })).toMatchObject({ reason, description: REFUSAL_WORDING[reason] });
    }
  });
});

function jsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return jsFiles(full);
    return name.endsWith('.js') ? [full] : [];
  });
}
