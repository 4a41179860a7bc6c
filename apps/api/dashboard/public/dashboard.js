// The supervisors' dashboard: polls the API every few seconds and redraws the parts in place, so
// filters, paging, the open drill-down and the language survive every refresh (and a reload: they
// live in the URL). It needs a login: the session cookie set by POST /auth/login carries the reads;
// until then, and whenever the API answers 401 later, the page shows the login form instead.
import { forbidden, getJson, postJson, problemDetail, whenUnauthenticated } from '/app/shared/api.js';
import { fill, formatTime, h, table } from '/app/shared/dom.js';
import { facts, renderRun, renderShift, renderTrip } from './drawers.js';
import { LANGUAGES, term as termIn, translate } from './i18n.js';
import { forbiddenNotice, loadDailyReport, loadPosts, loadTransfers, renderDailyReport, renderPosts, renderTransfers, shortId } from './sources.js';

const REFRESH_MS = 5000;
const STATUSES = ['active', 'escalated', 'released', 'ended'];
const CATEGORIES = ['A', 'B', 'C', 'D'];
const FILTERS = ['subdistrict', 'community', 'category', 'status', 'dueToday', 'overdue'];
const PAGE_SIZES = [20, 50, 100];

const state = readUrl();
const emptyData = () => ({
  summary: undefined,
  summaryDenied: undefined, // the API's reason when the counts are not for this person's role
  list: undefined,
  detail: undefined,
  transfers: undefined,
  posts: undefined,
  report: undefined,
  lastUpdate: undefined,
  failing: false,
});
const data = emptyData();
/**
 * Who is logged in (undefined: nobody, or not known yet). The epoch changes with every login and
 * logout, so answers to requests sent before it are dropped instead of drawn.
 */
const session = { user: undefined, checked: false, epoch: 0, note: undefined, error: undefined, busy: false };
const $ = (id) => document.getElementById(id);

const t = (key, params) => translate(state.lang, key, params);
const term = (group, value) => termIn(state.lang, group, value);
const timeZone = () => data.summary?.timeZone ?? 'Asia/Shanghai';
const time = (iso, style) => formatTime(iso, state.lang, timeZone(), style);

// ---------------------------------------------------------------------------------------------
// State in the URL

function readUrl() {
  const params = new URLSearchParams(location.search);
  const stored = localStorage.getItem('epi-dashboard-lang');
  const lang = LANGUAGES.find((l) => l === params.get('lang')) ?? LANGUAGES.find((l) => l === stored) ?? 'zh-CN';
  const filters = {};
  for (const name of FILTERS) filters[name] = name === 'dueToday' || name === 'overdue' ? params.get(name) === 'true' : params.get(name) ?? '';
  const pageSize = Number(params.get('pageSize'));
  return {
    lang,
    filters,
    page: Math.max(1, Number(params.get('page')) || 1),
    pageSize: PAGE_SIZES.includes(pageSize) ? pageSize : 20,
    open: params.get('open') ?? '',
    reportDate: params.get('reportDate') ?? '',
  };
}

function writeUrl() {
  const params = new URLSearchParams();
  if (state.lang !== 'zh-CN') params.set('lang', state.lang);
  for (const name of FILTERS) if (state.filters[name]) params.set(name, String(state.filters[name]));
  if (state.page > 1) params.set('page', String(state.page));
  if (state.pageSize !== 20) params.set('pageSize', String(state.pageSize));
  if (state.open) params.set('open', state.open);
  if (state.reportDate) params.set('reportDate', state.reportDate);
  const query = params.toString();
  history.replaceState(null, '', query ? `?${query}` : location.pathname);
}

/**
 * What the drawer shows, from the URL's `open`: an observation (its number as it is, the form of
 * older links, or `obs:<number>`), `run:<runId>`, `trip:<runId>/<tripId>` or `shift:<shiftId>`.
 */
function parseOpen(open) {
  if (!open) return undefined;
  const match = /^(obs|run|trip|shift):(.+)$/.exec(open);
  if (!match) return { kind: 'observation', id: open };
  const [, kind, id] = match;
  if (kind === 'obs') return { kind: 'observation', id };
  if (kind !== 'trip') return { kind, id };
  const slash = id.indexOf('/');
  return slash > 0 && slash < id.length - 1 ? { kind, id, runId: id.slice(0, slash), tripId: id.slice(slash + 1) } : { kind, id, runId: id, tripId: '' };
}

const opened = () => parseOpen(state.open);

