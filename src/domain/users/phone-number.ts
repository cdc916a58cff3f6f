import { parsePhoneNumberWithError, type CountryCode } from 'libphonenumber-js';

/**
 * Reads a phone number as people type it (E.164, or national format for the tenant's country)
 * and returns it in E.164, or undefined when it is not a valid number.
 */
export function toE164(input: string, defaultCountry: string): { e164: string; country?: string } | undefined {
  try {
    const parsed = parsePhoneNumberWithError(input, defaultCountry as CountryCode);
    if (!parsed.isValid()) return undefined;
    return { e164: parsed.number, country: parsed.country };
  } catch {
    return undefined;
  }
}
