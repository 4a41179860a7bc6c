// A post's roster as a chart (#/roster/<postId>): the days across, the post's shifts down, each seat a
// box (the rostered person; a gap, unfilled or nobody on post, marked red), from GET /roster/posts/:id
// (its shift pattern) and GET /shifts?postId&date a day at a time.
import { getJson, problemDetail } from '/app/shared/api.js';
import { fill, h, localDate, svg } from '/app/shared/dom.js';
import { field } from '/app/shared/forms.js';

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 7;
/** Seats worked or to be worked by nobody: what a supervisor must fill. */
const GAP_STATES = new Set(['missed', 'no_show']);

const addDays = (date, days) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

export async function showRoster(app, postId = '', from = localDate(Date.now(), app.timeZone), days = String(DEFAULT_DAYS)) {
  const { t } = app.shell;
  const epoch = app.epoch;
  const post = h('input', { name: 'postId', value: postId, required: true });
  const start = h('input', { name: 'from', type: 'date', value: from });
  const count = h('input', { name: 'days', type: 'number', min: 1, max: 14, value: days });
  const pick = h(
    'form',
    { class: 'form inline-form', onsubmit: (event) => (event.preventDefault(), (location.hash = `#/roster/${[post.value.trim(), start.value, count.value].map(encodeURIComponent).join('/')}`)) },
    field(t('roster.post'), post),
    field(t('roster.from'), start),
    field(t('roster.days'), count),
    h('button', { type: 'submit', class: 'secondary' }, t('roster.show')),
  );
  const body = h('div', {});
  fill(app.view, h('section', { class: 'panel' }, h('h2', {}, t('roster.title')), pick), body);
  if (!postId) return;
  fill(body, h('p', { class: 'muted' }, t('loading')));
  const dates = Array.from({ length: Math.min(Math.max(Number(days) || DEFAULT_DAYS, 1), 14) }, (_, i) => addDays(from, i));
  const [postResult, ...dayResults] = await Promise.all([getJson(`/roster/posts/${encodeURIComponent(postId)}`), ...dates.map((date) => getJson(`/shifts?postId=${encodeURIComponent(postId)}&date=${date}&pageSize=200`))]);
  if (epoch !== app.epoch) return;
  const failed = [postResult, ...dayResults].find((r) => !r.ok);
  if (failed) return fill(body, h('p', { class: 'notice-alert' }, t('error.load', { message: problemDetail(failed) })));
  const shifts = dayResults.flatMap((r) => r.body.items);
  fill(body, h('section', { class: 'panel', 'data-testid': 'roster' }, h('div', { class: 'panel-head' }, h('h2', {}, `${postResult.body.name} · ${postResult.body.jurisdiction}`), summary(app, shifts)), rosterChart(app, postResult.body, dates, shifts)));
}

const isGap = (shift) => shift.status === 'published' && (!shift.staffId || GAP_STATES.has(shift.dutyState));

function summary(app, shifts) {
  const seats = shifts.filter((s) => s.status === 'published');
  return h('span', { class: `badge ${seats.some(isGap) ? 'alert' : 'ok'}`, 'data-testid': 'roster-gaps' }, app.shell.t('roster.gaps', { gaps: seats.filter(isGap).length, seats: seats.length }));
}

const CELL_W = 150;
const ROW_H = 56;
const LEFT = 90;
const HEAD = 26;

function rosterChart(app, post, dates, shifts) {
  const { t } = app.shell;
  if (!shifts.length) return h('p', { class: 'muted' }, t('roster.none'));
  const slots = [...new Set([...post.pattern.map((_, i) => i), ...shifts.map((s) => s.slot)])].sort((a, b) => a - b);
  const width = LEFT + dates.length * CELL_W;
  const height = HEAD + slots.length * ROW_H;
  const cells = shifts.map((shift) => {
    const column = dates.indexOf(shift.shiftDate);
    const row = slots.indexOf(shift.slot);
    const seatsHere = shifts.filter((s) => s.shiftDate === shift.shiftDate && s.slot === shift.slot).length;
    const seatH = (ROW_H - 8) / seatsHere;
    const x = LEFT + column * CELL_W + 4;
    const y = HEAD + row * ROW_H + 4 + (shift.seatNo - 1) * seatH;
    const kind = shift.status === 'cancelled' ? 'cancelled' : isGap(shift) ? 'gap' : 'filled';
    const text = kind === 'cancelled' ? t('roster.cancelled') : shift.staffId ? `${shift.staffName ?? shift.staffId}${isGap(shift) ? ` · ${app.shell.term('duty', shift.dutyState)}` : ''}` : t('roster.gap');
    return svg(
      'g',
      { class: `seat ${kind}`, 'data-shift': shift.id },
      svg('rect', { x, y, width: CELL_W - 8, height: seatH - 3, rx: 4 }),
      svg('text', { x: x + 6, y: y + Math.min(seatH - 3, 22) / 2 + 4 }, text.length > 18 ? `${text.slice(0, 17)}…` : text),
      svg('title', {}, `${shift.shiftDate} ${app.time(shift.startAt, 'clock')}–${app.time(shift.endAt, 'clock')} · ${text}${shift.unfilledReason ? ` · ${shift.unfilledReason}` : ''}`),
    );
  });
  return h(
    'div',
    { class: 'chart-wrap' },
    svg(
      'svg',
      { viewBox: `0 0 ${width} ${height}`, class: 'chart roster-chart', style: `min-width: ${Math.min(width, 900)}px`, role: 'img', 'data-testid': 'roster-chart' },
      dates.map((date, i) => svg('text', { x: LEFT + i * CELL_W + CELL_W / 2, y: 17, class: 'axis', 'text-anchor': 'middle' }, date.slice(5))),
      slots.map((slot, i) => [
        svg('line', { x1: 0, x2: width, y1: HEAD + i * ROW_H, y2: HEAD + i * ROW_H, class: 'grid-major' }),
        svg('text', { x: 4, y: HEAD + i * ROW_H + ROW_H / 2 + 4, class: 'axis' }, post.pattern[slot] ? `${post.pattern[slot].start} · ${post.pattern[slot].hours}h` : t('roster.slot', { slot })),
      ]),
      cells,
    ),
    h('ul', { class: 'legend' }, ['filled', 'gap', 'cancelled'].map((kind) => h('li', {}, h('span', { class: `swatch seat-${kind}` }), t(`roster.${kind}`)))),
  );
}
