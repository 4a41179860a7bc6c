const formatters = new Map<string, Intl.DateTimeFormat>();

/** An instant as local ISO 8601 time with its offset, e.g. 2026-11-26T11:00:00+08:00. */
export function zonedIso(at: number, timeZone: string): string {
  const offset = utcOffsetMinutes(timeZone, at);
  const local = new Date(at + offset * 60_000).toISOString().slice(0, 19);
  const hours = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
  const minutes = String(Math.abs(offset) % 60).padStart(2, '0');
  return `${local}${offset < 0 ? '-' : '+'}${hours}:${minutes}`;
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
