// One run (GET /transfer-runs/:id): before dispatch its plan as trips (vehicle and seats, escorts,
// departure, families and key persons, each person's wait), where a person is moved to another trip,
// a trip pinned, the rest re-planned (POST :id/plan) and the run dispatched; once running, the same
// trips live (each leg, who is where), read again every few seconds, and the exceptions with their
// owner and deadline, each decided here (POST :id/exceptions/:n/decision).
import { command, fieldProblems, getJson, problemDetail } from '/app/shared/api.js';
import { fill, h, table } from '/app/shared/dom.js';
import { statusTone } from './runs.js';

const POLL_MS = 3000;
const MINUTE = 60_000;

/**
 * The decisions a dispatcher takes here, by kind of exception (of the run workflow's EXCEPTION_RULES;
 * the API refuses any other). Closing with a terminal disposition and a key-person transfer (with its
 * meeting point) are the supervisor's: those exceptions show their owner and deadline only.
 */
const DECISIONS = { no_show: ['replan'], unplanned: ['replan'], breakdown: ['acknowledge'], hotel_full: ['acknowledge'], handover_unacknowledged: ['acknowledge'], admission_failed: ['resolve'] };

export async function showRun(app, runId) {
  const epoch = app.epoch;
  const resources = await app.resources();
  if (!resources) return;
  const view = { app, runId, resources, epoch, detail: undefined, message: undefined, moves: new Map(), pins: new Set(), busy: false };
  await refresh(view);
  // Live: asked again every few seconds while the view is shown and the run is not over.
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    if (epoch !== app.epoch) return;
    const status = statusOf(view.detail);
    if (status === 'completed') return;
    if (status === 'running' && !view.busy) await refresh(view);
  }
}

async function refresh(view) {
  const result = await getJson(`/transfer-runs/${encodeURIComponent(view.runId)}`);
  if (view.epoch !== view.app.epoch) return;
  // A read that failed is asked again on the next turn; what was shown stays.
  if (!result.ok) {
    if (!view.detail) fill(view.app.view, h('p', { class: 'notice-alert', 'data-testid': 'run-error' }, view.app.shell.t('error.load', { message: problemDetail(result) })));
    return;
  }
  view.detail = result.body;
  draw(view);
}

/** A command to the run; the answer is the run's new state, so the view reads it again whole. */
async function send(view, path, body, done) {
  const { t } = view.app.shell;
  view.busy = true;
  view.message = { tone: 'muted', text: t('run.sending') };
  draw(view);
  const result = await command(`/transfer-runs/${encodeURIComponent(view.runId)}/${path}`, { by: view.app.shell.user.displayName, ...body });
  view.busy = false;
  if (view.epoch !== view.app.epoch) return;
  if (result.ok) {
    view.message = { tone: 'notice-ok', text: done };
    view.moves.clear();
    view.pins.clear();
  } else {
    const reasons = Object.entries(fieldProblems(result)).map(([name, reason]) => `${name}: ${reason}`);
    view.message = { tone: 'notice-alert', text: t('run.refused', { message: reasons.length ? reasons.join('; ') : result.status === 0 ? t('error.network') : problemDetail(result) }) };
  }
  await refresh(view);
}

function draw(view) {
  const { t, term } = view.app.shell;
  const { run, state, travellers } = view.detail;
  const byId = new Map(travellers.map((p) => [p.travellerId, p]));
  const status = statusOf(view.detail);
  const planned = status === 'planned';
  const trips = state?.trips ?? [];
  const counts = state?.counts ?? run.counts;
  fill(
    view.app.view,
    h(
      'section',
      { class: 'panel run-head', 'data-testid': 'run-head', 'data-status': status },
      h(
        'div',
        { class: 'panel-head' },
        h('h2', {}, t('run.title', { time: view.app.time(run.createdAt) }), ' ', h('span', { class: `badge ${statusTone(status)}`, 'data-testid': 'run-status' }, term('runStatus', status))),
        h('div', { class: 'actions no-print' }, h('a', { href: `#/sheet/${encodeURIComponent(run.runId)}`, class: 'secondary-link', 'data-testid': 'open-sheet' }, t('run.sheet'))),
      ),
      h('p', { class: 'muted' }, t('run.people', { dispatcher: run.dispatcher, supervisor: run.supervisor, point: view.resources.sortingPoints.find((p) => p.id === run.sortingPointId)?.name ?? run.sortingPointId })),
      h(
        'dl',
        { class: 'counts', 'data-testid': 'run-counts' },
        ['travellers', 'waiting', 'onBoard', 'arrived', 'handedOver', 'openExceptions'].map((key) => h('div', { class: key === 'openExceptions' && counts[key] ? 'alert' : '' }, h('dt', {}, t(`count.${key}`)), h('dd', {}, counts[key] ?? '—'))),
      ),
      planned ? planActions(view, trips) : h('p', { class: 'muted' }, t(status === 'running' ? 'run.live' : 'run.done')),
      view.message ? h('p', { class: view.message.tone, 'data-testid': 'run-message', role: 'status' }, view.message.text) : null,
    ),
    state ? exceptionsPanel(view, state, byId) : h('p', { class: 'notice-alert' }, t('run.noState')),
    h('div', { class: 'trips', 'data-testid': 'trips' }, trips.map((trip) => tripCard(view, trip, trips, byId, planned))),
    state?.unplanned.length ? h('section', { class: 'panel', 'data-testid': 'unplanned' }, h('h2', {}, t('run.unplanned')), h('ul', {}, state.unplanned.map((u) => h('li', {}, byId.get(u.travellerId)?.name ?? u.travellerId, ' — ', u.reason)))) : null,
  );
}

