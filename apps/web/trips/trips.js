// The escort's and driver's page (phone-sized): /app/trips/ lists my dispatched trips (GET /my-trips);
// /app/trips/<runId>/<tripId> (the link the dispatch SMS sends) is one trip: the people by name to
// tick boarded, then departed and arrived; a no-show, a refusal, a breakdown. Each tap is one
// idempotent command (shared/taps.js); the page shows the trip as the API last answered it, and
// beside each button what is still sending.
import { getJson, problemDetail } from '/app/shared/api.js';
import { fill, formatTime, h } from '/app/shared/dom.js';
import { startShell } from '/app/shared/shell.js';
import { taps } from '/app/shared/taps.js';

const MESSAGES = {
  'zh-CN': {
    title: '我的车次',
    subtitle: '随车人员 · 司机',
    'login.hint': '请使用您的账号登录（随车人员或司机）。',
    loading: '正在加载…',
    refresh: '刷新',
    back: '← 我的车次',
    'error.load': '读取失败：{message}',
    'list.title': '我的车次',
    'list.none': '目前没有派给您的车次。',
    'list.people': '{count} 人',
    'trip.to': '前往 {destination}',
    'trip.times': '出发 {depart} · 预计到达 {arrive}',
    'trip.people': '乘车人员（核对姓名后点“已上车”）',
    'trip.notMine': '这个车次不在您的车次中，只能查看。',
    'trip.handOver': '已到达：请接收方核对姓名，逐一接收。',
    'trip.recorded': '已记录：{leg}（{time}）',
    'trip.sending': '正在发送 {count} 项，网络恢复后自动重发，不会重复记录。',
    'trip.failed': '没有送达，请再点一次（不会重复记录）。',
    'trip.refused': '未记录：{message}',
    'leg.planned': '计划中',
    'leg.dispatched': '已派车',
    'leg.boarding': '上车中',
    'leg.departed': '已出发',
    'leg.arrived': '已到达',
    'leg.completed': '已完成交接',
    'leg.broken_down': '车辆故障',
    'rider.listed': '待上车',
    'rider.waiting': '待上车',
    'rider.on_board': '已上车',
    'rider.arrived': '已到达',
    'rider.handed_over': '已交接',
    'rider.no_show': '未到',
    'rider.refused': '拒绝转运',
    'rider.stranded': '滞留',
    'rider.unplanned': '未排车',
    'rider.closed': '已终结',
    'action.boarded': '已上车',
    'action.pickedUp': '已上门接到',
    'action.noShow': '未到',
    'action.refusal': '拒绝',
    'action.departed': '出发',
    'action.arrived': '到达目的地',
    'action.breakdown': '报告车辆故障',
    'confirm.breakdown': '确认车辆故障？未交接的人员将重新安排车辆。',
    'confirm.refusal': '确认 {name} 拒绝转运？将上报指挥部。',
    sending: '发送中…',
  },
  en: {
    title: 'My trips',
    subtitle: 'Escorts · drivers',
    'login.hint': 'Log in with your account (escort or driver).',
    loading: 'Loading…',
    refresh: 'Refresh',
    back: '← My trips',
    'error.load': 'Could not load: {message}',
    'list.title': 'My trips',
    'list.none': 'No trip is dispatched to you now.',
    'list.people': '{count} people',
    'trip.to': 'To {destination}',
    'trip.times': 'Leaves {depart} · due {arrive}',
    'trip.people': 'On the list (check the name, then tap “Boarded”)',
    'trip.notMine': 'This trip is not one of yours: you can only look at it.',
    'trip.handOver': 'Arrived: the receiver checks each name and takes each person over.',
    'trip.recorded': 'Recorded: {leg} ({time})',
    'trip.sending': 'Sending {count}; sent again when the network is back, never recorded twice.',
    'trip.failed': 'Not delivered: tap again (it will not be recorded twice).',
    'trip.refused': 'Not recorded: {message}',
    'leg.planned': 'Planned',
    'leg.dispatched': 'Dispatched',
    'leg.boarding': 'Boarding',
    'leg.departed': 'On the road',
    'leg.arrived': 'Arrived',
    'leg.completed': 'Handed over',
    'leg.broken_down': 'Broken down',
    'rider.listed': 'To board',
    'rider.waiting': 'To board',
    'rider.on_board': 'On board',
    'rider.arrived': 'Arrived',
    'rider.handed_over': 'Handed over',
    'rider.no_show': 'No-show',
    'rider.refused': 'Refused',
    'rider.stranded': 'Stranded',
    'rider.unplanned': 'Not planned',
    'rider.closed': 'Closed',
    'action.boarded': 'Boarded',
    'action.pickedUp': 'Picked up at the door',
    'action.noShow': 'No-show',
    'action.refusal': 'Refuses',
    'action.departed': 'Depart',
    'action.arrived': 'Arrived at destination',
    'action.breakdown': 'Report a breakdown',
    'confirm.breakdown': 'Report a breakdown? Everyone not handed over is re-planned onto another vehicle.',
    'confirm.refusal': '{name} refuses the transfer? The command is told.',
    sending: 'Sending…',
  },
};

