import { createPublicKey, verify } from 'node:crypto';

/** Verifies a JWS signed with RS256/PS256/ES256 against the issuer's JWKS, as an app would. */
export async function verifyJwt(issuer: string, jwt: string): Promise<{ header: Record<string, unknown>; claims: Record<string, unknown> }> {
  const [h, p, s] = jwt.split('.');
  const header = JSON.parse(Buffer.from(h!, 'base64url').toString()) as { alg: string; kid?: string };
  const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { jwks_uri: string };
  const { keys } = (await (await fetch(discovery.jwks_uri)).json()) as { keys: Record<string, unknown>[] };
  const jwk = keys.find((k) => k.kid === header.kid) ?? keys[0];
  const key = createPublicKey({ key: jwk as never, format: 'jwk' });
  const data = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(s!, 'base64url');
  const ok =
    header.alg === 'RS256'
      ? verify('sha256', data, key, signature)
      : header.alg === 'PS256'
        ? verify('sha256', data, { key, padding: 6, saltLength: 32 }, signature)
        : header.alg === 'ES256'
          ? verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)
          : false;
  if (!ok) throw new Error(`signature of a ${header.alg} JWT does not verify`);
  return { header, claims: JSON.parse(Buffer.from(p!, 'base64url').toString()) };
}
