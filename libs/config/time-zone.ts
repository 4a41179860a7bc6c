const formatters = new Map<string, Intl.DateTimeFormat>();

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