/** Filter parts the person's jurisdiction fixes are dropped: their own value is implied, another (a shared link) would be refused. */
function fitFiltersToUser(user) {
  if (user.subdistrict && state.filters.subdistrict) state.filters.subdistrict = '';
  if (user.community && state.filters.community) state.filters.community = '';
}

function scopeQuery() {
  const params = new URLSearchParams();
  for (const name of ['subdistrict', 'community']) if (state.filters[name]) params.set(name, state.filters[name]);
  return params.toString();
}

function listQuery() {
  const params = new URLSearchParams();
  for (const name of FILTERS) if (state.filters[name]) params.set(name, String(state.filters[name]));
  params.set('page', String(state.page));
  params.set('pageSize', String(state.pageSize));
  return params.toString();
}

// ---------------------------------------------------------------------------------------------
// Loading

let running = false;
let again = false;

/** One refresh of everything shown; a refresh asked for while one runs follows it. Nothing without a login. */
async function refresh() {
  if (!session.user) return;
  if (running) {
    again = true;
    return;
  }
  running = true;
  const epoch = session.epoch;
  try {
    // The sources need the jurisdiction's date, which the summary brings.
    const results = await Promise.all([loadSummary(epoch).then(async (ok) => [ok, await loadSources(epoch)]), loadList(epoch), loadDetail(epoch)]);
    if (epoch === session.epoch) {
      data.failing = results.flat().some((ok) => ok === false);
      if (!data.failing) data.lastUpdate = new Date().toISOString();
    }
  } finally {
    running = false;
    renderLive();
    if (again) {
      again = false;
      void refresh();
    }
  }
}

async function loadSummary(epoch) {
  const query = scopeQuery();
  const result = await getJson(`/dashboard/summary${query ? `?${query}` : ''}`);
  if (epoch !== session.epoch || query !== scopeQuery()) return true; // the login or the scope changed meanwhile
  if (forbidden(result)) {
    // Not this person's role (or a filter outside their jurisdiction): a notice, no numbers.
    data.summary = undefined;
    data.summaryDenied = result.body?.detail ?? '';
    renderCards();
    renderPanels();
    return true;
  }
  if (!result.ok) return false;
  data.summary = result.body;
  data.summaryDenied = undefined;
  renderFilterOptions();
  renderCards();
  renderPanels();
  return true;
}

async function loadList(epoch) {
  const query = listQuery();
  const result = await getJson(`/dashboard/observations?${query}`);
  if (epoch !== session.epoch || query !== listQuery()) return true;
  if (forbidden(result)) data.list = { denied: result.body?.detail ?? '' };
  else if (!result.ok) return false;
  else data.list = result.body;
  renderList();
  return true;
}

/** The drawer's record as the API answers for it: { ok, status, body }. */
async function fetchOpened(target) {
  const path = (...parts) => parts.map(encodeURIComponent).join('/');
  if (target.kind === 'observation') return getJson(`/observations/${path(target.id)}`);
  if (target.kind === 'run') return getJson(`/transfer-runs/${path(target.id)}`);
  if (target.kind === 'shift') return getJson(`/shifts/${path(target.id)}`);
  if (!target.tripId) return { ok: false, status: 404 };
  // The trip's live state; the run's detail adds the names, plates and the planned times.
  const [trip, run] = await Promise.all([getJson(`/transfer-runs/${path(target.runId, 'trips', target.tripId)}`), getJson(`/transfer-runs/${path(target.runId)}`)]);
  return trip.ok ? { ...trip, body: { trip: trip.body, run: run.ok ? run.body : undefined } } : trip;
}

async function loadDetail(epoch) {
  const key = state.open;
  const target = parseOpen(key);
  if (!target) return true;
  const result = await fetchOpened(target);
  if (epoch !== session.epoch || key !== state.open) return true;
  if (result.status === 404) data.detail = { key, missing: true };
  else if (forbidden(result)) data.detail = { key, denied: result.body?.detail ?? '' };
  else if (!result.ok) {
    // Kept on screen if it was read before (the live dot says the page is behind); said if never.
    if (data.detail?.key !== key || data.detail.failed) data.detail = { key, failed: problemDetail(result) };
    renderDetail();
    return false;
  } else data.detail = { ...result.body, key };
  renderDetail();
  return true;
}

async function loadSources(epoch) {
  // The summary brings the jurisdiction's date; a person it is not for reckons it in the same zone.
  const today = data.summary?.today ?? todayIn(timeZone());
  if (!state.reportDate) $('report-date').value = previousDate(today);
  const reportDate = state.reportDate || previousDate(today);
  const [transfers, posts, report] = await Promise.all([loadTransfers(), loadPosts(today, previousDate(today)), loadDailyReport(reportDate)]);
  if (epoch !== session.epoch) return true;
  Object.assign(data, { transfers, posts, report });
  renderSources();
  renderCards();
  return true;
}

