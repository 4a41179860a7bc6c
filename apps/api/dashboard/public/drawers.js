// The drill-downs into a transfer run, one of its trips and a duty shift: each shows the record,
// the live workflow state and its history, in the drawer the observation drill-down uses. People's
// names come from the transfer routes in full: a drill-down shows the record, as the observation drawer does.
import { h, table } from '/app/shared/dom.js';
import { seatButtons, shortId } from './sources.js';

/** Labelled values in two columns; empty values are left out. */
export function facts(entries, attributes = {}) {
  return h(
    'dl',
    { class: 'facts', ...attributes },
    entries.filter(([, value]) => value !== undefined && value !== null && value !== '').map(([label, value]) => h('div', {}, h('dt', {}, label), h('dd', {}, value))),
  );
}

/** How a state looks: good, needs attention, in progress, over or nothing special. */
const TONES = {
  ok: ['handed_over', 'resolved', 'on_duty', 'done', 'check_in', 'gap_closed', 'handover_acknowledged'],
  alert: ['no_show', 'refused', 'unplanned', 'stranded', 'broken_down', 'open', 'escalated', 'missed', 'failed', 'unfilled', 'handover_escalated', 'supervisor_told'],
  warn: ['planned', 'acknowledged', 'handing_over', 'pending', 'backup_called', 'incident', 'reassigned', 'handover_ack_undelivered'],
  info: ['running', 'on_board', 'arrived', 'dispatched', 'boarding', 'departed', 'handover_submitted', 'handover_offered', 'handover_received'],
  muted: ['completed', 'closed', 'cancelled'],
};
const TONE_OF = new Map(Object.entries(TONES).flatMap(([tone, values]) => values.map((value) => [value, tone])));

function badge(value, label, attributes = {}) {
  return h('span', { class: `badge tone-${TONE_OF.get(value) ?? 'plain'}`, ...attributes }, label);
}

function section(testid, title, ...content) {
  return h('section', { 'data-testid': testid }, h('h3', {}, title), content);
}

function none(t, key = 'panel.none') {
  return h('p', { class: 'muted' }, t(key));
}

/** A row of the drawer's tables that opens another drill-down. */
function openRow(open, attributes, ...cells) {
  return h('tr', { ...attributes, class: 'openable', tabindex: 0, onclick: open, onkeydown: (event) => event.key === 'Enter' && event.target === event.currentTarget && open() }, cells);
}

function lines(...parts) {
  const shown = parts.filter((part) => part !== undefined && part !== null && part !== '');
  return shown.length ? shown.map((part, i) => h('div', { class: i ? 'sub' : undefined }, part)) : '—';
}

// ---------------------------------------------------------------------------------------------
// Transfer runs

const RUN_COUNTS = ['travellers', 'waiting', 'onBoard', 'arrived', 'handedOver', 'closed', 'openExceptions'];

/** Plate, escorts and destination of each trip, from the hand-over sheet's rows (the live state has ids only). */
function tripFacts(travellers) {
  const byTrip = new Map();
  for (const row of travellers ?? []) {
    if (row.tripId && !byTrip.has(row.tripId)) byTrip.set(row.tripId, { plate: row.plate, escorts: row.escorts, destination: row.destination });
  }
  return byTrip;
}

function namesOf(ids, people) {
  return ids.map((id) => people.get(id)?.name ?? id).join('、');
}

/** What followed a person's hand-over: their observation (opens its drill-down), quarantine record or approved closing. */
function aftermath(row, ctx) {
  if (row.observationNumber) {
    return h('button', { type: 'button', class: 'link mono', title: ctx.t('drawer.openHint'), onclick: () => ctx.open(row.observationNumber) }, row.observationNumber);
  }
  return row.quarantineRecordId ?? row.closedAs ?? '—';
}

