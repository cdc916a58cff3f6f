import { clock, day, type ReadingPlace } from '../../../infrastructure/formatting/human-time.js';
import { pageLanguage } from '../../../infrastructure/i18n/page-language.js';
import { translator } from '../../../infrastructure/i18n/translator.js';

/**
 * The route files' words, in the language of the page being rendered (chosen once per request:
 * infrastructure/i18n/page-language.ts). Keys name a catalog entry: locales/en.json.
 */
export function t(key: string, values?: Record<string, unknown>): string {
  return translator(pageLanguage())(key, values);
}

/** A time on a page: the tenant's zone when the tenant is known (UTC otherwise), named, in the page's language. */
export function pageClock(at: Date, now: Date, timeZone?: string): string {
  return clock(at, now, { timeZone, language: pageLanguage() });
}

/** A date on a page ("24 Nov 2026"), in the page's language. */
export function pageDay(at: Date, timeZone?: string): string {
  return day(at, { timeZone, language: pageLanguage() } satisfies ReadingPlace);
}

/** "1 minute", "15 minutes": how long until `until`, rounded up. */
export function pageMinutesUntil(until: Date, now: Date): string {
  return t('common.minutes', { count: Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000)) });
}

/**
 * "yesterday", "5 minutes ago", "gestern", "hace 3 días": when something was last used, in the
 * page's language (the platform's relative-time words, so no catalog has to list them).
 */
export function pageAgo(at: Date, now: Date): string {
  const words = new Intl.RelativeTimeFormat(pageLanguage(), { numeric: 'auto' });
  const seconds = Math.round((at.getTime() - now.getTime()) / 1000);
  if (seconds > -60) return words.format(0, 'second');
  if (seconds > -3600) return words.format(Math.round(seconds / 60), 'minute');
  if (seconds > -86_400) return words.format(Math.round(seconds / 3600), 'hour');
  const days = Math.round((Date.parse(now.toISOString().slice(0, 10)) - Date.parse(at.toISOString().slice(0, 10))) / 86_400_000);
  if (days < 14) return words.format(-days, 'day');
  return words.format(-Math.round(days / 7), 'week');
}
