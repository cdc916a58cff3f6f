import Negotiator from 'negotiator';
import { DEFAULT_LANGUAGE, LANGUAGES, languageOf, type Language } from './languages.js';

/** What a request says about the language its person reads, strongest first. */
export interface LanguageSignals {
  /** The authorization request's `ui_locales`: space-separated BCP 47 tags, in order of preference. */
  uiLocales?: string;
  /** The language switcher's cookie. */
  chosen?: string;
  /** The signed-in person's saved language (`users.locale`), known on their own account page. */
  userLocale?: string | null;
  /** The browser's `Accept-Language` header. */
  acceptLanguage?: string;
}

/**
 * The page's language: the app's `ui_locales` (it knows its user), then the person's own choice
 * in the switcher, then the language saved in their profile (where they are signed in), then
 * the browser's preferences, then English. Accept-Language's q-values and
 * region fallbacks ("de-CH" → "de") are negotiator's, not hand-parsed.
 */
export function chooseLanguage(signals: LanguageSignals): Language {
  for (const tag of (signals.uiLocales ?? '').split(' ')) {
    const language = languageOf(tag);
    if (language) return language;
  }
  const chosen = languageOf(signals.chosen);
  if (chosen) return chosen;
  const saved = languageOf(signals.userLocale);
  if (saved) return saved;
  if (signals.acceptLanguage) {
    const negotiated = new Negotiator({ headers: { 'accept-language': signals.acceptLanguage } }).language([...LANGUAGES]);
    const language = languageOf(negotiated);
    if (language) return language;
  }
  return DEFAULT_LANGUAGE;
}
