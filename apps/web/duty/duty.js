// The duty staff's page (phone-sized): my shifts (GET /shifts?mine=true) from yesterday to tomorrow;
// the current one's live state: check in, the incoming shift's note to acknowledge, my hand-over
// note, an incident, a swap with another shift of the post; and my latest messages.
import { fieldProblems, getJson, problemDetail } from '/app/shared/api.js';
import { fill, formatTime, h, localDate } from '/app/shared/dom.js';
import { field, formRefusal, showProblems } from '/app/shared/forms.js';
import { INBOX_WORDS, inboxList } from '/app/shared/inbox-list.js';
import { startShell } from '/app/shared/shell.js';
import { taps } from '/app/shared/taps.js';

const MESSAGES = {
  'zh-CN': {
    ...INBOX_WORDS['zh-CN'],
    title: '值守',
    subtitle: '我的班次 · 签到 · 交接班',
    'login.hint': '请使用值守人员账号登录。',
    loading: '正在加载…',
    refresh: '刷新',
    'error.load': '读取失败：{message}',
    'shifts.title': '我的班次',
    'shifts.none': '昨天到明天没有排给您的班次。',
    'shift.when': '{date} {start}–{end}',
    'shift.post': '岗位 {post} · {jurisdiction}',
    'state.scheduled': '待签到',
    'state.on_duty': '在岗',
    'state.no_show': '未到岗',
    'state.handing_over': '交接中',
    'state.completed': '已完成',
    'state.missed': '缺岗',
    'state.cancelled': '已取消',
    'checkIn.title': '签到',
    'checkIn.opens': '签到时间 {from} – {to}',
    'checkIn.submit': '我已到岗，签到',
    'checkIn.done': '已签到（{time}）',
    'received.title': '上一班的交接记录',
    'received.by': '{by} 留言：',
    'received.ack': '已阅，接班',
    'received.acked': '已接班（{time}）',
    'received.checkInFirst': '到岗签到后，再确认接班。',
    'handover.title': '交接班记录',
    'handover.note': '本班情况、待办与注意事项',
    'handover.submit': '提交交接记录',
    'handover.done': '已提交（{time}）：',
    'handover.waiting': '等待下一班确认接班。',
    'incident.title': '报告事件',
    'incident.kind': '类型',
    'incident.description': '经过',
    'incident.submit': '报告',
    'incident.done': '已报告：{kind}（{time}）',
    'kind.refused_check': '拒绝测温或登记',
    'kind.crowd': '人员聚集',
    'kind.equipment': '设备故障',
    'kind.other': '其他',
    'swap.title': '申请换班',
    'swap.other': '与这个班次交换',
    'swap.none': '这个岗位近期没有可交换的班次。',
    'swap.note': '说明（可不填）',
    'swap.submit': '提交换班申请',
    'swap.done': '换班申请已提交，等待督导审批。',
    'swap.pending': '已于 {time} 申请与 {colleague} 换班（对方班次 {when}），等待督导审批；结果会发消息告诉您。',
    'messages.title': '我的消息',
    'trips.link': '您有 {count} 个随车车次 →',
    sending: '发送中…',
    failed: '没有送达：{message}',
    network: '网络不稳定，没有送达。请再点一次，不会重复记录。',
  },
  en: {
    ...INBOX_WORDS.en,
    title: 'Duty',
    subtitle: 'My shifts · check-in · hand-over',
    'login.hint': 'Log in with your duty staff account.',
    loading: 'Loading…',
    refresh: 'Refresh',
    'error.load': 'Could not load: {message}',
    'shifts.title': 'My shifts',
    'shifts.none': 'No shift of yours from yesterday to tomorrow.',
    'shift.when': '{date} {start}–{end}',
    'shift.post': 'Post {post} · {jurisdiction}',
    'state.scheduled': 'To check in',
    'state.on_duty': 'On duty',
    'state.no_show': 'Not arrived',
    'state.handing_over': 'Handing over',
    'state.completed': 'Done',
    'state.missed': 'Missed',
    'state.cancelled': 'Cancelled',
    'checkIn.title': 'Check in',
    'checkIn.opens': 'Check-in from {from} to {to}',
    'checkIn.submit': 'I am at my post: check in',
    'checkIn.done': 'Checked in ({time})',
    'received.title': 'Note from the previous shift',
    'received.by': '{by} wrote:',
    'received.ack': 'Read: I take over',
    'received.acked': 'Taken over ({time})',
    'received.checkInFirst': 'Check in when you arrive, then take over here.',
    'handover.title': 'Hand-over note',
    'handover.note': 'What happened, what is open, what to watch',
    'handover.submit': 'Submit the note',
    'handover.done': 'Submitted ({time}):',
    'handover.waiting': 'Waiting for the next shift to take over.',
    'incident.title': 'Report an incident',
    'incident.kind': 'Kind',
    'incident.description': 'What happened',
    'incident.submit': 'Report',
    'incident.done': 'Reported: {kind} ({time})',
    'kind.refused_check': 'Refused a check or registration',
    'kind.crowd': 'Crowd gathering',
    'kind.equipment': 'Equipment failure',
    'kind.other': 'Other',
    'swap.title': 'Ask for a swap',
    'swap.other': 'Swap with this shift',
    'swap.none': 'No shift of this post to swap with soon.',
    'swap.note': 'Note (optional)',
    'swap.submit': 'Ask for the swap',
    'swap.done': 'Swap asked: a supervisor decides.',
    'swap.pending': 'Swap with {colleague} (their shift {when}) asked at {time}: a supervisor decides, and you will get a message.',
    'messages.title': 'My messages',
    'trips.link': 'You ride {count} trip(s) as an escort →',
    sending: 'Sending…',
    failed: 'Not delivered: {message}',
    network: 'The network failed and nothing arrived. Tap again; it will not be recorded twice.',
  },
};