function todayIn(zone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

function previousDate(date) {
  return new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------
// Rendering

function renderStatic() {
  document.documentElement.lang = state.lang;
  document.title = t('title');
  for (const element of document.querySelectorAll('[data-i18n]')) element.textContent = t(element.dataset.i18n);
  for (const button of document.querySelectorAll('[data-lang]')) button.setAttribute('aria-pressed', String(button.dataset.lang === state.lang));
  const form = $('filters');
  setOptions(form.category, CATEGORIES.map((c) => [c, term('category', c)]), state.filters.category);
  setOptions(form.status, STATUSES.map((s) => [s, term('status', s)]), state.filters.status);
  form.dueToday.checked = state.filters.dueToday;
  form.overdue.checked = state.filters.overdue;
  $('page-size').value = String(state.pageSize);
  renderFilterOptions();
  renderSession();
}

/** Options after an "any" option; the current value stays selectable even if the API no longer lists it. */
function setOptions(select, options, value) {
  const all = value && !options.some(([v]) => v === value) ? [...options, [value, value]] : options;
  fill(select, h('option', { value: '' }, t('filter.any')), all.map(([v, label]) => h('option', { value: v }, label)));
  select.value = value;
}

/** A filter the person's jurisdiction fixes: their own value only, not changeable. */
function setFixed(select, label) {
  fill(select, h('option', { value: '' }, label));
  select.value = '';
  select.disabled = true;
}

function renderFilterOptions() {
  // Every jurisdiction within the person's own, whatever the filter.
  const jurisdictions = data.summary?.jurisdictions ?? [];
  const user = session.user;
  const form = $('filters');
  const withCount = (j) => `${j.community} (${j.underObservation})`;
  form.subdistrict.disabled = false;
  form.community.disabled = false;
  if (user?.subdistrict) setFixed(form.subdistrict, user.subdistrict);
  else setOptions(form.subdistrict, [...new Set(jurisdictions.map((j) => j.subdistrict))].map((s) => [s, s]), state.filters.subdistrict);
  if (user?.community) {
    const own = jurisdictions.find((j) => j.subdistrict === user.subdistrict && j.community === user.community);
    setFixed(form.community, own ? withCount(own) : user.community);
  } else {
    const subdistrict = user?.subdistrict ?? state.filters.subdistrict;
    const communities = jurisdictions.filter((j) => !subdistrict || j.subdistrict === subdistrict);
    setOptions(form.community, communities.map((j) => [j.community, withCount(j)]), state.filters.community);
  }
}

/** A jurisdiction in words: "学院路社区 · XYL", "XYL 街道", "全区". */
function jurisdictionText(j) {
  if (!j?.subdistrict) return t('jurisdiction.district');
  if (!j.community) return t('jurisdiction.subdistrict', { subdistrict: j.subdistrict });
  return `${j.community} · ${j.subdistrict}`;
}

/** The login form or the dashboard, and who is logged in. */
function renderSession() {
  const user = session.user;
  $('login').hidden = Boolean(user) || !session.checked;
  $('dashboard').hidden = !user;
  for (const element of document.querySelectorAll('.session-only')) element.hidden = !user;
  $('user-name').textContent = user?.displayName ?? '';
  $('user-scope').textContent = user ? `${term('role', user.role)} · ${jurisdictionText(user)}` : '';
  $('logout').disabled = session.busy;
  const note = $('login-note');
  note.hidden = !session.note;
  note.textContent = session.note ? t(session.note.key, session.note.params) : '';
  const error = $('login-error');
  error.hidden = !session.error;
  error.textContent = session.error ? t(session.error.key, { ...session.error.params, until: session.error.until ? time(session.error.until, 'dateTime') : '' }) : '';
  error.title = session.error?.message ?? '';
  $('login-submit').disabled = session.busy;
  $('login-submit').textContent = t(session.busy && !user ? 'login.busy' : 'login.submit');
}

function renderLive() {
  const live = document.querySelector('.live');
  live.classList.toggle('failing', data.failing);
  const shown = data.lastUpdate ? time(data.lastUpdate, 'time') : '—';
  $('live-text').textContent = data.failing ? t('live.lost', { seconds: REFRESH_MS / 1000, time: shown }) : data.lastUpdate ? t('live.updated', { time: shown }) : t('live.loading');
}

function card(id, label, value, sub, options = {}) {
  return h(
    options.onclick ? 'button' : 'div',
    { type: options.onclick ? 'button' : undefined, class: `card ${options.tone ?? ''} ${options.active ? 'active' : ''}`, 'data-testid': `card-${id}`, title: options.onclick ? t('card.filter') : undefined, onclick: options.onclick },
    h('span', { class: 'label' }, label),
    h('span', { class: 'value', 'data-testid': `count-${id}` }, value),
    h('span', { class: 'sub' }, sub),
  );
}

/** A card for a source that may not be deployed: it then shows a dash and says so, never a number. */
function sourceCard(id, label, source, { value, sub, tone = () => '' }) {
  if (!source) return card(id, label, '…', t('live.loading'), { tone: 'quiet' });
  if (source.state === 'unavailable') return card(id, label, '—', t('unavailable'), { tone: 'quiet' });
  if (source.state === 'forbidden') return card(id, label, '—', t('forbidden'), { tone: 'quiet' });
  if (source.state === 'error') return card(id, label, '!', t('error.source', { message: source.message }), { tone: 'quiet' });
  return card(id, label, value(source), sub(source), { tone: tone(source) });
}

function renderCards() {
  const summary = data.summary;
  const scope = [state.filters.subdistrict, state.filters.community].filter(Boolean).join(' · ');
  $('scope').textContent = scope || (session.user?.subdistrict ? jurisdictionText(session.user) : t('scope.all'));
  const sources = [
    sourceCard('transfers', t('card.transfers'), data.transfers, { value: (s) => s.total, sub: (s) => t('card.transfers.sub', s.totals), tone: (s) => (s.totals.openExceptions ? 'warn' : '') }),
    sourceCard('posts', t('card.posts'), data.posts, { value: (s) => `${s.covered} / ${s.covered + s.uncovered}`, sub: (s) => t('card.posts.sub', s), tone: (s) => (s.uncovered ? 'alert' : '') }),
  ];
  if (data.summaryDenied !== undefined) return fill($('cards'), forbiddenNotice(t, data.summaryDenied), sources);
  if (!summary) return fill($('cards'));
  const { observations, escalations } = summary;
  fill(
    $('cards'),
    card('underObservation', t('card.underObservation'), observations.underObservation, `${term('status', 'active')} ${observations.byStatus.active} · ${term('status', 'escalated')} ${observations.byStatus.escalated}`),
    card('dueToday', t('card.dueToday'), observations.dueToday, t('card.dueToday.sub'), { active: state.filters.dueToday, onclick: () => toggleFilter('dueToday') }),
    card('overdue', t('card.overdue'), observations.overdue, t('card.overdue.sub'), { tone: observations.overdue ? 'alert' : '', active: state.filters.overdue, onclick: () => toggleFilter('overdue') }),
    card('escalations', t('card.escalations'), escalations.unresolved, `${term('escalationState', 'open')} ${escalations.byState.open ?? 0} · ${term('escalationState', 'acknowledged')} ${escalations.byState.acknowledged ?? 0}`, { tone: escalations.byState.open ? 'warn' : '' }),
    sources,
  );
}

/** Count rows with a bar; a click on a row filters the list by it. */
function bars(entries, onPick, testid) {
  const max = Math.max(1, ...entries.map(([, , n]) => n));
  if (!entries.length) return h('p', { class: 'muted' }, t('panel.none'));
  return h(
    'ul',
    { class: 'bars', 'data-testid': testid },
    entries.map(([value, label, n]) =>
      h(
        'li',
        {},
        h(
          onPick ? 'button' : 'div',
          { type: onPick ? 'button' : undefined, class: 'bar-row', onclick: onPick && (() => onPick(value)), title: onPick ? t('card.filter') : undefined },
          h('span', { class: 'bar-label' }, label),
          h('span', { class: 'bar-track' }, h('span', { class: 'bar-fill', 'data-width': String(Math.round((100 * n) / max)) })),
          h('span', { class: 'bar-value' }, n),
        ),
      ),
    ),
  );
}

/** CSP forbids inline style attributes from markup; widths are set through the CSSOM instead. */
function sizeBars(root) {
  for (const bar of root.querySelectorAll('.bar-fill')) bar.style.width = `${bar.dataset.width}%`;
}

/** Where a routing gap is, in words. */
function gapPlace(gap) {
  if (gap.destinationId) return t('gap.destination', { destination: gap.destinationId });
  if (gap.community) return t('gap.community', gap);
  return gap.subdistrict ? t('gap.subdistrict', gap) : t('gap.district');
}

/** Roles nobody holds where a message needed them ("nobody holds <role> in <place>"); hidden when there are none. */
function renderRoutingGaps() {
  const gaps = data.summary?.routingGaps ?? [];
  $('routing-gaps-panel').hidden = gaps.length === 0;
  fill(
    $('routing-gaps'),
    ...gaps.map((gap) => {
      const since = formatTime(gap.since, state.lang, timeZone());
      const line = gap.role.startsWith('staff:')
        ? t('gap.staff', { id: gap.role.slice('staff:'.length) })
        : t('gap.line', { role: term('role', gap.role), place: gapPlace(gap), messages: gap.messages, routedTo: gap.routedTo, since });
      return h('li', { 'data-testid': 'routing-gap' }, line);
    }),
  );
}

/** Guard posts ("guard posted") with shifts nobody can stand; hidden when there are none. */
function renderGuardGaps() {
  const gaps = data.summary?.guardPostGaps?.items ?? [];
  $('guard-gaps-panel').hidden = gaps.length === 0;
  fill(
    $('guard-gaps'),
    ...gaps.map((gap) => {
      const since = formatTime(gap.since, state.lang, timeZone());
      const line = t('guardGap.line', { observation: gap.observationNumber, community: gap.community, shifts: gap.unfilledShifts, since, reason: gap.reason ?? '-' });
      return h('li', { 'data-testid': 'guard-gap' }, line);
    }),
  );
}

function renderPanels() {
  renderRoutingGaps();
  renderGuardGaps();
  if (data.summaryDenied !== undefined) {
    for (const id of ['by-status', 'by-category', 'escalations-by-kind']) fill($(id), h('p', { class: 'muted' }, t('forbidden')));
    return;
  }
  if (!data.summary) {
    for (const id of ['by-status', 'by-category', 'escalations-by-kind']) fill($(id));
    return;
  }
  const { observations, escalations } = data.summary;
  fill($('by-status'), bars(STATUSES.map((s) => [s, term('status', s), observations.byStatus[s] ?? 0]), (s) => setFilter('status', s), 'by-status'));
  fill($('by-category'), bars(CATEGORIES.map((c) => [c, term('category', c), observations.byCategory[c] ?? 0]), (c) => setFilter('category', c), 'by-category'));
  fill($('escalations-by-kind'), bars(Object.entries(escalations.byKind).map(([k, n]) => [k, term('escalation', k), n]), undefined, 'escalations-by-kind'));
  for (const id of ['by-status', 'by-category', 'escalations-by-kind']) sizeBars($(id));
}

function statusBadge(status) {
  return h('span', { class: `badge status-${status}` }, term('status', status));
}

function renderList() {
  const list = data.list;
  if (!list) {
    $('list-total').textContent = '';
    return fill($('list-body'));
  }
  if (list.denied !== undefined) {
    $('list-total').textContent = '';
    $('page-label').textContent = '';
    $('prev').disabled = $('next').disabled = true;
    return fill($('list-body'), h('tr', {}, h('td', { colspan: 10, class: 'notice-cell' }, forbiddenNotice(t, list.denied))));
  }
  $('list-total').textContent = t('list.total', { total: list.total });
  const rows = list.items.map((item) =>
    h(
      'tr',
      { class: isOpenObservation(item.number) ? 'selected' : '', 'data-number': item.number, tabindex: 0, onclick: () => openDetail(item.number), onkeydown: (e) => e.key === 'Enter' && openDetail(item.number) },
      h('td', { class: 'mono link' }, item.number),
      h('td', {}, item.name ?? '—'),
      h('td', { class: 'mono' }, item.documentNumber ?? '—'),
      h('td', { title: term('category', item.category) }, h('span', { class: 'category' }, item.category)),
      h('td', {}, statusBadge(item.status)),
      h('td', {}, `${item.subdistrict} / ${item.community}`),
      h('td', {}, item.responsibleWorker),
      h('td', {}, time(item.nextDueAt)),
      h('td', {}, time(item.lastReportAt)),
      h('td', {}, time(item.releaseDueAt, 'date')),
    ),
  );
  fill($('list-body'), rows.length ? rows : h('tr', {}, h('td', { colspan: 10, class: 'empty' }, t('list.empty'))));
  const pages = Math.max(1, Math.ceil(list.total / list.pageSize));
  $('page-label').textContent = t('pager.page', { page: list.page, pages });
  $('prev').disabled = list.page <= 1;
  $('next').disabled = list.page >= pages;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** A log entry's or device list's fields on one line, times in the jurisdiction's zone. */
function describe(detail) {
  if (!detail || typeof detail !== 'object') return '';
  const shown = (value) => (typeof value === 'object' ? JSON.stringify(value) : ISO_TIME.test(String(value)) ? time(value) : value);
  return Object.entries(detail)
    .filter(([, value]) => value !== null && value !== undefined && value !== '' && !(Array.isArray(value) && !value.length))
    .map(([key, value]) => `${key}: ${shown(value)}`)
    .join(' · ');
}

function isOpenObservation(number) {
  const target = opened();
  return target?.kind === 'observation' && target.id === number;
}

/** What the drawers need from the page: words, times, and opening another drill-down. */
const drawerContext = () => ({ t, term, time, open: openDetail, isOpen: (key) => key === state.open });

/** The drawer's heading: the kind of record in words, then its id. */
function drawerTitle(target) {
  const title = $('drawer-title');
  if (target.kind === 'observation') return void (title.textContent = target.id);
  const id = target.kind === 'run' ? shortId(target.id) : target.kind === 'trip' ? `${shortId(target.runId)} / ${target.tripId}` : target.id;
  fill(title, h('span', { class: 'drawer-kind' }, t(`drawer.${target.kind}`)), ' ', h('span', { title: target.id }, id));
}

function renderDetail() {
  const drawer = $('drawer');
  const target = session.user ? opened() : undefined;
  drawer.hidden = !target;
  document.body.classList.toggle('with-drawer', Boolean(target));
  if (!target) return;
  const detail = data.detail?.key === state.open ? data.detail : undefined;
  drawerTitle(target);
  drawer.dataset.kind = target.kind;
  const body = $('drawer-body');
  const scroll = body.scrollTop;
  if (!detail) return fill(body, h('p', { class: 'muted' }, t('detail.loading')));
  if (detail.missing) return fill(body, h('p', { class: 'error', 'data-testid': 'not-found' }, t(target.kind === 'observation' ? 'detail.notFound' : `drawer.notFound.${target.kind}`, { number: target.id, id: target.tripId || target.id })));
  if (detail.denied !== undefined) return fill(body, forbiddenNotice(t, detail.denied));
  if (detail.failed !== undefined) return fill(body, h('p', { class: 'error' }, t('error.source', { message: detail.failed })));
  if (target.kind !== 'observation') {
    const ctx = drawerContext();
    if (target.kind === 'run') fill(body, renderRun(detail, ctx));
    else if (target.kind === 'trip') fill(body, renderTrip(detail, ctx));
    else fill(body, renderShift(detail, ctx, data.posts?.posts?.find((post) => post.shifts.some((shift) => shift.id === target.id))));
    body.scrollTop = scroll;
    return;
  }
  const { observation, person, state: live, trackingLog } = detail;
  const escalations = (live?.escalations ?? detail.escalations ?? []).filter((e) => e.state !== 'resolved');
  const day = live ? h('div', { class: 'day', 'data-testid': 'day' }, h('strong', {}, t('detail.day', { day: live.day, periodDays: live.periodDays })), h('progress', { max: live.periodDays, value: Math.min(live.day, live.periodDays) })) : h('p', { class: 'muted' }, t('detail.noState'));
  const address = person?.address ?? {};
  fill(
    body,
    h('div', { class: 'detail-head' }, statusBadge(live?.status ?? observation.status), h('span', { class: 'category' }, term('category', observation.category)), h('span', { class: 'muted' }, `${observation.subdistrict} / ${observation.community}`)),
    day,
    facts([
      [t('detail.policy'), live?.policyId ?? observation.policyId],
      [t('detail.anchorDate'), live?.anchorDate ?? observation.anchorDate],
      [t('detail.releaseDue'), time(live?.releaseDueAt ?? observation.releaseDueAt)],
      [t('detail.nextDue'), time(live?.nextDueAt ?? observation.nextDueAt)],
      [t('detail.reports'), live?.reportsReceived],
      [t('detail.missed'), live?.missedSlots],
      [t('detail.measures'), live?.measuresTaken?.length ? live.measuresTaken.map((m) => term('measure', m)).join('、') : undefined],
      [t('detail.releaseBlockedBy'), live?.releaseBlockedBy],
      [t('detail.ended'), live?.endedAt ? `${time(live.endedAt)} ${live.endReason ?? ''}` : undefined],
    ]),
    live
      ? h(
          'section',
          { 'data-testid': 'slots' },
          h('h3', {}, t('detail.today')),
          live.today.length
            ? table(
                [t('detail.slot'), t('detail.slotDeadline'), t('detail.slotState'), t('detail.temperature')],
                live.today.map((slot) =>
                  h('tr', {}, h('td', {}, time(slot.opensAt, 'clock')), h('td', {}, time(slot.deadline, 'clock')), h('td', {}, h('span', { class: `badge slot-${slot.state}` }, term('slot', slot.state))), h('td', { class: 'num' }, slot.temperature ?? '—')),
                ),
              )
            : h('p', { class: 'muted' }, t('panel.none')),
        )
      : null,
    h(
      'section',
      { 'data-testid': 'escalations' },
      h('h3', {}, t('detail.escalations')),
      escalations.length
        ? table(
            [t('detail.logKind'), t('detail.slotState'), t('detail.escalationOwner'), t('detail.escalationOpened'), t('detail.logDetail')],
            escalations.map((e) =>
              h('tr', {}, h('td', {}, term('escalation', e.kind)), h('td', {}, h('span', { class: `badge esc-${e.state}` }, term('escalationState', e.state))), h('td', {}, e.owner), h('td', {}, time(e.openedAt)), h('td', {}, e.reason)),
            ),
          )
        : h('p', { class: 'muted' }, t('detail.noEscalations')),
    ),
    person
      ? h(
          'section',
          { 'data-testid': 'person' },
          h('h3', {}, t('detail.person')),
          facts([
            [t('detail.name'), person.name],
            [t('detail.document'), `${term('document', person.documentType)} ${person.documentNumber}`],
            [t('detail.mobile'), person.mobile],
            [t('detail.address'), [address.subdistrict, address.community, address.building && `${address.building}号楼`, address.unit && `${address.unit}单元`, address.detail].filter(Boolean).join(' ')],
            [t('detail.worker'), observation.responsibleWorker],
            [t('detail.devices'), describe(person.devices) || undefined],
          ]),
        )
      : null,
    h(
      'section',
      { 'data-testid': 'tracking-log' },
      h('h3', {}, t('detail.log')),
      table(
        [t('detail.logAt'), t('detail.logDay'), t('detail.logKind'), t('detail.temperature'), t('detail.logDetail')],
        [...trackingLog].reverse().map((entry) =>
          h('tr', { 'data-kind': entry.kind }, h('td', { class: 'nowrap' }, time(entry.at)), h('td', { class: 'num' }, entry.day), h('td', { class: 'kind' }, term('log', entry.kind)), h('td', { class: 'num' }, entry.temperature ?? ''), h('td', { class: 'detail' }, describe(entry.detail))),
        ),
      ),
    ),
  );
  body.scrollTop = scroll;
}

function renderSources() {
  const view = drawerContext();
  renderTransfers($('transfers'), data.transfers, t, view);
  renderPosts($('posts'), data.posts, t, view);
  renderDailyReport($('daily-report'), data.report, t, term, (iso) => time(iso));
  // No date to pick for a report this person may not read.
  $('report-date').closest('label').hidden = data.report?.state === 'forbidden';
}

function renderAll() {
  renderStatic();
  renderLive();
  renderCards();
  renderPanels();
  renderList();
  renderDetail();
  renderSources();
}

// ---------------------------------------------------------------------------------------------
// Login and logout

/** A new session state (a login, or none): answers still in flight for the old one are dropped by the epoch. */
function beginSession(user, note) {
  Object.assign(session, { user, checked: true, epoch: session.epoch + 1, note, error: undefined, busy: false });
  Object.assign(data, emptyData());
}

/** Logged in (on load with the session cookie, or through the form): the dashboard for this person. */
function signedIn(user) {
  beginSession(user);
  fitFiltersToUser(user);
  writeUrl();
  renderAll();
  void refresh();
}

/**
 * The login form instead of the dashboard, with a note on why (undefined on the first visit). Nothing
 * of the last login stays on the page; after a logout its filters and drill-down go too (the next
 * person may have another jurisdiction), after an ended login they stay for the same person.
 */
function showLogin(note, { forget = false } = {}) {
  const wasIn = Boolean(session.user);
  beginSession(undefined, note);
  if (forget) {
    for (const name of FILTERS) state.filters[name] = name === 'dueToday' || name === 'overdue' ? false : '';
    Object.assign(state, { page: 1, open: '', reportDate: '' });
    $('report-date').value = '';
    writeUrl();
  }
  renderAll();
  const form = $('login-form');
  if (wasIn) form.password.value = '';
  if (forget) form.username.value = '';
  (form.username.value ? form.password : form.username).focus();
}

/** The server's reason, in the page's language where it is a known one. */
function loginProblem(result) {
  const message = result.body?.detail;
  if (result.status === 401) return { key: 'login.wrong', message };
  if (result.status === 423) return result.body?.lockedUntil ? { key: 'login.locked', until: result.body.lockedUntil, message } : { key: 'login.failed', params: { message }, message };
  if (result.status === 403) return { key: 'login.disabled', message };
  if (result.status === 0) return { key: 'login.unreachable', params: { message }, message };
  return { key: 'login.failed', params: { message: problemDetail(result) }, message };
}

async function submitLogin(event) {
  event.preventDefault();
  if (session.busy || session.user) return;
  const form = $('login-form');
  session.busy = true;
  session.error = undefined;
  renderSession();
  const result = await postJson('/auth/login', { username: form.username.value.trim(), password: form.password.value });
  session.busy = false;
  form.password.value = '';
  if (result.ok && result.body?.user) return signedIn(result.body.user);
  session.error = loginProblem(result);
  renderSession();
  form.password.focus();
}

async function logout() {
  if (!session.user || session.busy) return;
  session.busy = true;
  renderSession();
  const result = await postJson('/auth/logout');
  session.busy = false;
  // 401: the login had already ended; either way nobody is logged in here any more.
  if (result.ok || result.status === 401) return showLogin({ key: 'login.loggedOut' }, { forget: true });
  renderSession();
  $('live-text').textContent = t('auth.logoutFailed', { message: problemDetail(result) });
}

/** On load: the session cookie may still hold a login. */
async function start() {
  const result = await getJson('/auth/me');
  if (result.ok && result.body?.userId) return signedIn(result.body);
  showLogin(result.status === 401 ? undefined : { key: 'login.unreachable', params: { message: problemDetail(result) } });
}

// ---------------------------------------------------------------------------------------------
// Actions

function changed({ resetPage = true } = {}) {
  if (resetPage) state.page = 1;
  writeUrl();
  renderStatic();
  void refresh();
}

function setFilter(name, value) {
  state.filters[name] = value;
  if (name === 'subdistrict') state.filters.community = '';
  changed();
}

function toggleFilter(name) {
  setFilter(name, !state.filters[name]);
}

/** Opens a drill-down: an observation's number, or `run:…`, `trip:…/…`, `shift:…` (see parseOpen). */
function openDetail(key) {
  if (key !== state.open) $('drawer-body').scrollTop = 0;
  state.open = key;
  writeUrl();
  renderDetail();
  renderList();
  renderSources();
  void refresh();
}

function closeDetail() {
  state.open = '';
  data.detail = undefined;
  writeUrl();
  renderDetail();
  renderList();
  renderSources();
}

function bind() {
  const form = $('filters');
  form.addEventListener('change', (event) => {
    const input = event.target;
    setFilter(input.name, input.type === 'checkbox' ? input.checked : input.value);
  });
  form.addEventListener('submit', (event) => event.preventDefault());
  $('reset').addEventListener('click', () => {
    for (const name of FILTERS) state.filters[name] = name === 'dueToday' || name === 'overdue' ? false : '';
    changed();
  });
  $('prev').addEventListener('click', () => {
    state.page = Math.max(1, state.page - 1);
    changed({ resetPage: false });
  });
  $('next').addEventListener('click', () => {
    state.page += 1;
    changed({ resetPage: false });
  });
  $('page-size').addEventListener('change', (event) => {
    state.pageSize = Number(event.target.value);
    changed();
  });
  $('drawer-close').addEventListener('click', closeDetail);
  $('login-form').addEventListener('submit', submitLogin);
  $('logout').addEventListener('click', logout);
  // A later 401 (the login expired, or ended by a logout elsewhere): back to the form, saying why.
  whenUnauthenticated(() => session.user && showLogin({ key: 'login.ended' }));
  document.addEventListener('keydown', (event) => event.key === 'Escape' && state.open && closeDetail());
  $('report-date').addEventListener('change', (event) => {
    state.reportDate = event.target.value;
    writeUrl();
    void refresh();
  });
  for (const button of document.querySelectorAll('[data-lang]')) {
    button.addEventListener('click', () => {
      state.lang = button.dataset.lang;
      localStorage.setItem('epi-dashboard-lang', state.lang);
      writeUrl();
      renderAll();
    });
  }
}

bind();
if (state.reportDate) $('report-date').value = state.reportDate;
renderAll();
void start();
setInterval(() => void refresh(), REFRESH_MS);
