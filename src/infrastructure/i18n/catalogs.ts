import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LANGUAGES, type Language } from './languages.js';

const localesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'locales');

export type Catalog = { [key: string]: string | Catalog };

/** The message catalogs, one JSON file per language (read once; `npm run build` copies them). */
export function loadCatalogs(): Record<Language, Catalog> {
  return Object.fromEntries(LANGUAGES.map((language) => [language, JSON.parse(readFileSync(path.join(localesDir, `${language}.json`), 'utf8')) as Catalog])) as Record<Language, Catalog>;
}
