/** The scopes a client may ask for, and the claims each releases (what Gatehouse's tokens say). */
export const SCOPES = ['openid', 'profile', 'email', 'phone', 'offline_access', 'admin'] as const;

export const CLAIMS_BY_SCOPE = {
  // amr (RFC 8176) says how this sign-in was made; listed under openid so every ID token has it.
  openid: ['sub', 'amr'],
  profile: ['name', 'preferred_username', 'tenant', 'role', 'updated_at'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
};
