import { loadCatalogs, type Catalog } from './catalogs.js';
import { LANGUAGES } from './languages.js';
import { translator } from './translator.js';
import { chooseLanguage } from './negotiation.js';

/** Every key of a catalog with its interpolation variables ("{{name}}"), sorted. */
function entries(catalog: Catalog, prefix = ''): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(catalog).flatMap(([key, value]) =>
      typeof value === 'string' ? [[`${prefix}${key}`, [...new Set([...value.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1]!))].sort()]] : Object.entries(entries(value, `${prefix}${key}.`)),
    ),
  );
}

/** Every key of a catalog with its text. */
function flatten(catalog: Catalog, prefix = ''): Record<string, string> {
  return Object.fromEntries(Object.entries(catalog).flatMap(([key, value]) => (typeof value === 'string' ? [[`${prefix}${key}`, value]] : Object.entries(flatten(value, `${prefix}${key}.`)))));
}

describe('message catalogs', () => {
  const catalogs = loadCatalogs();
  const english = entries(catalogs.en);

  it.each(LANGUAGES.filter((l) => l !== 'en'))('%s has exactly the keys of English, with the same variables', (language) => {
    const other = entries(catalogs[language]);
    expect(Object.keys(other).sort()).toEqual(Object.keys(english).sort());
    for (const [key, variables] of Object.entries(english)) expect([key, other[key]]).toEqual([key, variables]);
  });

  it('translates with plurals and variables', () => {
    expect(translator('en')('common.wrong_code', { count: 1 })).toBe('That code is not right. 1 try left.');
    expect(translator('de')('common.wrong_code', { count: 3 })).toBe('Dieser Code ist nicht richtig. Noch 3 Versuche.');
  });

  it('answers a text without values from memory, per language, and one with values every time anew', () => {
    for (const language of LANGUAGES) {
      const t = translator(language);
      const texts = flatten(catalogs[language]);
      for (const key of Object.keys(english).filter((k) => english[k]!.length === 0 && !texts[k]!.includes('$t(')).slice(0, 50)) {
        expect(t(key)).toBe(texts[key]);
        expect(t(key)).toBe(t(key, {}));
      }
    }
    expect(translator('en')('common.wrong_code', { count: 1 })).toBe('That code is not right. 1 try left.');
    expect(translator('en')('common.wrong_code', { count: 2 })).toBe('That code is not right. 2 tries left.');
    // An unknown key reads as itself, remembered or not.
    expect(translator('fr')('no.such.key')).toBe('no.such.key');
    expect(translator('fr')('no.such.key')).toBe('no.such.key');
  });
});

describe('choosing the language', () => {
  it('puts ui_locales first, then the switcher, then the saved language, then Accept-Language, then English', () => {
    expect(chooseLanguage({ uiLocales: 'it fr-CA', chosen: 'de', acceptLanguage: 'es' })).toBe('fr');
    expect(chooseLanguage({ uiLocales: 'it', chosen: 'de', acceptLanguage: 'es' })).toBe('de');
    expect(chooseLanguage({ acceptLanguage: 'it;q=1, es-MX;q=0.8, de;q=0.5' })).toBe('es');
    expect(chooseLanguage({ acceptLanguage: 'ja' })).toBe('en');
    // The account page: the switcher, then the person's saved language, then the browser.
    expect(chooseLanguage({ chosen: 'fr', userLocale: 'de-AT', acceptLanguage: 'es' })).toBe('fr');
    expect(chooseLanguage({ userLocale: 'de-AT', acceptLanguage: 'es' })).toBe('de');
    expect(chooseLanguage({ userLocale: 'ja-JP', acceptLanguage: 'es' })).toBe('es');
    expect(chooseLanguage({})).toBe('en');
  });
});