/** GET /transfer-runs/:runId → { run, state, travellers }. */
export function renderRun(detail, ctx) {
  const { t, term, time } = ctx;
  const { run, state: live } = detail;
  const travellers = detail.travellers ?? [];
  const counts = live?.counts ?? run.counts ?? {};
  const people = new Map(travellers.map((row) => [row.travellerId, row]));
  const trips = tripFacts(travellers);
  const status = live?.status ?? run.status;
  const exceptions = [...(live?.exceptions ?? [])].sort((a, b) => Number(a.state === 'resolved') - Number(b.state === 'resolved') || Date.parse(a.deadline) - Date.parse(b.deadline));
  const now = Date.now();
  return [
    h(
      'div',
      { class: 'detail-head' },
      badge(status, term('runStatus', status), { 'data-testid': 'run-status' }),
      h('span', { class: 'category' }, term('runKind', run.kind)),
      h('span', { class: 'muted' }, t('run.dispatchedBy', { dispatcher: run.dispatcher, supervisor: run.supervisor })),
    ),
    h(
      'dl',
      { class: 'numbers run-counts', 'data-testid': 'run-counts' },
      RUN_COUNTS.map((key) => h('div', { class: key === 'openExceptions' && counts[key] ? 'warn' : undefined }, h('dt', {}, t(`transfers.${key}`)), h('dd', {}, counts[key] ?? 0))),
    ),
    facts([
      [t('run.id'), h('span', { class: 'mono' }, run.runId)],
      [t('run.sortingPoint'), run.sortingPointId],
      [t('run.createdAt'), time(run.createdAt)],
      [t('run.completedAt'), run.completedAt ? time(run.completedAt) : t('run.notYet')],
    ]),
    live ? null : h('p', { class: 'muted' }, t('run.noState')),
    live
      ? section(
          'trips',
          t('run.trips'),
          live.trips.length
            ? table(
                [t('trip.trip'), t('trip.vehicle'), t('trip.destination'), t('trip.leg'), t('transfers.travellers'), t('trip.departAt'), t('trip.arriveAt')],
                live.trips.map((trip) => {
                  const names = trips.get(trip.tripId) ?? {};
                  return openRow(
                    () => ctx.open(`trip:${run.runId}/${trip.tripId}`),
                    { 'data-trip': trip.tripId, title: t('drawer.openHint') },
                    h('td', { class: 'mono link nowrap' }, trip.tripId),
                    h('td', { class: 'nowrap' }, lines(names.plate ?? trip.vehicleId, names.escorts)),
                    h('td', {}, names.destination ?? trip.destinationId),
                    h('td', {}, badge(trip.leg, term('leg', trip.leg))),
                    h('td', { class: 'num' }, trip.travellerIds.length),
                    h('td', { class: 'nowrap' }, time(trip.departAt, 'clock')),
                    h('td', { class: 'nowrap' }, time(trip.arriveAt, 'clock')),
                  );
                }),
              )
            : none(t),
        )
      : null,
    live?.unplanned?.length
      ? section(
          'unplanned',
          t('run.unplanned'),
          table([t('traveller.name'), t('run.reason')], live.unplanned.map((u) => h('tr', {}, h('td', {}, people.get(u.travellerId)?.name ?? u.travellerId), h('td', { class: 'detail' }, u.reason)))),
        )
      : null,
    live
      ? section(
          'exceptions',
          t('run.exceptions', { open: counts.openExceptions ?? 0, total: exceptions.length }),
          exceptions.length
            ? table(
                [t('exception.kind'), t('exception.state'), t('exception.people'), t('exception.owner'), t('exception.deadline'), t('exception.reason')],
                exceptions.map((e) => {
                  const overdue = e.state !== 'resolved' && e.state !== 'acknowledged' && Date.parse(e.deadline) < now;
                  return h(
                    'tr',
                    { 'data-exception': e.id, class: e.state === 'resolved' ? 'past' : undefined },
                    h('td', { class: 'nowrap' }, term('exceptionKind', e.kind), e.tripId ? h('div', { class: 'sub mono' }, e.tripId) : null),
                    h('td', {}, badge(e.state, term('exceptionState', e.state))),
                    h('td', { class: 'nowrap' }, namesOf(e.travellerIds, people)),
                    h('td', { class: 'nowrap' }, lines(e.owner, term('ownerRole', e.ownerRole))),
                    h('td', { class: 'nowrap' }, time(e.deadline), overdue ? h('div', {}, badge('missed', t('exception.overdue'))) : null),
                    h('td', { class: 'detail' }, lines(e.reason, e.resolution && t('exception.decided', { resolution: e.resolution, by: e.decidedBy ?? '' }))),
                  );
                }),
              )
            : none(t, 'run.noExceptions'),
        )
      : null,
    section(
      'travellers',
      t('run.travellers'),
      travellers.length
        ? table(
            ['#', t('traveller.name'), t('trip.trip'), t('traveller.disposition'), t('traveller.status'), t('traveller.handedOver'), t('traveller.after')],
            travellers.map((row) =>
              h(
                'tr',
                { 'data-traveller': row.travellerId },
                h('td', { class: 'num' }, row.row),
                h('td', { class: 'nowrap' }, row.name),
                h('td', { class: 'mono nowrap' }, row.tripId ?? '—'),
                h('td', {}, lines(term('disposition', row.disposition), row.destination)),
                h('td', {}, badge(row.status, term('travellerStatus', row.status))),
                h('td', {}, row.handedOverAt ? lines(time(row.handedOverAt), row.receiver) : '—'),
                h('td', {}, aftermath(row, ctx)),
              ),
            ),
          )
        : none(t),
    ),
  ];
}

