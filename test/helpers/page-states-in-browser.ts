import { mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Koa from 'koa';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createAssetRouter } from '../../src/entrypoints/pages/assets.routes.js';
import { PAGE_STYLE_HASHES, renderPage } from '../../src/entrypoints/pages/rendering/page-renderer.js';
import { securityHeaders } from '../../src/infrastructure/http/security-headers.js';
import type { Language } from '../../src/infrastructure/i18n/languages.js';
import { runWithPageLanguage } from '../../src/infrastructure/i18n/page-language.js';
import { accessibilityViolations, AXE_SOURCE, WORDING_RULES } from './accessibility.js';
import { chromiumAvailable, launchChromium } from './chromium.js';
import { PAGE_STATES, type PageState } from './page-states.js';

/*
 * Every page state of the catalogue (page-states.ts) in a real browser, language by language:
 * loaded into one headless Chromium from a small server that applies the real content security
 * policy and serves the real scripts. Each must have no axe violations, fit 320 px and work with
 * JavaScript off; a screenshot of each is kept in test-results/screenshots/<language>/<state>.png.
 *
 * What a language cannot change is checked once, in English: the rules of axe about structure,
 * roles and contrast, and the forms without script (the same markup in every language). What
 * the words change is checked in every language: width at 320 px, the axe rules about names,
 * labels, titles and language attributes, and the screenshot. The languages are shared out over
 * two test files, so that the test run's two workers check them side by side.
 */

/** A phone's width, and a height few pages reach (no page sizes itself to the viewport's height). */
const NARROW = { width: 320, height: 2400 };

/** A state's page in a language, as the real renderer writes it. */
export function renderState(state: PageState, language: Language): string {
  return runWithPageLanguage({ chosen: language }, '/', () => renderPage(state.view, state.data()));
}

/** Declares the browser checks of every page state in each of `languages`. */
export function describePageStatesInBrowser(languages: readonly Language[]): void {
  (chromiumAvailable() || process.env.CI ? describe : describe.skip)(`every page state in ${languages.join(', ')}, in a real browser`, () => {
    let browser: Browser;
    let server: ReturnType<Koa['listen']>;
    let base: string;
    let narrow: BrowserContext;
    let desktopWithoutScript: BrowserContext;

    beforeAll(async () => {
      const app = new Koa();
      app.use(securityHeaders({ https: false, styleHashes: PAGE_STYLE_HASHES }));
      app.use(createAssetRouter().routes());
      // The console's pages load its stylesheet, as its router serves it.
      const consoleStyles = readFileSync(path.resolve('src/entrypoints/pages/rendering/assets/console.css'), 'utf8');
      app.use(async (ctx, next) => {
        if (ctx.path !== '/console/console.css') return next();
        ctx.type = 'text/css; charset=utf-8';
        ctx.body = consoleStyles;
      });
      app.use(async (ctx, next) => {
        if (ctx.path !== '/axe.min.js') return next();
        ctx.type = 'text/javascript';
        ctx.set('Cache-Control', 'max-age=3600');
        ctx.body = AXE_SOURCE;
      });
      app.use(async (ctx, next) => {
        // The login page asks for passkey options to offer passkeys in the username's autofill.
        if (ctx.path.endsWith('/passkey-options')) return void (ctx.body = { challenge: 'Y2hhbGxlbmdl', rpId: '127.0.0.1', allowCredentials: [], userVerification: 'required' });
        const match = /^\/states\/(\w+)\/([\w-]+)$/.exec(ctx.path);
        const state = match && PAGE_STATES.find((s) => s.name === match[2]);
        if (!match || !state) return next();
        ctx.type = 'html';
        const html = renderState(state, match[1] as Language);
        // The page checked with axe loads it as a script of its own origin, which the browser
        // compiles once and caches: sent to each page through DevTools it took a third of the time.
        ctx.body = ctx.query.axe === undefined ? html : html.replace('</body>', '<script src="/axe.min.js"></script></body>');
      });
      server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      browser = await launchChromium();
      narrow = await browser.newContext({ viewport: NARROW });
      desktopWithoutScript = await browser.newContext({ viewport: { width: 1280, height: 800 }, javaScriptEnabled: false });
    });
    afterAll(async () => {
      await browser?.close();
      await new Promise((resolve) => server?.close(resolve));
    });

    for (const language of languages) {
      const inFull = language === 'en';
      const checks = inFull ? '0 axe violations at 320 px, nothing wider than 320 px, every form usable on a desktop without script' : '0 violations of the axe rules about wording at 320 px, nothing wider than 320 px';
      it(`${language}: ${checks}, no blocked resource`, async () => {
        mkdirSync(`test-results/screenshots/${language}`, { recursive: true });
        const small = await narrow.newPage();
        const large = inFull ? await desktopWithoutScript.newPage() : undefined;
        const problems: string[] = [];
        const blocked: string[] = [];
        // A script or style the policy refused, or an asset missing (the browser's own favicon request aside).
        const watch = (page: Page) => {
          page.on('console', (entry) => entry.type() === 'error' && !entry.text().startsWith('Failed to load resource') && blocked.push(entry.text()));
          page.on('response', (response) => response.status() >= 400 && !response.url().endsWith('/favicon.ico') && blocked.push(`${response.status()} ${response.url()}`));
        };
        watch(small);
        if (large) watch(large);
        // Each state at 320 px (axe, width, screenshot) while the desktop page without script
        // checks its forms: two pages, so the two halves run side by side.
        const atNarrowWidth = async (state: PageState, url: string) => {
          await small.goto(`${url}?axe`);
          for (const violation of await accessibilityViolations(small, inFull ? undefined : WORDING_RULES)) problems.push(`${state.name} (320 px): ${violation}`);
          const { width, height } = await small.evaluate(() => ({ width: document.documentElement.scrollWidth, height: Math.ceil(document.documentElement.getBoundingClientRect().height) }));
          if (width > NARROW.width) problems.push(`${state.name}: ${width} px wide at 320 px`);
          // The viewport is taller than nearly every page: a clip of it is a full-page screenshot
          // without the resizing that doubles a full page's cost.
          const path = `test-results/screenshots/${language}/${state.name}.png`;
          await small.screenshot(height <= NARROW.height ? { path, clip: { x: 0, y: 0, width: NARROW.width, height } } : { path, fullPage: true });
        };
        const onDesktopWithoutScript = async (page: Page, state: PageState, url: string) => {
          await page.goto(url);
          // Without script (axe itself cannot run there: its timers never fire), every form can
          // still be sent, except a passkey's, which says instead that it needs JavaScript.
          const stuck = await page.evaluate(() =>
            // The login page's passkey button is an enhancement only: the password form is the way there.
            [...document.querySelectorAll('form:not([data-passkey-login])')].filter((form) => {
              const button = form.querySelector('button');
              const sendable = button !== null && button.offsetParent !== null;
              const explained = form.querySelector('noscript') !== null;
              return !sendable && !explained;
            }).length,
          );
          if (stuck) problems.push(`${state.name} (desktop, no script): ${stuck} form(s) cannot be sent`);
        };
        for (const state of PAGE_STATES) {
          const url = `${base}/states/${language}/${state.name}`;
          await Promise.all([atNarrowWidth(state, url), large && onDesktopWithoutScript(large, state, url)]);
        }
        await Promise.all([small.close(), large?.close()]);
        expect(problems).toEqual([]);
        expect(blocked).toEqual([]);
        // About two minutes for English alone on a two-core machine and less for each other
        // language, and up to three times that beside the other suites of a full run on a slow day.
      }, 600_000);
    }
  });
}
