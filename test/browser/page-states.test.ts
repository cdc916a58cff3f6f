import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LANGUAGES, type Language } from '../../src/infrastructure/i18n/languages.js';
import { runWithPageLanguage } from '../../src/infrastructure/i18n/page-language.js';
import { describePageStatesInBrowser, renderState as render } from '../helpers/page-states-in-browser.js';
import { PAGE_STATES, type PageState } from '../helpers/page-states.js';

/*
 * The state catalogue: every hosted page in every state (each view, each of its messages),
 * rendered by the real renderer with representative data in every language. Here: the catalogue
 * covers every view, and no page shows English where the catalogs should have spoken. In a real
 * browser (page-states-in-browser.ts), English and German here, the other languages in
 * page-states-translated.test.ts: no axe violations, 320 px, forms without script, screenshots.
 * Real flows (test/browser/*) prove the routes reach these states; this proves every state
 * reads well, quickly.
 */
const VIEWS_DIR = path.resolve('src/entrypoints/pages/rendering/views');

/** The words a person reads: text between tags (scripts, styles and the embedded JSON left out). */
function textSegments(html: string): string[] {
  return html
    .replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>|<svg[\s\S]*?<\/svg>|<pre[\s\S]*?<\/pre>/g, ' ')
    // A passage marked as English (the admin API's own messages, a protocol's detail) is English on purpose.
    .replace(/<(?!html\b)([a-z][\w-]*)\b[^>]*\slang="en"[^>]*>[\s\S]*?<\/\1>/g, ' ')
    .split(/<[^>]+>/)
    .map((text) => text.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim())
    // Addresses ("/.well-known/openid-configuration") are no one's language.
    .filter((text) => text && !/^[\w./:-]+$/.test(text));
}

/** The data of a state that no language changes (names, codes, addresses): the same in English and in `language`. */
function fixedValues(state: PageState, language: Language): string[] {
  const leaves = (value: unknown): string[] => (typeof value === 'string' ? [value] : value && typeof value === 'object' ? Object.values(value).flatMap(leaves) : []);
  const english = new Set(runWithPageLanguage({ chosen: 'en' }, '/', () => leaves(state.data())));
  return runWithPageLanguage({ chosen: language }, '/', () => leaves(state.data())).filter((value) => english.has(value));
}

/** Sentences of the English page that also stand in the `language` page: catalog text left untranslated. */
function untranslated(state: PageState, language: Language): string[] {
  const english = new Set(textSegments(render(state, 'en')));
  const fixed = ['Gatehouse', ...fixedValues(state, language)].sort((a, b) => b.length - a.length);
  return textSegments(render(state, language)).filter((segment) => {
    if (!english.has(segment)) return false;
    const rest = fixed.reduce((text, value) => text.split(value).join(' '), segment);
    // Two real words or more left over: a sentence, not a name, a code or a language's own name.
    return (rest.match(/\p{L}{3,}/gu) ?? []).length >= 2;
  });
}

describe('the page state catalogue', () => {
  it('covers every view: each is rendered by a state, or is a part a rendered view includes', () => {
    const rendered = new Set(PAGE_STATES.map((state) => state.view as string));
    const included = new Set([...rendered].flatMap((view) => [...readFileSync(path.join(VIEWS_DIR, `${view}.eta`), 'utf8').matchAll(/(?:include|layout)\('([\w-]+)'/g)].map((m) => m[1]!)));
    const views = readdirSync(VIEWS_DIR).filter((file) => file.endsWith('.eta')).map((file) => file.replace(/\.eta$/, ''));
    expect(views.filter((view) => !rendered.has(view) && !included.has(view))).toEqual([]);
    expect(new Set(PAGE_STATES.map((state) => state.name)).size).toBe(PAGE_STATES.length);
  });

  it.each(LANGUAGES.filter((language) => language !== 'en'))('leaves no English on the %s pages, and names each page in its language', (language) => {
    const leaks = PAGE_STATES.flatMap((state) => untranslated(state, language).map((segment) => `${state.name}: ${segment}`));
    expect(leaks).toEqual([]);
    const titles = PAGE_STATES.filter((state) => /<h1>([^<]+)<\/h1>/.exec(render(state, 'en'))?.[1] === /<h1>([^<]+)<\/h1>/.exec(render(state, language))?.[1]).map((state) => state.name);
    // "Gatehouse" is the start page's name in every language, a console page of one user or
    // client is headed by their name, and "Clients" is the German and the French word too.
    const named = (state: PageState) => state.name === 'home' || state.view === 'console-user' || state.view === 'console-client' || (state.view === 'console-clients' && (language === 'de' || language === 'fr'));
    expect(titles).toEqual(PAGE_STATES.filter(named).map((state) => state.name));
  });
});

describePageStatesInBrowser(['en', 'de']);
