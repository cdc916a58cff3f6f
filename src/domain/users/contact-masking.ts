/** "a•••@example.com": enough for a person to recognise their address, not to harvest it. */
export function maskEmail(email: string): string {
  const [local, domain] = email.split('@');
  return `${local!.slice(0, 1)}•••@${domain ?? ''}`;
}

/** The last digits of a phone number, as shown on pages and in emails. */
export function phoneLastDigits(phone: string): string {
  return phone.slice(-4);
}

/** "+1•••0123": the country and the last digits, as a person reads them back. */
export function maskPhone(phone: string): string {
  const country = /^\+\d{1,3}/.exec(phone)?.[0] ?? '';
  return `${country.slice(0, 3)}•••${phone.slice(-4)}`;
}

/** Masks every email address and phone number in a text (a provider's reason may quote them). */
export function maskContacts(text: string): string {
  return text.replace(/[^\s<>"'(),;:]+@[^\s<>"'(),;:]+\.[A-Za-z]{2,}/g, (email) => maskEmail(email)).replace(/\+\d{7,15}\b/g, (phone) => maskPhone(phone));

}
