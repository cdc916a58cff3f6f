/** The languages Gatehouse speaks, English first: it is the fallback and the catalogs' reference. */
export const LANGUAGES = ['en', 'de', 'es', 'fr'] as const;

export type Language = (typeof LANGUAGES)[number];

export const DEFAULT_LANGUAGE: Language = 'en';

/** Each language named in itself, for the switcher: a person finds their own language by its own name. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', de: 'Deutsch', es: 'Español', fr: 'Français' };

/**
 * The supported language of a BCP 47 tag ("de-AT" → "de"), or undefined. Only the primary
 * subtag counts: the catalogs are per language, not per region.
 */
export function languageOf(tag: string | null | undefined): Language | undefined {
  const primary = tag?.trim().split(/[-_]/)[0]?.toLowerCase();
  return (LANGUAGES as readonly string[]).includes(primary ?? '') ? (primary as Language) : undefined;
}
