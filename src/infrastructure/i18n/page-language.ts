import { requestSlot } from '../context/request-scope.js';
import { chooseLanguage, type LanguageSignals } from './negotiation.js';
import { DEFAULT_LANGUAGE, type Language } from './languages.js';

/** The language of one page request, and what is needed to switch it. */
interface PageLanguageState {
  language: Language;
  signals: LanguageSignals;
  /** Where the switcher returns to after setting its cookie. */
  returnTo: string;
}

// Held per request rather than passed along: the hundred-odd strings of the route files are
// produced in helpers far from the Koa context, and every one of them must use the same choice.
const storage = requestSlot<PageLanguageState>('page language');

/** Runs a request's handling with the language its cookie and Accept-Language choose. */
export function runWithPageLanguage<T>(signals: LanguageSignals, returnTo: string, fn: () => T): T {
  return storage.run({ language: chooseLanguage(signals), signals, returnTo }, fn);
}

/**
 * Once the sign-in the page belongs to is known: its `ui_locales` go first. Called with the
 * interaction's parameters, or the provider's own request parameters (logout, errors).
 */
export function applyUiLocales(uiLocales: unknown): void {
  const state = storage.get();
  if (!state || typeof uiLocales !== 'string' || !uiLocales) return;
  state.signals = { ...state.signals, uiLocales };
  state.language = chooseLanguage(state.signals);
}

/**
 * Once the signed-in person is known (the account page, which has no `ui_locales`): their
 * saved language goes before the browser's, after the switcher's cookie.
 */
export function applyUserLocale(locale: string | null | undefined): void {
  const state = storage.get();
  if (!state || !locale) return;
  state.signals = { ...state.signals, userLocale: locale };
  state.language = chooseLanguage(state.signals);
}

/** The language of the page being rendered; English outside a request. */
export function pageLanguage(): Language {
  return storage.get()?.language ?? DEFAULT_LANGUAGE;
}

/** Where the language switcher sends the person back to. */
export function switcherReturnTo(): string {
  return storage.get()?.returnTo ?? '/';
}
