/** Where an instant is read: the tenant's time zone where the tenant is known, in the page's language. */
export interface ReadingPlace {
  timeZone?: string;
  /** A language of the catalogs ("de"); English when absent. */
  language?: string;
}

// The region only picks conventions (24-hour clock, day before month) that suit each language.
const LOCALES: Record<string, string> = { en: 'en-GB', de: 'de-DE', es: 'es-ES', fr: 'fr-FR' };
const localeOf = (language: string | undefined) => LOCALES[language ?? 'en'] ?? 'en-GB';

type Shape = 'time' | 'isoDay' | 'shortDate' | 'full';
const SHAPES: Record<Shape, Intl.DateTimeFormatOptions> = {
  time: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' },
  isoDay: { year: 'numeric', month: '2-digit', day: '2-digit' },
  shortDate: { day: 'numeric', month: 'short', year: 'numeric' },
  full: { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' },
};

// Building a formatter costs far more than formatting (ICU loads the zone and the locale's
// patterns): a sign-in's notification email built three. They are kept per locale, zone and
// shape; the zones are the tenants' valid IANA zones, so the map stays small.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: string, timeZone: string, shape: Shape): Intl.DateTimeFormat {
  const key = `${locale} ${timeZone} ${shape}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { ...SHAPES[shape], timeZone });
    formatters.set(key, format);
  }
  return format;
}

/**
 * How instants read for people: on the hosted pages and in support's diagnosis. In the
 * tenant's time zone when it is known (UTC otherwise), always with the zone named, and short:
 * "10:42 UTC" or "13:49 CET" today, with the date otherwise.
 */
export function clock(at: Date, now: Date, place: ReadingPlace = {}): string {
  const timeZone = place.timeZone ?? 'UTC';
  const locale = localeOf(place.language);
  const time = formatter(locale, timeZone, 'time').format(at);
  if (isoDay(at, timeZone) === isoDay(now, timeZone)) return time;
  // English keeps the ISO date it always showed; other languages read their own short date.
  const date = place.language && place.language !== 'en' ? formatter(locale, timeZone, 'shortDate').format(at) : isoDay(at, timeZone);
  return `${date} ${time}`;
}

/** "2026-11-24": the calendar day `at` falls on in `timeZone` (en-CA writes YYYY-MM-DD), so equal days are equal strings. */
export function isoDay(at: Date, timeZone = 'UTC'): string {
  return formatter('en-CA', timeZone, 'isoDay').format(at);
}

/** "24 Nov 2026" ("24. Nov. 2026" in German). */
export function day(at: Date, place: ReadingPlace = {}): string {
  return formatter(localeOf(place.language), place.timeZone ?? 'UTC', 'shortDate').format(at);
}

/** "1 minute", "15 minutes": how long until `until`, rounded up. */
export function minutesUntil(until: Date, now: Date): string {
  const minutes = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/** Whether `timeZone` is an IANA time zone this runtime knows ("Europe/Berlin", "UTC"). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** "Tue 24 Nov 2026, 11:42 CET": an instant in a tenant's own time zone, for emails. */
export function inTimeZone(at: Date, timeZone: string, language = 'en'): string {
  if (language !== 'en') {
    // Each language's own order and words ("Di., 24. Nov. 2026, 11:42 MEZ"), the zone still named.
    return formatter(localeOf(language), timeZone, 'full').format(at);
  }
  const parts = formatter('en-GB', timeZone, 'full').formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('weekday')} ${part('day')} ${part('month')} ${part('year')}, ${part('hour')}:${part('minute')} ${part('timeZoneName')}`;
}

/** "just now", "5 minutes ago", "today", "yesterday", "3 days ago", then the date: when something was last used. */
export function howLongAgo(at: Date, now: Date): string {
  const minutes = Math.floor((now.getTime() - at.getTime()) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return minutes === 1 ? '1 minute ago' : `${minutes} minutes ago`;
  const days = Math.round((Date.parse(now.toISOString().slice(0, 10)) - Date.parse(at.toISOString().slice(0, 10))) / 86_400_000);
  if (days <= 0) return 'today';
  if (days === 1) return 'yesterday';
  return days < 14 ? `${days} days ago` : `on ${day(at)}`;
}