const INCIDENT_KINDS = ['refused_check', 'crowd', 'equipment', 'other'];
const view = document.getElementById('view');
/** My shifts; the one shown, its live state, its post's other shifts (to swap with) and my requests still undecided about it. */
let shifts = [];
let current;
let notes = {};
/** What has been typed, kept across redraws (a redraw while sending must not lose it). */
let drafts = {};
/** A text field that keeps its draft. */
function draft(tag, name, attributes = {}) {
  const control = h(tag, { name, ...attributes, oninput: (event) => (drafts[name] = event.target.value) });
  control.value = drafts[name] ?? '';
  return control;
}
let reloadInbox = () => {};
let myTrips = 0;
const tapped = taps(() => current && draw());
const shell = startShell({ messages: MESSAGES, onUser: load, onLanguage: () => shell.user && draw() });
shell.onUnread = () => reloadInbox();
const time = (iso, style = 'clock') => formatTime(iso, shell.lang, shell.timeZone, style);
/** The local day (YYYY-MM-DD, as a shift's `shiftDate`) of an instant. */
const dayOf = (at) => localDate(at, shell.timeZone);
const localDay = (offsetDays) => dayOf(Date.now() + offsetDays * 86_400_000);

async function load() {
  fill(view, h('p', { class: 'muted' }, shell.t('loading')));
  const [trips, ...days] = await Promise.all([getJson('/my-trips'), ...[-1, 0, 1].map((offset) => getJson(`/shifts?mine=true&date=${localDay(offset)}&pageSize=50`))]);
  // Duty staff also ride as escorts: their trips are one tap away.
  myTrips = trips.ok ? trips.body.length : 0;
  const failed = days.find((result) => !result.ok);
  if (failed) return fill(view, h('p', { class: 'notice-alert' }, shell.t('error.load', { message: problemDetail(failed) })));
  shifts = days.flatMap((result) => result.body.items).filter((shift) => shift.status === 'published' && Date.parse(shift.endAt) > Date.now() - 12 * 3_600_000);
  // The shift to act on: the first not yet done.
  const next = shifts.find((shift) => !['completed', 'missed', 'cancelled'].includes(shift.dutyState)) ?? shifts[0];
  await open(next);
}

async function open(shift) {
  notes = {};
  drafts = {};
  if (!shift) {
    current = undefined;
    return draw();
  }
  const [detail, post, asked] = await Promise.all([
    getJson(`/shifts/${encodeURIComponent(shift.id)}`),
    getJson(`/shifts?postId=${encodeURIComponent(shift.postId)}&dutyState=scheduled&pageSize=50`),
    getJson('/shift-requests?pageSize=100'),
  ]);
  current = {
    shift,
    state: detail.ok ? detail.body.state : undefined,
    others: post.ok ? post.body.items.filter((other) => other.staffId && other.staffId !== shift.staffId && other.id !== shift.id) : [],
    waiting: asked.ok ? asked.body.items.find((request) => request.kind === 'swap' && [request.shiftId, request.otherShiftId].includes(shift.id)) : undefined,
  };
  draw();
}

/**
 * One command about the current shift; a command on the shift itself answers with its state, which is
 * shown (a swap request answers with the request); a refusal beside its form, or under its button.
 */
