/**
 * Durations and the jurisdiction's wall clock, in epoch milliseconds with a fixed UTC offset (the
 * jurisdiction's; zones with daylight saving are refused at start, libs/config/time-zone.ts). Pure,
 * so workflows, activities, the API and the tests share one definition and replay identically.
 */
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar date written YYYY-MM-DD (2026-02-30 is not one). */
export function isDate(value: unknown): value is string {
  return typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
}

/** The instant a local date (YYYY-MM-DD) begins. */
export function localMidnight(date: string, utcOffsetMinutes: number): number {
  return Date.parse(`${date}T00:00:00Z`) - utcOffsetMinutes * MINUTE;
}

/** The local date (YYYY-MM-DD) of an instant. */
export function localDate(at: number, utcOffsetMinutes: number): string {
  return new Date(at + utcOffsetMinutes * MINUTE).toISOString().slice(0, 10);
}

/** Local wall-clock text of an instant: 'HH:MM', or 'YYYY-MM-DD HH:MM' with the date. */
export function localTime(at: number, utcOffsetMinutes: number, withDate = false): string {
  const iso = new Date(at + utcOffsetMinutes * MINUTE).toISOString();
  return withDate ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

/** Every date from `from` to `to`, both included. */
export function datesBetween(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let date = from; date <= to; date = addDays(date, 1)) dates.push(date);
  return dates;
}
