import i18next, { type TFunction } from 'i18next';
import { loadCatalogs } from './catalogs.js';
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from './languages.js';

// One instance of our own, never i18next's global: nothing else in the process can change it.
// Resources are given up front, so init completes synchronously (initAsync: false) and the
// first request already has every catalog.
const instance = i18next.createInstance();
void instance.init({
  resources: Object.fromEntries(Object.entries(loadCatalogs()).map(([language, catalog]) => [language, { translation: catalog }])),
  supportedLngs: [...LANGUAGES],
  fallbackLng: DEFAULT_LANGUAGE,
  initAsync: false,
  // Pages (eta) and HTML emails escape what they print; escaping here too would show "&amp;".
  interpolation: { escapeValue: false },
  returnNull: false,
});

export type Translate = (key: string, values?: Record<string, unknown>) => string;

const fixed = new Map<Language, TFunction>(LANGUAGES.map((language) => [language, instance.getFixedT(language)]));

/**
 * Each language's texts that take no values, once looked up. A page asks for dozens of texts,
 * and i18next resolves every one anew (namespaces, fallbacks, nesting, interpolation): the same
 * answer every time, since the catalogs never change while the process runs.
 */
const MAX_PLAIN_TEXTS = 5_000;
const plain = new Map<Language, Map<string, string>>(LANGUAGES.map((language) => [language, new Map()]));

/** The texts of one language: `t('login.title')`, `t('common.wrong_code', { count: 2 })`. */
export function translator(language: Language): Translate {
  const t = fixed.get(language)!;
  const known = plain.get(language)!;
  return (key, values) => {
    if (values && Object.keys(values).length) return t(key, values) as string;
    let text = known.get(key);
    if (text === undefined) {
      text = t(key, {}) as string;
      // Some keys are built from what a request carried: never an unbounded map.
      if (known.size < MAX_PLAIN_TEXTS) known.set(key, text);
    }
    return text;
  };
}