function planActions(view, trips) {
  const { t } = view.app.shell;
  const changes = view.moves.size + view.pins.size;
  const moves = () => [...view.moves].map(([travellerId, toTripId]) => ({ travellerId, toTripId }));
  return h(
    'div',
    { class: 'actions plan-actions no-print' },
    h('button', { type: 'button', class: 'secondary', 'data-testid': 'apply-plan', disabled: view.busy || !changes, onclick: () => send(view, 'plan', { moves: moves(), pinTripIds: [...view.pins] }, t('run.adjusted')) }, t('run.apply', { count: changes })),
    h('button', { type: 'button', class: 'secondary', 'data-testid': 'replan', disabled: view.busy, onclick: () => send(view, 'plan', { moves: moves(), pinTripIds: [...view.pins], replan: true }, t('run.replanned')) }, t('run.replan')),
    h('button', { type: 'button', class: 'primary', 'data-testid': 'dispatch', disabled: view.busy || changes > 0, onclick: () => send(view, 'dispatch', {}, t('run.dispatched')) }, t('run.dispatch')),
    h('span', { class: 'muted' }, t(changes ? 'run.applyFirst' : 'run.planHint', { trips: trips.length })),
  );
}

function tripCard(view, trip, trips, byId, planned) {
  const { t, term } = view.app.shell;
  const vehicle = view.resources.vehicles.get(trip.vehicleId);
  const destination = view.resources.destinations.get(trip.destinationId);
  const people = trip.travellerIds.map((id) => byId.get(id)).filter(Boolean);
  const families = new Set(people.map((p) => p.familyGroup).filter(Boolean));
  const keyPeople = people.filter((p) => p.keyPerson).length;
  const departAt = Date.parse(trip.departAt);
  const pin = h('input', { type: 'checkbox', 'data-testid': `pin-${trip.tripId}`, checked: trip.pinned || view.pins.has(trip.tripId), disabled: trip.pinned || view.busy });
  pin.addEventListener('change', () => {
    if (pin.checked) view.pins.add(trip.tripId);
    else view.pins.delete(trip.tripId);
    draw(view);
  });
  return h(
    'section',
    { class: `panel trip leg-${trip.leg}`, 'data-testid': `trip-${trip.tripId}`, 'data-leg': trip.leg },
    h(
      'div',
      { class: 'trip-head' },
      h('h2', {}, trip.tripId, ' ', h('span', { class: `badge ${legTone(trip.leg)}`, 'data-testid': 'trip-leg' }, term('leg', trip.leg)), trip.pinned ? h('span', { class: 'badge' }, t('trip.pinned')) : null),
      planned ? h('label', { class: 'pin' }, pin, t('trip.pin')) : null,
    ),
    h(
      'dl',
      { class: 'trip-facts' },
      fact(t('trip.vehicle'), vehicle ? `${vehicle.plate} · ${vehicle.driverName}` : trip.vehicleId),
      fact(t('trip.seats'), h('span', { 'data-testid': 'seats' }, t('trip.seatsUsed', { used: trip.travellerIds.length, offered: vehicle?.seats ?? '?' }))),
      fact(t('trip.escorts'), trip.escortIds.map((id) => view.resources.escorts.get(id)?.name ?? id).join('、') || '—'),
      fact(t('trip.destination'), destination?.name ?? trip.destinationId),
      fact(t('trip.depart'), view.app.time(trip.departAt)),
      fact(t('trip.arrive'), view.app.time(trip.arriveAt)),
    ),
    h(
      'p',
      { class: 'trip-groups' },
      families.size ? h('span', { class: 'badge ok' }, t('trip.families', { count: families.size })) : null,
      keyPeople ? h('span', { class: 'badge alert' }, t('trip.keyPersons', { count: keyPeople })) : null,
    ),
    h(
      'div',
      { class: 'table-wrap' },
      table(
        [t('person.name'), t('person.group'), t('person.wait'), t('person.status'), planned ? t('person.move') : null].filter(Boolean),
        people.map((person) => {
          const wait = Math.max(0, Math.round((departAt - Date.parse(person.arrivalTime)) / MINUTE));
          return h(
            'tr',
            { 'data-traveller': person.travellerId },
            h('td', {}, person.name),
            h('td', {}, person.keyPerson ? h('span', { class: 'badge alert' }, t('person.key')) : null, person.familyGroup ? h('span', { class: 'badge' }, t('person.family', { family: person.familyGroup })) : null),
            h('td', { class: 'num' }, t('person.minutes', { minutes: wait })),
            h('td', {}, h('span', { class: `badge ${statusTone(person.status === 'handed_over' ? 'completed' : person.status === 'on_board' ? 'running' : '')}` }, term('travellerStatus', person.status))),
            planned ? h('td', {}, moveSelect(view, person, trip, trips)) : null,
          );
        }),
        { class: 'grid compact people' },
      ),
    ),
  );
}

