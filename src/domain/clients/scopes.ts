/** The scopes a client may ask for, and the claims each releases (what Gatehouse's tokens say). */
export const SCOPES = ['openid', 'profile', 'email', 'phone', 'offline_access', 'admin'] as const;

export const CLAIMS_BY_SCOPE = {
  // amr (RFC 8176) says how this sign-in was made; listed under openid so every ID token has it.
  openid: ['sub', 'amr'],
  // The standard profile claims Gatehouse keeps (OpenID Connect Core §5.4), then its own.
  profile: ['name', 'given_name', 'family_name', 'preferred_username', 'locale', 'zoneinfo', 'updated_at', 'tenant', 'role'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
};
