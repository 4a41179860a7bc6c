// The transfer, roster and daily-report sources. Each is read through its own API route; when the
// route is not deployed, or not open to the logged-in person's role or jurisdiction, the dashboard
// says so and shows no numbers for it.
import { forbidden, getJson, problemDetail, routeMissing } from '/app/shared/api.js';
import { fill, h, table } from '/app/shared/dom.js';

export const ROUTES = {
  transfers: '/transfer-runs',
  shifts: '/shifts',
  dailyReport: '/reports/daily',
};

function outcome(result, route) {
  if (routeMissing(result)) return { state: 'unavailable', route };
  if (forbidden(result)) return { state: 'forbidden', message: result.body?.detail };
  if (!result.ok) return { state: 'error', message: problemDetail(result) };
  return undefined;
}

const RUN_COUNTS = ['travellers', 'waiting', 'onBoard', 'handedOver', 'openExceptions'];

/** Running transfer runs and their live counts (as the runs last recorded them). */
export async function loadTransfers() {
  const result = await getJson(`${ROUTES.transfers}?status=running&pageSize=100`);
  const failed = outcome(result, ROUTES.transfers);
  if (failed) return failed;
  const runs = result.body.items ?? [];
  const totals = Object.fromEntries(RUN_COUNTS.map((key) => [key, runs.reduce((n, run) => n + (Number(run.counts?.[key]) || 0), 0)]));
  return { state: 'ok', runs, total: result.body.total ?? runs.length, totals };
}

const ON_POST = ['on_duty', 'handing_over'];
/** The most a list route answers in one page. */
const LARGEST_PAGE = 500;

/** Every item of a list route (`{ items, page, pageSize, total }`), read a page at a time; the first failed answer as it is. */
async function getEveryPage(url) {
  const items = [];
  for (let page = 1; ; page += 1) {
    const result = await getJson(`${url}${url.includes('?') ? '&' : '?'}page=${page}&pageSize=${LARGEST_PAGE}`);
    if (!result.ok) return result;
    items.push(...result.body.items);
    if (items.length >= result.body.total || !result.body.items.length) return { ...result, body: { ...result.body, items } };
  }
}

/**
 * Posts with a shift now: a post is covered when every seat of its current shift has someone
 * checked in; a seat not checked in after its start, a no-show or an unfilled seat leaves it uncovered.
 */
export async function loadPosts(today, yesterday, now = Date.now()) {
  // A night shift that began yesterday may still be running.
  const results = await Promise.all([today, yesterday].map((date) => getEveryPage(`${ROUTES.shifts}?date=${date}`)));
  for (const result of results) {
    const failed = outcome(result, ROUTES.shifts);
    if (failed) return failed;
  }
  const byPost = new Map();
  for (const shift of results.flatMap((result) => result.body.items)) {
    const current = shift.status === 'published' && Date.parse(shift.startAt) <= now && (Date.parse(shift.endAt) > now || ON_POST.includes(shift.dutyState));
    if (!current) continue;
    const post = byPost.get(shift.postId) ?? { postId: shift.postId, jurisdiction: shift.jurisdiction, seats: 0, onDuty: 0, shifts: [] };
    post.seats += 1;
    if (shift.staffId !== null && ON_POST.includes(shift.dutyState)) post.onDuty += 1;
    // The shifts themselves, so a post opens its current shift (one per seat) in the drawer.
    post.shifts.push({ id: shift.id, seatNo: shift.seatNo, staffId: shift.staffId, dutyState: shift.dutyState, startAt: shift.startAt });
    byPost.set(shift.postId, post);
  }
  const posts = [...byPost.values()].map((post) => ({ ...post, shifts: post.shifts.sort((a, b) => a.seatNo - b.seatNo || Date.parse(a.startAt) - Date.parse(b.startAt)), covered: post.onDuty >= post.seats }));
  posts.sort((a, b) => Number(a.covered) - Number(b.covered) || a.postId.localeCompare(b.postId));
  return { state: 'ok', posts, covered: posts.filter((p) => p.covered).length, uncovered: posts.filter((p) => !p.covered).length };
}

export async function loadDailyReport(date) {
  const result = await getJson(`${ROUTES.dailyReport}/${encodeURIComponent(date)}`);
  if (result.status === 404 && !routeMissing(result)) return { state: 'missing', date };
  return outcome(result, ROUTES.dailyReport) ?? { state: 'ok', report: result.body };
}

/** The calm notice for data the person's role or jurisdiction does not cover; the API's reason on hover. */
export function forbiddenNotice(t, message) {
  return h('div', { class: 'notice', 'data-testid': 'forbidden', title: message || undefined }, h('strong', {}, t('forbidden')), h('span', {}, t('forbidden.detail')));
}

/** The notice for a source that is not there, not for this person, or failed; undefined when it has data. */
export function notice(source, t) {
  if (!source) return h('p', { class: 'muted' }, t('live.loading'));
  if (source.state === 'unavailable') {
    return h('div', { class: 'unavailable', 'data-testid': 'unavailable' }, h('strong', {}, t('unavailable')), h('span', {}, t('unavailable.detail', { route: source.route })));
  }
  if (source.state === 'forbidden') return forbiddenNotice(t, source.message);
  if (source.state === 'error') return h('p', { class: 'error' }, t('error.source', { message: source.message }));
  return undefined;
}

/** A table row that opens a drill-down on a click or Enter; `selected` marks the one open now. */
function openableRow(open, selected, attributes, ...cells) {
  return h(
    'tr',
    { ...attributes, class: `openable ${selected ? 'selected' : ''}`, tabindex: 0, onclick: open, onkeydown: (event) => event.key === 'Enter' && event.target === event.currentTarget && open() },
    cells,
  );
}

