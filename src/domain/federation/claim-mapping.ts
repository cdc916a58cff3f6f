import type { ClaimMapping } from './sso-connection.js';

/** The profile a connection's claim mapping reads from an upstream ID token (strings only, trimmed, bounded). */
export interface UpstreamProfile {
  username?: string;
  email?: string;
  name?: string;
  given_name?: string;
  family_name?: string;
  phone?: string;
  /** The upstream says the email is verified (`email_verified: true`). */
  emailVerified: boolean;
  /** The upstream's `amr`, when it sent one. */
  amr: string[];
}

const MAX_CLAIM_LENGTH = 256;

export function profileFrom(claims: Record<string, unknown>, mapping: ClaimMapping): UpstreamProfile {
  const text = (name: string): string | undefined => {
    const value = claims[name];
    return typeof value === 'string' && value.trim() ? value.trim().slice(0, MAX_CLAIM_LENGTH) : undefined;
  };
  return {
    username: text(mapping.username) ?? text('email'),
    email: text(mapping.email),
    name: text(mapping.name),
    given_name: text(mapping.given_name),
    family_name: text(mapping.family_name),
    phone: text(mapping.phone),
    emailVerified: claims.email_verified === true,
    amr: Array.isArray(claims.amr) ? claims.amr.filter((value): value is string => typeof value === 'string').slice(0, 16) : [],
  };
}
