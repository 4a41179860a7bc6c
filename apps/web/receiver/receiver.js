// The receiver's page (phone-sized): the trips coming to my destination (GET /receiving), each person
// by name; on arrival I take each one over by name (the hand-over route, recorded as my account),
// and the list shows who has been taken over. Each tap is one idempotent command (shared/taps.js).
import { getJson, problemDetail } from '/app/shared/api.js';
import { fill, formatTime, h } from '/app/shared/dom.js';
import { startShell } from '/app/shared/shell.js';
import { taps } from '/app/shared/taps.js';

const MESSAGES = {
  'zh-CN': {
    title: '接收人员',
    subtitle: '闭环转运 · 交接',
    'login.hint': '请使用接收方账号登录。',
    loading: '正在加载…',
    refresh: '刷新',
    'error.load': '读取失败：{message}',
    'list.none': '目前没有前往您这里的车次。',
    'trip.from': '{plate} · 预计 {arrive} 到达',
    'trip.count': '已接收 {done} / {total} 人',
    'leg.dispatched': '已派车',
    'leg.boarding': '上车中',
    'leg.departed': '在途',
    'leg.arrived': '已到达，请逐一核对姓名接收',
    'leg.completed': '已全部交接',
    'status.waiting': '待上车',
    'status.on_board': '在车上',
    'status.arrived': '已到达',
    'status.handed_over': '已接收',
    'status.no_show': '未到',
    'status.refused': '拒绝转运',
    'status.unplanned': '未排车',
    'status.closed': '已终结',
    take: '核对无误，接收',
    sending: '发送中…',
    failed: '没有送达，请再点一次（不会重复记录）。',
    refused: '未记录：{message}',
  },
  en: {
    title: 'Arrivals',
    subtitle: 'Closed-loop transfers · hand-over',
    'login.hint': 'Log in with your receiver account.',
    loading: 'Loading…',
    refresh: 'Refresh',
    'error.load': 'Could not load: {message}',
    'list.none': 'No trip is on its way to you now.',
    'trip.from': '{plate} · due {arrive}',
    'trip.count': '{done} of {total} taken over',
    'leg.dispatched': 'Dispatched',
    'leg.boarding': 'Boarding',
    'leg.departed': 'On the road',
    'leg.arrived': 'Arrived: check each name and take the person over',
    'leg.completed': 'All handed over',
    'status.waiting': 'Not yet on board',
    'status.on_board': 'On board',
    'status.arrived': 'Arrived',
    'status.handed_over': 'Taken over',
    'status.no_show': 'No-show',
    'status.refused': 'Refused',
    'status.unplanned': 'Not planned',
    'status.closed': 'Closed',
    take: 'Name checked: take over',
    sending: 'Sending…',
    failed: 'Not delivered: tap again (it will not be recorded twice).',
    refused: 'Not recorded: {message}',
  },
};

const view = document.getElementById('view');
/** The trips as listed, people's statuses updated from each hand-over's answer; a refusal per person. */
let trips;
const problems = new Map();
const tapped = taps(() => trips && draw());
const shell = startShell({ messages: MESSAGES, onUser: load, onLanguage: () => shell.user && trips && draw() });

async function load() {
  fill(view, h('p', { class: 'muted' }, shell.t('loading')));
  const result = await getJson('/receiving');
  if (!result.ok) return fill(view, h('p', { class: 'notice-alert' }, shell.t('error.load', { message: problemDetail(result) })));
  trips = result.body;
  draw();
}

async function takeOver(trip, person) {
  const name = `take:${trip.runId}/${trip.tripId}/${person.travellerId}`;
  const url = `/transfer-runs/${encodeURIComponent(trip.runId)}/trips/${encodeURIComponent(trip.tripId)}/handed-over`;
  const result = await tapped.send(name, url, { travellerId: person.travellerId, name: person.name, by: shell.user.displayName });
  if (!result || result.status === 0) return;
  if (result.ok) {
    problems.delete(name);
    const riders = new Map(result.body.riders.map((rider) => [rider.travellerId, rider.status]));
    for (const other of trip.travellers) if (riders.get(other.travellerId) === 'handed_over') other.status = 'handed_over';
    trip.leg = result.body.leg;
  } else problems.set(name, problemDetail(result));
  draw();
}

function draw() {
  const { t } = shell;
  const time = (iso) => formatTime(iso, shell.lang, shell.timeZone, 'clock');
  fill(
    view,
    h('div', { class: 'panel-head' }, h('h2', { class: 'page-title' }, t('title')), h('button', { type: 'button', class: 'secondary', onclick: load }, t('refresh'))),
    trips.length
      ? trips.map((trip) => {
          const done = trip.travellers.filter((person) => person.status === 'handed_over').length;
          return h(
            'section',
            { class: 'panel', 'data-testid': 'arrival', 'data-trip': `${trip.runId}/${trip.tripId}` },
            h('div', { class: 'sub-head' }, h('h2', {}, trip.destinationName), h('span', { class: `badge ${trip.leg === 'arrived' ? 'warn' : trip.leg === 'completed' ? 'ok' : ''}` }, t(`leg.${trip.leg}`))),
            h('p', { class: 'facts-line' }, `${t('trip.from', { plate: trip.plate ?? '—', arrive: time(trip.arriveAt) })} · `, h('strong', { 'data-testid': 'taken-count' }, t('trip.count', { done, total: trip.travellers.length }))),
            h('ul', { class: 'people' }, trip.travellers.map((person) => personRow(trip, person))),
          );
        })
      : h('section', { class: 'panel' }, h('p', { class: 'muted' }, t('list.none'))),
  );
}

function personRow(trip, person) {
  const { t } = shell;
  const name = `take:${trip.runId}/${trip.tripId}/${person.travellerId}`;
  const sending = tapped.state(name) === 'sending';
  const canTake = trip.leg === 'arrived' && (person.status === 'on_board' || person.status === 'arrived');
  return h(
    'li',
    { 'data-traveller': person.travellerId, 'data-status': person.status },
    h('span', { class: 'name' }, person.name),
    h('span', { class: 'state' }, h('span', { class: `badge ${person.status === 'handed_over' ? 'ok' : ''}`, 'data-testid': 'person-status' }, t(`status.${person.status}`))),
    canTake
      ? h('div', { class: 'buttons' }, h('button', { type: 'button', class: 'primary big', 'data-action': 'take', disabled: sending, onclick: () => takeOver(trip, person) }, sending ? t('sending') : t('take')))
      : null,
    tapped.state(name) === 'failed' ? h('p', { class: 'why error' }, t('failed')) : null,
    problems.has(name) ? h('p', { class: 'why notice-alert' }, t('refused', { message: problems.get(name) })) : null,
  );
}