const LEGS = ['dispatched', 'boarding', 'departed', 'arrived', 'completed'];

/** The legs a trip goes through, the ones behind it done and the current one marked. */
function legSteps(leg, term) {
  const at = LEGS.indexOf(leg);
  return h(
    'ol',
    { class: `legs ${leg === 'broken_down' ? 'broken' : ''}`, 'data-testid': 'legs' },
    LEGS.map((step, i) => h('li', { class: i < at || (leg === 'completed' && i === at) ? 'done' : i === at ? 'current' : undefined, 'aria-current': i === at ? 'step' : undefined }, term('leg', step))),
  );
}

/** GET /transfer-runs/:runId/trips/:tripId → TripView, with the run's detail (names, plates) when it could be read. */
export function renderTrip(detail, ctx) {
  const { t, term, time } = ctx;
  const trip = detail.trip;
  const travellers = detail.run?.travellers ?? [];
  const people = new Map(travellers.map((row) => [row.travellerId, row]));
  const names = tripFacts(travellers).get(trip.tripId) ?? {};
  const planned = detail.run?.state?.trips?.find((x) => x.tripId === trip.tripId);
  const byStatus = Object.entries(trip.riders.reduce((n, r) => ({ ...n, [r.status]: (n[r.status] ?? 0) + 1 }), {}));
  return [
    h('button', { type: 'button', class: 'link back', 'data-testid': 'back-to-run', onclick: () => ctx.open(`run:${trip.runId}`) }, t('trip.backToRun', { run: shortId(trip.runId) })),
    h(
      'div',
      { class: 'detail-head' },
      badge(trip.leg, term('leg', trip.leg), { 'data-testid': 'trip-leg' }),
      h('span', { class: 'category' }, names.destination ?? trip.destinationId),
      h('span', { class: 'muted' }, byStatus.map(([status, n]) => `${term('riderStatus', status)} ${n}`).join(' · ')),
    ),
    legSteps(trip.leg, term),
    facts([
      [t('trip.vehicle'), names.plate ? `${names.plate} (${trip.vehicleId})` : trip.vehicleId],
      [t('trip.escorts'), names.escorts ?? trip.escortIds.join('、')],
      [t('trip.destination'), names.destination ?? trip.destinationId],
      [t('trip.meeting'), trip.meeting ? `${trip.meeting.point} · ${time(trip.meeting.at)}` : undefined],
      [t('trip.departAt'), planned ? time(planned.departAt) : undefined],
      [t('trip.arriveAt'), planned ? time(planned.arriveAt) : undefined],
      [t('trip.run'), h('span', { class: 'mono' }, trip.runId)],
    ]),
    section(
      'riders',
      t('trip.riders', { n: trip.riders.length }),
      trip.riders.length
        ? table(
            ['#', t('traveller.name'), t('traveller.status'), t('trip.aftercare'), t('traveller.handedOver')],
            trip.riders.map((rider) => {
              const row = people.get(rider.travellerId);
              return h(
                'tr',
                { 'data-traveller': rider.travellerId },
                h('td', { class: 'num' }, row?.row ?? '—'),
                h('td', { class: 'nowrap', title: rider.travellerId }, row ? row.name : rider.travellerId),
                h('td', {}, badge(rider.status, term('riderStatus', rider.status))),
                h('td', {}, rider.aftercare ? badge(rider.aftercare, term('aftercare', rider.aftercare)) : '—'),
                h('td', {}, row?.handedOverAt ? lines(time(row.handedOverAt), row.receiver) : '—'),
              );
            }),
          )
        : none(t),
    ),
  ];
}