async function send(name, path, body, form) {
  const result = await tapped.send(name, path, body);
  if (!result) return;
  if (result.ok) {
    notes[name] = { ok: true, body: result.body };
    if (name === 'incident') drafts.description = '';
    if (name !== 'swap' && result.body?.state) {
      current.state = result.body;
      const row = shifts.find((shift) => shift.id === current.shift.id);
      if (row) row.dutyState = result.body.state;
    }
  } else {
    const problems = fieldProblems(result);
    const unplaced = form ? showProblems(form, problems) : Object.values(problems);
    notes[name] = { ok: false, text: formRefusal(result, unplaced, shell.t('network')) };
  }
  draw();
}

function note(name) {
  const n = notes[name];
  if (!n || n.ok) return null;
  return n.text ? h('p', { class: 'notice-alert', role: 'alert', 'data-testid': `${name}-refused` }, shell.t('failed', { message: n.text })) : null;
}

const submitLabel = (name, label) => (tapped.state(name) === 'sending' ? shell.t('sending') : label);

function draw() {
  const { t } = shell;
  const inbox = h('div', { 'data-testid': 'duty-inbox' });
  fill(
    view,
    h(
      'section',
      { class: 'panel', 'data-testid': 'my-shifts' },
      h('div', { class: 'panel-head' }, h('h2', {}, t('shifts.title')), h('button', { type: 'button', class: 'secondary', onclick: load }, t('refresh'))),
      shifts.length
        ? h(
            'ul',
            { class: 'people' },
            shifts.map((shift) =>
              h(
                'li',
                { 'data-shift': shift.id, class: current?.shift.id === shift.id ? 'current' : '' },
                h('a', { class: 'card', href: '#', onclick: (event) => (event.preventDefault(), open(shift)) }, h('div', { class: 'name' }, t('shift.when', { date: shift.shiftDate, start: time(shift.startAt), end: time(shift.endAt) })), h('div', { class: 'muted' }, t('shift.post', { post: shift.postId, jurisdiction: shift.jurisdiction }))),
                h('span', { class: 'state' }, h('span', { class: `badge ${shift.dutyState === 'on_duty' ? 'ok' : shift.dutyState === 'scheduled' ? 'warn' : ''}`, 'data-testid': 'duty-state' }, t(`state.${shift.dutyState}`))),
              ),
            ),
          )
        : h('p', { class: 'muted' }, t('shifts.none')),
    ),
    myTrips ? h('p', { class: 'notice-ok' }, h('a', { href: '/app/trips/', 'data-testid': 'my-trips-link' }, t('trips.link', { count: myTrips }))) : null,
    current?.state ? shiftPanels(current) : null,
    h('section', { class: 'panel' }, h('h2', {}, t('messages.title')), inbox),
  );
  reloadInbox = inboxList(shell, inbox, { limit: 5 });
  reloadInbox();
}

function shiftPanels({ shift, state, others }) {
  const { t } = shell;
  const by = shell.user.displayName;
  const url = (path) => `/shifts/${encodeURIComponent(shift.id)}/${path}`;
  const panels = [];
  if (state.state === 'scheduled' || state.state === 'no_show') {
    const opensAt = Date.parse(shift.startAt) - 30 * 60_000;
    panels.push(
      h(
        'section',
        { class: 'panel', 'data-testid': 'check-in' },
        h('h2', {}, t('checkIn.title')),
        h('p', { class: 'muted' }, t('checkIn.opens', { from: time(opensAt), to: time(shift.endAt) })),
        note('check-in'),
        // Before the window opens the API would refuse it: the time above says when.
        Date.now() < opensAt ? null : h('button', { type: 'button', class: 'primary big', 'data-action': 'check-in', disabled: tapped.state('check-in') === 'sending', onclick: () => send('check-in', url('check-in'), { staffId: shift.staffId }) }, submitLabel('check-in', t('checkIn.submit'))),
      ),
    );
  } else if (state.checkedInAt) panels.push(h('p', { class: 'notice-ok', 'data-testid': 'checked-in' }, t('checkIn.done', { time: time(state.checkedInAt) })));
  if (state.received) {
    const received = state.received;
    panels.push(
      h(
        'section',
        { class: 'panel', 'data-testid': 'received' },
        h('h2', {}, t('received.title')),
        h('p', { class: 'muted' }, t('received.by', { by: received.by })),
        h('p', { class: 'message-body' }, received.note),
        note('acknowledge'),
        received.acknowledgedAt
          ? h('p', { class: 'notice-ok' }, t('received.acked', { time: time(received.acknowledgedAt) }))
          : !state.checkedInAt
            ? h('p', { class: 'muted', 'data-testid': 'received-check-in-first' }, t('received.checkInFirst'))
            : h('button', { type: 'button', class: 'primary big', 'data-action': 'acknowledge', onclick: () => send('acknowledge', url('handover/acknowledge'), { by }) }, submitLabel('acknowledge', t('received.ack'))),
      ),
    );
  }
  if (state.state === 'on_duty' || state.state === 'handing_over') {
    if (state.handover.note) {
      panels.push(
        h('section', { class: 'panel', 'data-testid': 'handover' }, h('h2', {}, t('handover.title')), h('p', { class: 'notice-ok', 'data-testid': 'handover-done' }, t('handover.done', { time: time(state.handover.submittedAt) }), ' ', state.handover.note), h('p', { class: 'muted' }, t('handover.waiting'))),
      );
    } else {
      const form = h(
        'form',
        { class: 'form', 'data-testid': 'handover-form' },
        field(t('handover.note'), draft('textarea', 'note', { maxlength: 2000, required: true })),
        note('handover'),
        h('button', { type: 'submit', class: 'primary big' }, submitLabel('handover', t('handover.submit'))),
      );
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        send('handover', url('handover'), { by, note: form.note.value.trim() }, form);
      });
      panels.push(h('section', { class: 'panel' }, h('h2', {}, t('handover.title')), form));
    }
    panels.push(incidentPanel(shift, state, url, by));
  }
  if (state.state === 'scheduled') panels.push(swapPanel(shift, others, current.waiting));
  return panels;
}

