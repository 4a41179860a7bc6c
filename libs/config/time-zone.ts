import { DAY, MINUTE } from '../domain/local-time';
const formatters = new Map<string, Intl.DateTimeFormat>();

/** How far ahead a zone's offset is looked at: workflows started now keep it for days to weeks. */
const YEARS_AHEAD = 10;

/** An offset in minutes as text: +08:00, -03:30. */
export function offsetText(minutes: number): string {
  const hours = String(Math.floor(Math.abs(minutes) / 60)).padStart(2, '0');
  return `${minutes < 0 ? '-' : '+'}${hours}:${String(Math.abs(minutes) % 60).padStart(2, '0')}`;
}

/** An instant as local ISO 8601 time with its offset, e.g. 2026-11-26T11:00:00+08:00. */
export function zonedIso(at: number, timeZone: string): string {
  const offset = utcOffsetMinutes(timeZone, at);
  return `${new Date(at + offset * MINUTE).toISOString().slice(0, 19)}${offsetText(offset)}`;
}

/** The UTC offset of an IANA time zone at an instant, in minutes (Asia/Shanghai: +480). */
export function utcOffsetMinutes(timeZone: string, at: number = Date.now()): number {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // Building a formatter is costly; one per zone serves every request.
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    formatters.set(timeZone, formatter);
  }
  const name = formatter.formatToParts(new Date(at)).find((part) => part.type === 'timeZoneName')?.value;
  const match = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name ?? '');
  if (!match) return 0; // "GMT" alone is UTC
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3] ?? 0));
}

export interface OffsetChange {
  /** The first day (at the hour of `from`) seen on the new offset. */
  at: number;
  from: number;
  to: number;
}

/**
 * The first change of a zone's UTC offset in the next ten years (daylight saving, or a new standard
 * offset), looked up day by day; undefined for a zone that keeps one offset. Workflows compute
 * slots, deadlines and releases with the offset they started with, so only such a zone is supported.
 */
export function nextOffsetChange(timeZone: string, from: number = Date.now()): OffsetChange | undefined {
  const first = utcOffsetMinutes(timeZone, from);
  for (let at = from + DAY; at <= from + YEARS_AHEAD * 366 * DAY; at += DAY) {
    const offset = utcOffsetMinutes(timeZone, at);
    if (offset !== first) return { at, from: first, to: offset };
  }
  return undefined;
}