// ---------------------------------------------------------------------------------------------
// Shifts

/** The workflow's "what is still owed" lines, in the page's language; an unknown line shows as it is. */
const PENDING = [
  [/^check-in by (.+) from (\S+) to (\S+)$/, (m, ctx) => ctx.t('pending.checkIn', { staff: m[1], from: ctx.time(m[2]), to: ctx.time(m[3], 'clock') })],
  [/^an assignee: the seat is unfilled$/, (m, ctx) => ctx.t('pending.assignee')],
  [/^cover for the gap since (\S+?)(?: \(backup (.+) called\))?$/, (m, ctx) => ctx.t(m[2] ? 'pending.coverCalled' : 'pending.cover', { since: ctx.time(m[1]), backup: m[2] ?? '' })],
  [/^acknowledge the hand-over from shift (.+)$/, (m, ctx) => ctx.t('pending.acknowledge', { shift: m[1] })],
  [/^the hand-over note$/, (m, ctx) => ctx.t('pending.note')],
  [/^acknowledgement by the incoming shift (.+)$/, (m, ctx) => ctx.t('pending.incoming', { shift: m[1] === '(being looked up)' ? ctx.t('pending.lookingUp') : m[1] })],
];

function pendingText(item, ctx) {
  for (const [pattern, say] of PENDING) {
    const match = pattern.exec(item);
    if (match) return say(match, ctx);
  }
  return item;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
/** Keys that mean nothing to a reader (idempotency keys). */
const HIDDEN_FIELDS = new Set(['incidentId']);
/** Who first, then when and what (the log stores its fields in no particular order). */
const FIELD_ORDER = ['staffId', 'by', 'coveredBy', 'from', 'to', 'start', 'end', 'kind', 'description', 'gapMinutes', 'covering', 'backup', 'supervisor', 'fromShiftId', 'successorShiftId', 'toShiftId', 'noteSubmitted', 'reason', 'note'];
const fieldRank = (key) => (FIELD_ORDER.includes(key) ? FIELD_ORDER.indexOf(key) : FIELD_ORDER.length);

/** An event's fields with labels in the page's language, times in the jurisdiction's zone. */
function eventDetail(detail, ctx) {
  if (!detail || typeof detail !== 'object') return '';
  const shown = (value) =>
    typeof value === 'boolean' ? ctx.t(value ? 'yes' : 'no') : typeof value === 'object' ? JSON.stringify(value) : ISO_TIME.test(String(value)) ? ctx.time(value) : value;
  return Object.entries(detail)
    .filter(([key, value]) => value !== null && value !== undefined && value !== '' && !HIDDEN_FIELDS.has(key))
    .sort(([a], [b]) => fieldRank(a) - fieldRank(b))
    .map(([key, value]) => `${ctx.term('field', key)}: ${shown(value)}`)
    .join(' · ');
}

/** GET /shifts/:id → { shift, state, events }; `post` is the post's entry of the posts panel, when it is there. */
export function renderShift(detail, ctx, post) {
  const { t, term, time } = ctx;
  const row = detail.shift ?? detail;
  const live = detail.state;
  const events = detail.events ?? [];
  const duty = live?.state ?? row.dutyState;
  const handover = live?.handover ?? {};
  const handoverFacts = [
    [t('shift.handoverNote'), handover.note ?? row.handoverNote],
    [t('shift.handoverSubmitted'), handover.submittedAt && time(handover.submittedAt)],
    [t('shift.successor'), handover.successorShiftId === null ? t('shift.noSuccessor') : handover.successorShiftId ?? row.handedOverTo],
    [t('shift.acknowledged'), handover.acknowledgedAt ? `${handover.acknowledgedBy ?? ''} · ${time(handover.acknowledgedAt)}` : row.handedOverAt ? time(row.handedOverAt) : undefined],
    [t('shift.handoverEscalated'), handover.escalatedAt && time(handover.escalatedAt)],
    [t('shift.received'), live?.received ? `${live.received.fromShiftId} · ${live.received.by}：${live.received.note}${live.received.acknowledgedAt ? ` (${t('shift.receivedAck', { time: time(live.received.acknowledgedAt) })})` : ''}` : undefined],
  ].filter(([, value]) => value);
  return [
    post && post.shifts.length > 1
      ? h('div', { class: 'seat-switch', 'data-testid': 'post-seats' }, h('span', { class: 'muted' }, t('shift.postSeats', { post: post.postId })), seatButtons(post, t, ctx))
      : null,
    h(
      'div',
      { class: 'detail-head' },
      badge(duty, term('duty', duty), { 'data-testid': 'duty-state' }),
      h('span', { class: 'category' }, `${row.postId} · ${t('posts.seat', { n: row.seatNo })}`),
      h('span', { class: 'muted' }, `${row.jurisdiction} · ${term('mode', live?.mode ?? row.mode)}`),
    ),
    facts([
      [t('shift.date'), row.shiftDate],
      [t('shift.time'), `${time(live?.start ?? row.startAt)} – ${time(live?.end ?? row.endAt, 'clock')}`],
      [t('shift.assignee'), live ? live.assignee ?? t('shift.unfilled') : row.staffId ?? t('shift.unfilled')],
      [t('shift.onPost'), live?.onPost ?? (['on_duty', 'handing_over'].includes(row.dutyState) ? row.checkedInBy : undefined)],
      [t('shift.checkedInAt'), (live?.checkedInAt ?? row.checkedInAt) && time(live?.checkedInAt ?? row.checkedInAt)],
      [t('shift.gapSince'), (live?.gapSince ?? row.gapSince) && time(live?.gapSince ?? row.gapSince)],
      [t('shift.backupCalled'), live?.backupCalled],
      [t('shift.supervisorTold'), live?.supervisorTold && time(live.supervisorTold)],
      [t('shift.skill'), row.requiredSkill],
      [t('shift.unfilledReason'), row.unfilledReason],
      [t('shift.ended'), (live?.endedAt ?? row.endedAt) && `${time(live?.endedAt ?? row.endedAt)} ${live?.endReason ?? row.endReason ?? ''}`],
    ]),
    live
      ? section(
          'shift-pending',
          t('shift.pending'),
          live.pending.length ? h('ul', { class: 'pending' }, live.pending.map((item) => h('li', { title: item }, pendingText(item, ctx)))) : none(t, 'shift.nothingPending'),
        )
      : h('p', { class: 'muted' }, t(row.workflowStarted ? 'shift.noState' : 'shift.notStarted')),
    handoverFacts.length ? section('shift-handover', t('shift.handover'), facts(handoverFacts)) : null,
    section(
      'shift-events',
      t('shift.events', { n: events.length }),
      events.length
        ? h(
            'ol',
            { class: 'timeline' },
            events.map((event) =>
              h(
                'li',
                { 'data-kind': event.kind, class: `tone-${TONE_OF.get(event.kind) ?? 'plain'}` },
                h('time', { class: 'nowrap' }, time(event.at)),
                h('strong', {}, term('shiftEvent', event.kind)),
                h('span', { class: 'detail' }, eventDetail(event.detail, ctx)),
              ),
            ),
          )
        : none(t),
    ),
  ];
}