function incidentPanel(shift, state, url, by) {
  const { t } = shell;
  const form = h(
    'form',
    { class: 'form', 'data-testid': 'incident-form' },
    field(t('incident.kind'), h('select', { name: 'kind' }, INCIDENT_KINDS.map((kind) => h('option', { value: kind }, t(`kind.${kind}`))))),
    field(t('incident.description'), draft('textarea', 'description', { maxlength: 2000, required: true })),
    note('incident'),
    h('button', { type: 'submit', class: 'secondary' }, submitLabel('incident', t('incident.submit'))),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    send('incident', url('incidents'), { by, kind: form.kind.value, description: form.description.value.trim() }, form);
  });
  const logged = state.incidents.map((incident) => h('li', {}, t('incident.done', { kind: t(`kind.${incident.kind}`), time: time(incident.at) }), ' — ', incident.description));
  return h('section', { class: 'panel', 'data-testid': 'incident' }, h('h2', {}, t('incident.title')), logged.length ? h('ul', { class: 'links' }, logged) : null, form);
}

/** Ask for a swap; once asked, the request waiting for a supervisor instead (one at a time). */
function swapPanel(shift, others, waiting) {
  const { t } = shell;
  if (notes.swap?.ok) return h('section', { class: 'panel' }, h('h2', {}, t('swap.title')), h('p', { class: 'notice-ok', 'data-testid': 'swap-done' }, t('swap.done')));
  if (waiting) {
    // Either side of the swap: the colleague's shift is the other one, the colleague who holds it.
    const mineFirst = waiting.shiftId === shift.id;
    const [start, end] = mineFirst ? [waiting.otherShiftStartAt, waiting.otherShiftEndAt] : [waiting.shiftStartAt, waiting.shiftEndAt];
    const colleague = mineFirst ? waiting.staffName ?? waiting.staffId : waiting.otherStaffName ?? waiting.otherStaffId;
    const when = t('shift.when', { date: dayOf(start), start: time(start), end: time(end) });
    return h('section', { class: 'panel' }, h('h2', {}, t('swap.title')), h('p', { class: 'muted', 'data-testid': 'swap-pending' }, t('swap.pending', { colleague, when, time: time(waiting.createdAt, 'dateTime') })));
  }
  if (!others.length) return h('section', { class: 'panel' }, h('h2', {}, t('swap.title')), h('p', { class: 'muted' }, t('swap.none')));
  const form = h(
    'form',
    { class: 'form', 'data-testid': 'swap-form' },
    field(t('swap.other'), h('select', { name: 'otherShiftId' }, others.map((other) => h('option', { value: other.id }, `${t('shift.when', { date: other.shiftDate, start: time(other.startAt), end: time(other.endAt) })} · ${other.staffName ?? other.staffId}`)))),
    field(t('swap.note'), draft('input', 'swapNote', { maxlength: 500 })),
    note('swap'),
    h('button', { type: 'submit', class: 'secondary' }, submitLabel('swap', t('swap.submit'))),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    send('swap', '/shift-requests', { kind: 'swap', shiftId: shift.id, otherShiftId: form.otherShiftId.value, requestedBy: shift.staffId, note: form.swapNote.value.trim() || undefined }, form);
  });
  return h('section', { class: 'panel' }, h('h2', {}, t('swap.title')), form);
}