/** A run id is a UUID: its first part tells runs apart on screen, the whole id is on hover and in the drawer. */
export function shortId(id) {
  return String(id ?? '').split('-')[0] || '—';
}

/** `view`: { term, open(key), isOpen(key) } from the page, for the drill-down into a run. */
export function renderTransfers(element, source, t, view) {
  const blocked = notice(source, t);
  if (blocked) return fill(element, blocked);
  if (!source.runs.length) return fill(element, h('p', { class: 'muted' }, t('transfers.none')));
  fill(
    element,
    source.total > source.runs.length ? h('p', { class: 'muted' }, t('transfers.firstOf', { n: source.runs.length })) : null,
    table(
      [t('transfers.run'), t('transfers.kind'), t('transfers.dispatcher'), ...RUN_COUNTS.map((key) => t(`transfers.${key}`))],
      source.runs.map((run) => {
        const key = `run:${run.runId}`;
        return openableRow(
          () => view.open(key),
          view.isOpen(key),
          { 'data-run': run.runId, title: t('drawer.openHint') },
          h('td', { class: 'mono link', title: run.runId }, shortId(run.runId)),
          h('td', {}, view.term('runKind', run.kind)),
          h('td', {}, run.dispatcher),
          RUN_COUNTS.map((key) => h('td', { class: `num ${key === 'openExceptions' && run.counts?.[key] ? 'warn-text' : ''}` }, run.counts?.[key] ?? 0)),
        );
      }),
      { 'data-testid': 'transfer-runs' },
    ),
  );
}

/** A post's row opens its (first) current shift; with several seats each seat has its own button. */
export function renderPosts(element, source, t, view) {
  const blocked = notice(source, t);
  if (blocked) return fill(element, blocked);
  if (!source.posts.length) return fill(element, h('p', { class: 'muted' }, t('posts.none')));
  fill(
    element,
    table(
      [t('posts.post'), t('filter.community'), t('posts.seats'), t('posts.onDuty'), t('posts.state'), t('posts.shifts')],
      source.posts.map((post) =>
        openableRow(
          () => view.open(`shift:${post.shifts[0].id}`),
          post.shifts.some((shift) => view.isOpen(`shift:${shift.id}`)),
          { 'data-post': post.postId, title: t('drawer.openHint') },
          h('td', { class: 'mono link' }, post.postId),
          h('td', {}, post.jurisdiction),
          h('td', { class: 'num' }, post.seats),
          h('td', { class: 'num' }, post.onDuty),
          h('td', {}, h('span', { class: `badge ${post.covered ? 'ok' : 'alert'}` }, t(post.covered ? 'posts.covered' : 'posts.uncovered'))),
          h('td', { class: 'seats' }, seatButtons(post, t, view)),
        ),
      ),
      { 'data-testid': 'post-list' },
    ),
  );
}

/** One button per current shift of a post: seat number and duty state; the open one is pressed. */
export function seatButtons(post, t, view) {
  return post.shifts.map((shift) => {
    const key = `shift:${shift.id}`;
    return h(
      'button',
      {
        type: 'button',
        class: `seat duty-${shift.dutyState}`,
        'data-shift': shift.id,
        'aria-pressed': String(view.isOpen(key)),
        title: shift.id,
        onclick: (event) => {
          event.stopPropagation();
          view.open(key);
        },
        onkeydown: (event) => event.stopPropagation(),
      },
      t('posts.seat', { n: shift.seatNo }),
      ' · ',
      view.term('duty', shift.dutyState),
    );
  });
}

/** The report's sections as labelled numbers; keys without a label show as they are. */
export function renderDailyReport(element, source, t, term, formatTime) {
  if (source?.state === 'missing') return fill(element, h('p', { class: 'muted' }, t('report.missing', { date: source.date })));
  const blocked = notice(source, t);
  if (blocked) return fill(element, blocked);
  const report = source.report;
  const numbers = (entries) =>
    h(
      'dl',
      { class: 'numbers' },
      entries.filter(([, value]) => typeof value === 'number').map(([label, value]) => h('div', {}, h('dt', {}, label), h('dd', {}, value))),
    );
  const observations = report.observations ?? {};
  const shifts = report.shifts ?? {};
  const shiftKeys = { seats: 'report.seats', covered: 'report.covered', coveredByCover: 'report.coveredByCover', missed: 'report.missedShifts', noShows: 'report.noShows', unfilled: 'report.unfilled', handedOver: 'report.handedOver', cancelled: 'report.cancelled', incidents: 'report.incidents' };
  const transferGroups = Object.entries(report.transfers ?? {}).filter(([, value]) => value && typeof value === 'object');
  fill(
    element,
    h('p', { class: 'muted' }, t('report.generatedAt', { time: formatTime(report.generatedAt) })),
    h(
      'div',
      { class: 'report-sections' },
      h(
        'section',
        {},
        h('h3', {}, t('report.observations')),
        numbers([
          [t('report.enrolled'), observations.enrolled],
          [t('report.released'), observations.released],
          ...Object.entries(observations.byStatus ?? {}).map(([status, n]) => [term('status', status), n]),
        ]),
      ),
      h('section', {}, h('h3', {}, t('report.transfers')), transferGroups.length ? transferGroups.map(([group, counts]) => [h('h4', {}, group), numbers(Object.entries(counts))]) : h('p', { class: 'muted' }, t('panel.none'))),
      h('section', {}, h('h3', {}, t('report.shifts')), numbers(Object.entries(shiftKeys).map(([key, label]) => [t(label), shifts[key]]))),
    ),
  );
}
