/**
 * A time as Gatehouse writes it for people (`clock()` in human-time.ts): "23:40 UTC" on the
 * same day, "2026-12-01 00:10 UTC" on another. A test that reads a time an hour ahead (when a
 * limit lifts) runs into the next day between 23:00 and midnight, so it accepts both.
 */
export const CLOCK = String.raw`(?:\d{4}-\d\d-\d\d )?\d\d:\d\d UTC`;
