import { clock, day, isoDay, type ReadingPlace } from '../../../infrastructure/formatting/human-time.js';
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

/** "just now", "5 minutes ago", "yesterday", "3 days ago", then the date: when something was last used, in the page's language and the tenant's days. */
export function pageHowLongAgo(at: Date, now: Date, timeZone?: string): string {
  const minutes = Math.floor((now.getTime() - at.getTime()) / 60_000);
  if (minutes < 1) return t('common.ago_just_now');
  if (minutes < 60) return t('common.ago_minutes', { count: minutes });
  // Calendar days as the tenant lives them: "yesterday" at 00:30 in Berlin is not UTC's.
  const dayOf = (d: Date) => Date.parse(isoDay(d, timeZone));
  const days = Math.round((dayOf(now) - dayOf(at)) / 86_400_000);
  if (days <= 0) return t('common.ago_today');
  if (days === 1) return t('common.ago_yesterday');
  return days < 14 ? t('common.ago_days', { count: days }) : t('common.ago_on', { day: pageDay(at, timeZone) });
}
