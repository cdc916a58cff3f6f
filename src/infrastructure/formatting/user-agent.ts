/** A device as a person recognises it: the browser or app, and the system it runs on. */
export interface DeviceName {
  app: string;
  system: string | null;
}

const SYSTEMS: [RegExp, string][] = [
  [/iPhone|iPad|iPod|\biOS\b/, 'iOS'],
  [/Android/, 'Android'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
];

const BROWSERS: [RegExp, string][] = [
  [/Edg(?:e|A|iOS)?\//, 'Edge'],
  [/Firefox\/|FxiOS\//, 'Firefox'],
  [/OPR\//, 'Opera'],
  [/Chrome\/|CriOS\/|HeadlessChrome\//, 'Chrome'],
  [/Version\/[\d.]+.*Safari\//, 'Safari'],
];

/**
 * "Firefox on Windows", "DemoMobile on iOS": a User-Agent header in a few words. An app that
 * is no known browser is named by its first product token; null when there is nothing to read.
 */
export function deviceName(userAgent: string | null | undefined): DeviceName | null {
  const ua = (userAgent ?? '').trim();
  if (!ua) return null;
  const system = SYSTEMS.find(([pattern]) => pattern.test(ua))?.[1] ?? null;
  const browser = BROWSERS.find(([pattern]) => pattern.test(ua))?.[1];
  const product = /^([A-Za-z][\w.-]{0,39})\//.exec(ua)?.[1];
  const app = browser ?? (product && product !== 'Mozilla' ? product : ua.slice(0, 40));
  return { app, system };
}
