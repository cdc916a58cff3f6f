import { describe, expect, it } from '@jest/globals';
import { clock, day, inTimeZone, isoDay } from './human-time.js';

// Formatters are kept between calls: every answer must still be the zone's and language's own.
describe('human time', () => {
  const at = new Date('2026-11-24T10:42:00Z');

  it('writes an instant in each zone and language asked, whatever was asked before', () => {
    expect(inTimeZone(at, 'Europe/Berlin')).toBe('Tue 24 Nov 2026, 11:42 CET');
    expect(inTimeZone(at, 'America/New_York')).toBe('Tue 24 Nov 2026, 05:42 GMT-5');
    expect(inTimeZone(at, 'Europe/Berlin')).toBe('Tue 24 Nov 2026, 11:42 CET');
    expect(inTimeZone(at, 'Europe/Berlin', 'de')).toMatch(/^Di\., 24\. Nov\. 2026, 11:42 MEZ$/);
    expect(inTimeZone(at, 'UTC')).toBe('Tue 24 Nov 2026, 10:42 UTC');
  });

  it('reads a clock as today or with its date, in the zone', () => {
    expect(clock(at, new Date('2026-11-24T20:00:00Z'), { timeZone: 'Europe/Berlin' })).toBe('11:42 CET');
    expect(clock(at, new Date('2026-11-24T20:00:00Z'))).toBe('10:42 UTC');
    // 23:30 UTC is already the next day in Berlin.
    expect(clock(at, new Date('2026-11-24T23:30:00Z'), { timeZone: 'Europe/Berlin' })).toBe('2026-11-24 11:42 CET');
    expect(clock(at, new Date('2026-11-26T10:00:00Z'), { language: 'de' })).toMatch(/^24\. Nov\. 2026 10:42 UTC$/);
  });

  it('names calendar days as the zone lives them', () => {
    const lateEvening = new Date('2026-11-24T23:30:00Z');
    expect(isoDay(lateEvening)).toBe('2026-11-24');
    expect(isoDay(lateEvening, 'Europe/Berlin')).toBe('2026-11-25');
    expect(isoDay(lateEvening, 'America/Los_Angeles')).toBe('2026-11-24');
    expect(day(lateEvening, { timeZone: 'Europe/Berlin' })).toBe('25 Nov 2026');
    expect(day(lateEvening)).toBe('24 Nov 2026');
  });
});
