// The daily reports (日报) of the last 7 days: where each is on its way up (GET /reports/daily:
// pending, missing, sent, received, late) with "mark received" for a district account, and above them
// the days as charts (inline SVG) from each generated report (GET /reports/daily/:date): the
// observations by status, the shifts covered and missed.
import { command, getJson, problemDetail } from '/app/shared/api.js';
import { fill, h, svg, table } from '/app/shared/dom.js';

const STATUSES = ['active', 'escalated', 'released', 'ended'];
const STATE_BADGES = { pending: '', missing: 'alert', sent: 'warn', received: 'ok' };

export async function showReport(app) {
  const { t } = app.shell;
  const epoch = app.epoch;
  fill(app.view, h('p', { class: 'muted' }, t('loading')));
  const result = await getJson('/reports/daily');
  if (epoch !== app.epoch) return;
  if (!result.ok) return fill(app.view, h('p', { class: 'notice-alert' }, result.status === 403 ? t('error.districtOnly') : t('error.load', { message: problemDetail(result) })));
  const days = [...result.body].sort((a, b) => a.date.localeCompare(b.date));
  const reports = await Promise.all(days.map(async (day) => (day.generatedAt ? (await getJson(`/reports/daily/${encodeURIComponent(day.date)}`)).body : undefined)));
  if (epoch !== app.epoch) return;
  const labels = days.map((d) => d.date.slice(5));
  const observations = STATUSES.map((status) => ({ label: app.shell.term('status', status), className: `s-${status}`, values: reports.map((r) => r?.observations.byStatus[status] ?? 0) }));
  const shifts = [
    { label: t('report.covered'), className: 's-covered', values: reports.map((r) => r?.shifts.covered ?? 0) },
    { label: t('report.missed'), className: 's-missed', values: reports.map((r) => r?.shifts.missed ?? 0) },
  ];
  fill(
    app.view,
    h(
      'div',
      { class: 'charts' },
      h('section', { class: 'panel' }, h('h2', {}, t('report.observations')), barChart(labels, observations, { stacked: true, testid: 'chart-observations', missing: reports.map((r) => !r), t })),
      h('section', { class: 'panel' }, h('h2', {}, t('report.shifts')), barChart(labels, shifts, { stacked: false, testid: 'chart-shifts', missing: reports.map((r) => !r), t })),
    ),
    h('section', { class: 'panel' }, h('h2', {}, t('report.title')), h('div', { class: 'table-wrap' }, table([t('report.date'), t('report.state'), t('report.due'), t('report.sentAt'), t('report.receivedAt'), ''], [...days].reverse().map((day) => dayRow(app, day)), { 'data-testid': 'daily-reports' }))),
  );
}

function dayRow(app, day) {
  const { t, term } = app.shell;
  const outcome = h('span', { role: 'status' });
  const mark = async (event) => {
    event.target.disabled = true;
    const result = await command(`/reports/daily/${encodeURIComponent(day.date)}/received`);
    if (result.ok) return showReport(app);
    event.target.disabled = false;
    outcome.className = 'error';
    outcome.textContent = result.status === 0 ? t('error.network') : t('error.failed', { message: problemDetail(result) });
  };
  return h(
    'tr',
    { 'data-date': day.date },
    h('td', {}, day.date),
    h('td', {}, h('span', { class: `badge ${STATE_BADGES[day.state]}`, 'data-testid': 'report-state' }, term('reportState', day.state)), day.late ? [' ', h('span', { class: 'badge alert' }, t('report.late'))] : null),
    h('td', {}, app.time(day.dueAt)),
    h('td', {}, app.time(day.sentAt)),
    h('td', {}, day.receivedAt ? `${app.time(day.receivedAt)} · ${day.receivedBy}` : '—'),
    h('td', {}, day.state === 'sent' ? h('button', { type: 'button', class: 'secondary', 'data-action': 'received', onclick: mark }, t('report.markReceived')) : null, outcome),
  );
}

const WIDTH = 560;
const HEIGHT = 220;
const PAD = { left: 36, right: 8, top: 12, bottom: 28 };
/** A day without a generated report: marked, not drawn as zero. */
const NO_DATA = '—';

/**
 * Bars a day each, the series stacked or side by side, with a legend; a day without a generated
 * report is marked as such rather than drawn as zero.
 */
function barChart(labels, series, { stacked, testid, missing, t }) {
  const totals = labels.map((_, i) => (stacked ? series.reduce((sum, s) => sum + s.values[i], 0) : Math.max(...series.map((s) => s.values[i]))));
  const top = niceTop(Math.max(1, ...totals));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const band = plotW / labels.length;
  const y = (value) => PAD.top + plotH - (value / top) * plotH;
  const ticks = [0, top / 2, top].filter(Number.isInteger);
  const bars = labels.flatMap((label, i) => {
    const x0 = PAD.left + i * band + band * 0.15;
    const width = band * 0.7;
    if (missing[i]) return [svg('text', { x: x0 + width / 2, y: PAD.top + plotH - 4, class: 'axis', 'text-anchor': 'middle' }, NO_DATA, svg('title', {}, `${label} ${t('report.noData')}`))];
    let base = 0;
    return series.map((s, k) => {
      const value = s.values[i];
      const rect = stacked
        ? svg('rect', { x: x0, y: y(base + value), width, height: y(base) - y(base + value), class: s.className }, svg('title', {}, `${label} ${s.label}: ${value}`))
        : svg('rect', { x: x0 + (k * width) / series.length, y: y(value), width: width / series.length - 2, height: y(0) - y(value), class: s.className }, svg('title', {}, `${label} ${s.label}: ${value}`));
      base += value;
      return rect;
    });
  });
  return h(
    'div',
    { class: 'chart-wrap' },
    svg(
      'svg',
      { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'chart bars', role: 'img', 'data-testid': testid },
      ticks.map((v) => [svg('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(v), y2: y(v), class: 'grid-major' }), svg('text', { x: PAD.left - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, v)]),
      bars,
      labels.map((label, i) => svg('text', { x: PAD.left + i * band + band / 2, y: HEIGHT - 8, class: 'axis', 'text-anchor': 'middle' }, label)),
    ),
    h('ul', { class: 'legend' }, series.map((s) => h('li', {}, h('span', { class: `swatch ${s.className}` }), s.label)), missing.some(Boolean) ? h('li', {}, `${NO_DATA} ${t('report.noData')}`) : null),
  );
}

/** A round top for the axis: 1, 2 or 5 times a power of ten, at least the largest value. */
function niceTop(max) {
  const power = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * power).find((v) => v >= max);
}
