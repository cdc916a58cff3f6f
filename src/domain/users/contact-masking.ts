/** "a•••@example.com": enough for a person to recognise their address, not to harvest it. */
export function maskEmail(email: string): string {
  const [local, domain] = email.split('@');
  return `${local!.slice(0, 1)}•••@${domain ?? ''}`;
}

/** The last digits of a phone number, as shown on pages and in emails. */
export function phoneLastDigits(phone: string): string {
  return phone.slice(-4);
}

/** "+1•••0123": the country code and the last digits. */
export function maskPhone(phone: string): string {
  return `${phone.slice(0, phone.startsWith('+1') ? 2 : 3)}•••${phoneLastDigits(phone)}`;
}
