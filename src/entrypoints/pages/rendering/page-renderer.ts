import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import { currentBrand } from './page-brand.js';
import { LANGUAGE_NAMES, LANGUAGES } from '../../../infrastructure/i18n/languages.js';
import { pageLanguage, switcherReturnTo } from '../../../infrastructure/i18n/page-language.js';
import { translator } from '../../../infrastructure/i18n/translator.js';

const viewsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'views');

// autoEscape: every `<%= %>` is HTML-escaped; only `<%~ it.body %>` in the layout is raw.
const eta = new Eta({ views: viewsDir, autoEscape: true, cache: true });

/**
 * The CSP source of the pages' one inline stylesheet, hashed from the layout itself so the
 * policy follows any change of the styles (the block holds no template tags: rendered as is).
 */
export const PAGE_STYLE_HASHES: readonly string[] = [...readFileSync(path.join(viewsDir, 'layout.eta'), 'utf8').matchAll(/<style>([\s\S]*?)<\/style>/g)].map(
  (match) => `'sha256-${createHash('sha256').update(match[1]!).digest('base64')}'`,
);

export type PageName = 'login' | 'message' | 'device-input' | 'device-confirm' | 'logout' | 'home' | 'demo-result' | 'forgot-password' | 'recovery-code' | 'password-change' | 'code-entry' | 'phone-enroll' | 'mfa-warning' | 'totp-setup' | 'recovery-codes' | 'passkey'
  // the account page (/account)
  | 'account-home' | 'account-password' | 'account-phone' | 'account-methods' | 'account-confirm' | 'account-apps' | 'account-activity' | 'account-message' | 'account-add-totp' | 'account-add-passkey' | 'account-recovery-codes'
  // the admin console (/console): its views are named console-*
  | `console-${string}`;

/**
 * Renders a hosted page: server-side HTML that works without JavaScript, in the request's
 * language (`it.t`, `it.lang`), with the language switcher's links back to this page.
 */
export function renderPage(name: PageName, data: Record<string, unknown>): string {
  const language = pageLanguage();
  const back = encodeURIComponent(switcherReturnTo());
  const languages = LANGUAGES.map((code) => ({ language: code, name: LANGUAGE_NAMES[code], current: code === language, href: `/language?set=${code}&return=${back}` }));
  // The organisation the page is shown for (its name, logo, colour, support contact), if any.
  return eta.render(name, { brand: currentBrand(), ...data, t: translator(language), lang: language, languages, field: fieldAttributes(data) });
}

/**
 * `<%~ it.field('code', 'code-hint') %>`: a form field's state attributes. The field the page's
 * error is about (`errorField`) is marked invalid and described by the error (`#form-error`,
 * besides its own hint), and takes the focus; without such an error the focus goes to `focus`.
 */
function fieldAttributes(data: Record<string, unknown>): (id: string, hint?: string) => string {
  const wrong = data.error && typeof data.errorField === 'string' ? data.errorField : undefined;
  const focus = wrong ?? (typeof data.focus === 'string' ? data.focus : undefined);
  return (id, hint) => {
    const describedBy = [id === wrong ? 'form-error' : '', hint ?? ''].filter(Boolean).join(' ');
    return `${id === wrong ? ' aria-invalid="true"' : ''}${describedBy ? ` aria-describedby="${describedBy}"` : ''}${id === focus ? ' autofocus' : ''}`;
  };
}

/** A page with a title, one message and an optional way onward: errors, dead ends, notices. */
export function renderMessage(message: {
  title: string;
  message: string;
  alert?: boolean;
  linkUrl?: string;
  linkText?: string;
  /** A second way onward. */
  secondaryUrl?: string;
  secondaryText?: string;
  /** A technical detail in the protocol's own (English) words, shown beneath the message for developers. */
  detail?: string;
  /** The request's id, which the logs and the event log carry too. */
  errorId?: string;
  /** The application the page is about, when known. */
  clientName?: string;
}): string {
  return renderPage('message', message);
}