const view = document.getElementById('view');
const tapped = taps(() => trip && drawTrip());
/** The trip shown: where it is, its names (from my list) and its state as last answered. */
let trip;

const shell = startShell({ messages: MESSAGES, onUser: route, onLanguage: () => shell.user && (trip ? drawTrip() : route()) });
const time = (iso, style = 'clock') => formatTime(iso, shell.lang, shell.timeZone, style);

function route() {
  const [runId, tripId] = location.pathname.replace(/^\/app\/trips\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (runId && tripId) showTrip(runId, tripId);
  else showList();
}

async function showList() {
  const { t } = shell;
  trip = undefined;
  fill(view, h('p', { class: 'muted' }, t('loading')));
  const result = await getJson('/my-trips');
  if (!result.ok) return fill(view, h('p', { class: 'notice-alert' }, t('error.load', { message: problemDetail(result) })));
  fill(
    view,
    h('div', { class: 'panel-head' }, h('h2', { class: 'page-title' }, t('list.title')), h('button', { type: 'button', class: 'secondary', onclick: showList }, t('refresh'))),
    h('section', { class: 'panel' }, result.body.length
      ? h(
          'ul',
          { class: 'people', 'data-testid': 'my-trips' },
          result.body.map((listed) =>
            h(
              'li',
              {},
              h(
                'a',
                { class: 'card', href: `/app/trips/${encodeURIComponent(listed.runId)}/${encodeURIComponent(listed.tripId)}`, 'data-trip': `${listed.runId}/${listed.tripId}` },
                h('div', { class: 'name' }, t('trip.to', { destination: listed.destinationName }), ' ›'),
                h('div', { class: 'muted' }, [listed.plate, t('trip.times', { depart: time(listed.departAt), arrive: time(listed.arriveAt) }), t('list.people', { count: listed.travellers.length })].filter(Boolean).join(' · ')),
              ),
              h('div', { class: 'state' }, h('span', { class: `badge ${legTone(listed.leg)}` }, t(`leg.${listed.leg}`))),
            ),
          ),
        )
      : h('p', { class: 'muted' }, t('list.none'))),
  );
}

async function showTrip(runId, tripId) {
  fill(view, h('p', { class: 'muted' }, shell.t('loading')));
  const [mine, state] = await Promise.all([getJson('/my-trips'), getJson(`${tripUrl(runId, tripId)}`)]);
  if (!state.ok) return fill(view, backLink(), h('p', { class: 'notice-alert' }, shell.t('error.load', { message: problemDetail(state) })));
  const listed = mine.ok ? mine.body.find((x) => x.runId === runId && x.tripId === tripId) : undefined;
  trip = { runId, tripId, listed, state: state.body, at: new Date().toISOString(), problem: undefined };
  drawTrip();
}

const tripUrl = (runId, tripId) => `/transfer-runs/${encodeURIComponent(runId)}/trips/${encodeURIComponent(tripId)}`;
const backLink = () => h('a', { class: 'back', href: '/app/trips/' }, shell.t('back'));
const legTone = (leg) => (leg === 'broken_down' ? 'alert' : leg === 'completed' || leg === 'arrived' ? 'ok' : leg === 'departed' ? 'warn' : '');
const riderTone = (status) => (status === 'on_board' || status === 'handed_over' ? 'ok' : status === 'no_show' || status === 'refused' || status === 'stranded' ? 'alert' : 'warn');

/** One crew command: its answer is the trip's state, shown as recorded; a refusal is said above the list. */
async function tap(name, path, body) {
  const result = await tapped.send(name, `${tripUrl(trip.runId, trip.tripId)}/${path}`, { ...body, by: shell.user.displayName });
  if (!result || result.status === 0) return;
  if (result.ok) trip = { ...trip, state: result.body, at: new Date().toISOString(), problem: undefined };
  else trip = { ...trip, problem: problemDetail(result) };
  drawTrip();
}

function drawTrip() {
  const { t } = shell;
  const { state, listed } = trip;
  const nameOf = new Map((listed?.travellers ?? []).map((person) => [person.travellerId, person.name]));
  const open = state.leg === 'dispatched' || state.leg === 'boarding';
  const sending = tapped.sending();
  const button = (name, label, cls, onclick, enabled = true) =>
    h('button', { type: 'button', class: cls, 'data-action': name.split(':')[0], disabled: !enabled || tapped.state(name) === 'sending', onclick }, tapped.state(name) === 'sending' ? t('sending') : label);
  const riders = state.riders.map((rider) => {
    const name = nameOf.get(rider.travellerId) ?? rider.travellerId;
    const key = (action) => `${action}:${rider.travellerId}`;
    const waiting = rider.status === 'listed';
    const failed = ['boarded', 'no-show', 'refusal'].some((action) => tapped.state(key(action)) === 'failed');
    const busy = ['boarded', 'no-show', 'refusal'].some((action) => tapped.state(key(action)) === 'sending');
    return h(
      'li',
      { 'data-traveller': rider.travellerId, 'data-status': rider.status },
      h('span', { class: 'name' }, name),
      h('span', { class: 'state' }, busy ? h('span', { class: 'badge sending' }, t('sending')) : null, h('span', { class: `badge ${riderTone(rider.status)}`, 'data-testid': 'rider-status' }, t(`rider.${rider.status}`))),
      waiting && open
        ? h(
            'div',
            { class: 'buttons' },
            // A pick-up trip boards at the person's door: the escort confirms them by the name on the list.
            state.pickup
              ? button(key('boarded'), t('action.pickedUp'), 'primary big', () => tap(key('boarded'), 'picked-up', { travellerId: rider.travellerId, name }))
              : button(key('boarded'), t('action.boarded'), 'primary big', () => tap(key('boarded'), 'boarded', { travellerId: rider.travellerId })),
            button(key('no-show'), t('action.noShow'), 'quiet', () => tap(key('no-show'), 'no-show', { travellerId: rider.travellerId })),
            button(key('refusal'), t('action.refusal'), 'danger', () => confirm(t('confirm.refusal', { name })) && tap(key('refusal'), 'refusal', { travellerIds: [rider.travellerId] })),
          )
        : null,
      failed ? h('p', { class: 'why error' }, t('trip.failed')) : null,
    );
  });
  const everyoneReported = state.riders.every((rider) => rider.status !== 'listed');
  fill(
    view,
    backLink(),
    h(
      'section',
      { class: 'panel', 'data-testid': 'trip' },
      h('div', { class: 'sub-head' }, h('h2', {}, t('trip.to', { destination: listed?.destinationName ?? state.destinationId })), h('span', { class: `badge ${legTone(state.leg)}`, 'data-testid': 'trip-leg' }, t(`leg.${state.leg}`))),
      h('p', { class: 'facts-line' }, [listed?.plate, listed && t('trip.times', { depart: time(listed.departAt), arrive: time(listed.arriveAt) })].filter(Boolean).join(' · ')),
      h(
        'p',
        { class: 'sync', role: 'status', 'data-testid': 'sync' },
        h('span', { class: 'badge ok', 'data-testid': 'recorded' }, t('trip.recorded', { leg: t(`leg.${state.leg}`), time: time(trip.at, 'time') })),
        sending ? h('span', { class: 'badge sending', 'data-testid': 'sending' }, t('trip.sending', { count: sending })) : null,
      ),
      listed ? null : h('p', { class: 'notice-alert' }, t('trip.notMine')),
      trip.problem ? h('p', { class: 'notice-alert', role: 'alert', 'data-testid': 'trip-problem' }, t('trip.refused', { message: trip.problem })) : null,
      h('h3', {}, t('trip.people')),
      h('ul', { class: 'people', 'data-testid': 'riders' }, riders),
    ),
    state.leg === 'arrived' ? h('p', { class: 'notice-ok' }, t('trip.handOver')) : null,
    h(
      'section',
      { class: 'panel legs', hidden: !['dispatched', 'boarding', 'departed'].includes(state.leg) },
      open ? button('departed', t('action.departed'), 'primary big', () => tap('departed', 'departed', {}), everyoneReported) : null,
      state.leg === 'departed' ? button('arrived', t('action.arrived'), 'primary big', () => tap('arrived', 'arrived', {})) : null,
      ['dispatched', 'boarding', 'departed'].includes(state.leg)
        ? button('breakdown', t('action.breakdown'), 'danger', () => confirm(t('confirm.breakdown')) && tap('breakdown', 'breakdown', {}))
        : null,
      ['departed', 'arrived', 'breakdown'].some((name) => tapped.state(name) === 'failed') ? h('p', { class: 'why error' }, t('trip.failed')) : null,
    ),
  );
}