function moveSelect(view, person, trip, trips) {
  const { t } = view.app.shell;
  const select = h(
    'select',
    { 'data-testid': `move-${person.travellerId}`, 'aria-label': t('person.move'), disabled: view.busy },
    h('option', { value: '' }, t('person.stay')),
    // A person moves only to a trip to the same destination (the plan refuses any other).
    trips.filter((other) => other.tripId !== trip.tripId && other.destinationId === trip.destinationId).map((other) => h('option', { value: other.tripId, selected: view.moves.get(person.travellerId) === other.tripId }, other.tripId)),
  );
  select.addEventListener('change', () => {
    if (select.value) view.moves.set(person.travellerId, select.value);
    else view.moves.delete(person.travellerId);
    draw(view);
  });
  return select;
}

function exceptionsPanel(view, state, byId) {
  const { t, term } = view.app.shell;
  const open = state.exceptions.filter((e) => e.state !== 'resolved');
  return h(
    'section',
    { class: `panel exceptions ${open.length ? 'some' : ''}`, 'data-testid': 'exceptions' },
    h('h2', {}, t('exceptions.title'), ' ', h('span', { class: `count ${open.length ? 'some' : ''}` }, open.length)),
    state.exceptions.length
      ? h(
          'div',
          { class: 'table-wrap' },
          table(
            [t('exceptions.kind'), t('exceptions.people'), t('exceptions.trip'), t('exceptions.owner'), t('exceptions.deadline'), t('exceptions.state'), t('exceptions.decide')],
            state.exceptions.map((e) =>
              h(
                'tr',
                { 'data-exception': e.id },
                h('td', {}, h('strong', {}, term('exceptionKind', e.kind)), h('div', { class: 'muted wrap' }, e.reason)),
                h('td', { class: 'wrap' }, e.travellerIds.map((id) => byId.get(id)?.name ?? id).join('、')),
                h('td', {}, e.tripId ?? '—'),
                h('td', {}, `${term('ownerRole', e.ownerRole)} · ${e.owner}`),
                h('td', { class: e.state === 'open' && Date.parse(e.deadline) < Date.now() ? 'late' : '' }, view.app.time(e.deadline)),
                h('td', {}, h('span', { class: `badge ${e.state === 'resolved' ? 'ok' : e.state === 'escalated' ? 'alert' : 'warn'}` }, term('exceptionState', e.state)), e.resolution ? h('div', { class: 'muted wrap' }, e.resolution) : null),
                h('td', { class: 'no-print' }, e.state === 'resolved' ? '' : decisionButtons(view, e)),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted' }, t('exceptions.none')),
  );
}

function decisionButtons(view, exception) {
  const { t, term } = view.app.shell;
  const decisions = DECISIONS[exception.kind] ?? [];
  const id = exception.id.split('/').pop();
  return h(
    'div',
    { class: 'actions' },
    decisions.map((decision) =>
      h(
        'button',
        { type: 'button', class: 'secondary small', 'data-decision': decision, disabled: view.busy, onclick: () => send(view, `exceptions/${encodeURIComponent(id)}/decision`, { decision }, t('exceptions.decided', { decision: term('decision', decision) })) },
        term('decision', decision),
      ),
    ),
  );
}

/** The run's status as its workflow answers it now; its record follows a moment later. */
const statusOf = (detail) => detail?.state?.status ?? detail?.run.status;
const fact = (label, value) => h('div', {}, h('dt', {}, label), h('dd', {}, value));
const legTone = (leg) => (leg === 'completed' ? 'ok' : leg === 'broken_down' ? 'alert' : leg === 'planned' ? '' : 'warn');
