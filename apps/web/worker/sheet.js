// The 14-day sheet (一人一表) as the office keeps it: one row a day of the period, the morning and
// afternoon temperatures (by the local time the reading was taken), symptoms and what else the day
// logged; above it the temperatures as a chart with the fever line. Printable on A4 (worker.css).
import { fill, h, svg } from '/app/shared/dom.js';

const DAY_MS = 86_400_000;
/** Lines the sheet does not list as notes: readings have their own columns, reminders are routine. */
const NOT_NOTES = new Set(['report', 'reminder']);

/** The local date (YYYY-MM-DD) and hour of an instant in the time zone. */
function localParts(iso, timeZone) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(iso)).map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) };
}

const addDays = (date, days) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** The sheet's rows, day 1 to the period's last day, from the tracking log. */
export function sheetRows(trackingLog, periodDays, timeZone) {
  const rows = Array.from({ length: periodDays }, (_, i) => ({ day: i + 1, date: undefined, morning: undefined, afternoon: undefined, symptoms: new Set(), notes: [] }));
  let known;
  for (const line of trackingLog) {
    const row = rows[line.day - 1];
    if (!row) continue;
    const { date, hour } = localParts(line.at, timeZone);
    row.date ??= date;
    known ??= { day: line.day, date };
    const half = hour < 12 ? 'morning' : 'afternoon';
    if (line.kind === 'report' && line.temperature !== null) {
      row[half] = { temperature: line.temperature, fever: Boolean(line.detail?.fever), channel: line.detail?.channel };
      for (const symptom of line.detail?.symptoms ?? []) row.symptoms.add(symptom);
    } else if (line.kind === 'missed_report' && line.slotStart) {
      const slotHalf = localParts(line.slotStart, timeZone).hour < 12 ? 'morning' : 'afternoon';
      row[slotHalf] ??= { missed: true };
    } else if (!NOT_NOTES.has(line.kind)) row.notes.push(line.kind);
  }
  // Days with no line yet get their date counted from a day that has one.
  if (known) for (const row of rows) row.date ??= addDays(known.date, row.day - known.day);
  return rows;
}

export function renderSheet(app, element, record, threshold) {
  const { t, term } = app.shell;
  const periodDays = record.state?.periodDays ?? 14;
  const rows = sheetRows(record.trackingLog, periodDays, app.timeZone);
  const reading = (cell) => {
    if (!cell) return h('td', { class: 'num muted' }, '');
    if (cell.missed) return h('td', { class: 'num missed' }, t('sheet.missed'));
    return h('td', { class: `num ${cell.fever ? 'fever' : ''}`, title: cell.channel ? t(`channel.${cell.channel}`) : undefined }, cell.temperature.toFixed(1));
  };
  fill(
    element,
    h('div', { class: 'panel-head' }, h('h2', {}, t('sheet.title')), h('button', { type: 'button', class: 'secondary no-print', onclick: () => window.print() }, t('sheet.print'))),
    h(
      'p',
      { class: 'muted sheet-person' },
      t('sheet.person', { name: record.person.name, number: record.observation.number, category: term('category', record.observation.category), anchor: record.observation.anchorDate }),
    ),
    h('div', { class: 'chart-wrap' }, chart(app, rows, threshold)),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'grid sheet-table', 'data-testid': 'sheet-table' },
        h('thead', {}, h('tr', {}, [t('sheet.day'), t('sheet.date'), t('sheet.morning'), t('sheet.afternoon'), t('sheet.symptoms'), t('sheet.notes')].map((label) => h('th', {}, label)))),
        h(
          'tbody',
          {},
          rows.map((row) =>
            h(
              'tr',
              { 'data-day': row.day },
              h('td', { class: 'num' }, row.day),
              h('td', {}, row.date ? row.date.slice(5) : ''),
              reading(row.morning),
              reading(row.afternoon),
              h('td', { class: 'wrap' }, [...row.symptoms].map((s) => term('symptom', s)).join('、')),
              h('td', { class: 'wrap' }, row.notes.map((kind) => term('log', kind)).join('、')),
            ),
          ),
        ),
      ),
    ),
  );
}

/** The readings as an inline SVG: two points a day, the fever line dashed; all labels are text nodes. */
function chart(app, rows, threshold) {
  const { t } = app.shell;
  const points = rows.flatMap((row, i) => ['morning', 'afternoon'].map((half, j) => ({ x: i * 2 + j, cell: row[half] }))).filter((p) => p.cell && !p.cell.missed);
  const temperatures = points.map((p) => p.cell.temperature);
  const low = Math.floor(Math.min(35.5, ...temperatures) * 2) / 2;
  const high = Math.ceil(Math.max(39.5, threshold + 0.5, ...temperatures) * 2) / 2;
  const width = 480;
  const height = 200;
  const left = 32;
  const right = 12;
  const top = 12;
  const bottom = 28;
  const step = (width - left - right) / (rows.length * 2);
  const x = (slot) => left + (slot + 0.5) * step;
  const y = (temperature) => top + ((high - temperature) / (high - low)) * (height - top - bottom);
  const ticks = [];
  for (let v = low; v <= high + 1e-9; v += 0.5) ticks.push(v);
  return svg(
    'svg',
    { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': t('sheet.chart'), 'data-testid': 'sheet-chart' },
    ticks.map((v) => [
      svg('line', { x1: left, x2: width - right, y1: y(v), y2: y(v), class: Number.isInteger(v) ? 'grid-major' : 'grid-minor' }),
      Number.isInteger(v) ? svg('text', { x: left - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, v.toFixed(0)) : null,
    ]),
    rows.map((row, i) => [
      svg('line', { x1: left + i * 2 * step, x2: left + i * 2 * step, y1: top, y2: height - bottom, class: 'grid-day' }),
      svg('text', { x: left + (i * 2 + 1) * step, y: height - 10, class: 'axis', 'text-anchor': 'middle' }, row.day),
    ]),
    svg('line', { x1: left, x2: width - right, y1: y(threshold), y2: y(threshold), class: 'fever-line', 'data-testid': 'fever-line' }),
    svg('text', { x: width - right - 4, y: y(threshold) - 5, class: 'fever-label', 'text-anchor': 'end' }, t('sheet.feverLine', { threshold: threshold.toFixed(1) })),
    points.length > 1 ? svg('polyline', { points: points.map((p) => `${x(p.x)},${y(p.cell.temperature)}`).join(' '), class: 'reading-line' }) : null,
    points.map((p) => svg('circle', { cx: x(p.x), cy: y(p.cell.temperature), r: 4, class: p.cell.temperature >= threshold ? 'reading fever' : 'reading' }, svg('title', {}, `${p.cell.temperature.toFixed(1)} °C`))),
  );
}
