/**
 * A closed-loop transfer run (转运): the plan, one child workflow per dispatched trip, the count of
 * every person from pick-up to hand-over, and the exceptions with their owners and deadlines.
 * The run completes only when every traveller is handed over (and admitted: home observation
 * started or quarantine record made) or has a terminal disposition a supervisor approved, and
 * every exception is resolved. Handlers change state and queue effects; each pass of the entity loop
 * (shared/entity-loop.ts) starts due trips, escalates overdue exceptions and mirrors the pass to
 * PostgreSQL with ONE local activity.
 */
import { continueAsNew, log, patched, proxyLocalActivities, setHandler, startChild, upsertSearchAttributes } from '@temporalio/workflow';
import type { TransferActivities, TransferChanges } from '../../activities/transfer/transfer.activities';
import { STATUS } from '../../libs/temporal/search-attributes';
import { localTime } from '../../libs/domain/local-time';
import { DEFAULT_TRANSFER_RULES, movePeople, PlanAdjustmentError, PlannedTrip, planTransferRun, TransferPlan, Traveller } from './transfer-planning';
import { MINUTE } from '../../libs/domain/local-time';
import {
  adjustPlanUpdate,
  decideExceptionUpdate,
  DEFAULT_RUN_RULES,
  dispatchRunUpdate,
  EXCEPTION_RULES,
  ExceptionDecision,
  ExceptionKind,
  MeetingPoint,
  PlanAdjustment,
  RunCounts,
  RunStatus,
  runStateQuery,
  RunTrip,
  RunView,
  TransferException,
  TransferRunInput,
  TravellerState,
  TripEvent,
  tripEventSignal,
  transferTripWorkflowId,
} from './transfer.messages';
import { alarmClock } from './alarm-clock';
import { transferTripWorkflow } from './transfer-trip.workflow';
import { commandRejected } from '../shared/command-rejected';
import { RECORD_CHANGES_OPTIONS } from '../shared/effects';
import { EntityLoop } from '../shared/entity-loop';

const { recordTransferChanges } = proxyLocalActivities<TransferActivities>(RECORD_CHANGES_OPTIONS);

/** The patch under which a person leaving a trip is taken off its list (see keepOnOneTrip). */
const ONE_TRIP_PER_PERSON = 'transfer-one-trip-per-person';

/**
 * A record day's run is a few thousand events; continue well before Temporal's limits. The server's
 * suggestion (from the 4,096th event by default) usually comes first; this bounds a cluster set higher.
 */
const HISTORY_LIMIT = 8_000;

export interface RunState {
  status: RunStatus;
  travellers: Record<string, TravellerState>;
  /** Every trip the run keeps, planned or dispatched, in boarding order. */
  trips: RunTrip[];
  /** Who could not be planned and why (the latest reason per person). */
  unplanned: TransferPlan['unplanned'];
  exceptions: TransferException[];
  brokenVehicleIds: string[];
  fullHotelIds: string[];
  /** Decisions that change how a person is planned: a key-person transfer meets them elsewhere. */
  overrides: Record<string, Pick<Traveller, 'keyPerson' | 'arrivalTime' | 'familyGroup'>>;
  nextTripNumber: number;
  /** Changes the previous run had not written when it continued as new: the next run writes them first. */
  unflushed?: TransferChanges;
}

export interface TransferRunOutcome {
  runId: string;
  status: 'completed';
  handedOver: number;
  closed: number;
}

const tripNumber = (tripId: string) => Number(/(\d+)$/.exec(tripId)?.[1] ?? 0);

export function initialRunState(input: TransferRunInput): RunState {
  const travellers: Record<string, TravellerState> = {};
  for (const t of input.travellers) travellers[t.travellerId] = { status: 'waiting', destinationId: t.destinationId };
  for (const trip of input.plan.trips) for (const id of trip.travellerIds) travellers[id].tripId = trip.tripId;
  for (const u of input.plan.unplanned) travellers[u.travellerId].status = 'unplanned';
  return {
    status: 'planned',
    travellers,
    trips: input.plan.trips.map((trip) => ({ ...trip, leg: 'planned', meeting: input.meeting })),
    unplanned: input.plan.unplanned,
    exceptions: [],
    brokenVehicleIds: [],
    fullHotelIds: [],
    overrides: {},
    nextTripNumber: input.plan.trips.reduce((max, trip) => Math.max(max, tripNumber(trip.tripId)), 0) + 1,
  };
}

export function countsOf(state: Pick<RunState, 'travellers' | 'exceptions'>): RunCounts {
  const counts: RunCounts = { travellers: 0, waiting: 0, onBoard: 0, arrived: 0, handedOver: 0, exceptions: 0, closed: 0, openExceptions: 0 };
  for (const t of Object.values(state.travellers)) {
    counts.travellers++;
    if (t.status === 'waiting') counts.waiting++;
    else if (t.status === 'on_board') counts.onBoard++;
    else if (t.status === 'arrived') counts.arrived++;
    else if (t.status === 'handed_over') counts.handedOver++;
    else if (t.status === 'closed') counts.closed++;
    else counts.exceptions++;
  }
  counts.openExceptions = state.exceptions.filter((e) => e.state !== 'resolved').length;
  return counts;
}

export async function transferRunWorkflow(input: TransferRunInput, carried?: RunState): Promise<TransferRunOutcome> {
  const state: RunState = carried ?? initialRunState(input);
  const rules = { ...DEFAULT_TRANSFER_RULES, ...DEFAULT_RUN_RULES, ...input.rules };
  const owners = { dispatcher: input.dispatcher, supervisor: input.supervisor };
  // Alarm clock: timers left to fire rather than cancelled (see alarm-clock.ts).
  const loop = new EntityLoop<TransferChanges>({ historyLimit: HISTORY_LIMIT, waitUntil: alarmClock() });
  let pending = emptyChanges();
  const dirtyTravellers = new Set<string>();
  const dirtyTrips = new Set<string>();
  const dirtyExceptions = new Set<string>();
  // What the previous run had not written is written again from the (carried) state.
  if (state.unflushed) {
    const { travellers, trips, exceptions, ...rest } = state.unflushed;
    pending = { ...rest, travellers: [], trips: [], exceptions: [] };
    for (const t of travellers) dirtyTravellers.add(t.travellerId);
    for (const t of trips) dirtyTrips.add(t.tripId);
    for (const e of exceptions) dirtyExceptions.add(e.id);
    state.unflushed = undefined;
  }

  function emptyChanges(): TransferChanges {
    return { runId: input.runId, travellers: [], trips: [], removedTripIds: [], exceptions: [], notifications: [] };
  }
  const trip = (tripId: string) => state.trips.find((t) => t.tripId === tripId);
  function setTraveller(id: string, change: Partial<TravellerState>) {
    Object.assign(state.travellers[id], change);
    dirtyTravellers.add(id);
    if ('tripId' in change) keepOnOneTrip(id);
  }
  function setTrip(t: RunTrip, change: Partial<RunTrip>) {
    Object.assign(t, change);
    dirtyTrips.add(t.tripId);
  }
  const local = (at: number) => localTime(at, input.utcOffsetMinutes, true);

  /** The exception's message to the accounts holding `role` for this run (the activity adds the run's subdistrict); `preferred` names the one responsible. */
  function notify(e: TransferException, purpose: string, role: TransferException['ownerRole'], preferred: string) {
    const params = { runId: input.runId, exceptionId: e.id, kind: e.kind, reason: e.reason, owner: e.owner, deadline: local(e.deadline) };
    const recipient = role === 'receiver' ? { role, destinationId: e.tripId ? trip(e.tripId)?.destinationId : undefined } : { role, preferred };
    pending.notifications.push({ id: `transfer:${e.id}:${purpose}`, recipient, template: 'transfer_exception', params, concerns: { kind: 'transfer_exception', id: e.id } });
  }
  function openException(kind: ExceptionKind, travellerIds: string[], reason: string, at: number, tripId?: string, owner?: string): TransferException {
    const { ownerRole, minutes } = EXCEPTION_RULES[kind];
    const e: TransferException = {
      id: `${input.runId}/${state.exceptions.length + 1}`,
      kind,
      travellerIds,
      tripId,
      ownerRole,
      owner: owner ?? (ownerRole === 'receiver' ? `receiver@${tripId ? trip(tripId)?.destinationId : 'unknown'}` : owners[ownerRole]),
      state: 'open',
      reason,
      openedAt: at,
      deadline: at + minutes * MINUTE,
    };
    state.exceptions.push(e);
    dirtyExceptions.add(e.id);
    log.info(`transfer exception ${kind}`, { exceptionId: e.id, kind, tripId, ownerRole });
    notify(e, 'opened', e.ownerRole, e.owner);
    return e;
  }
  function resolve(e: TransferException, resolution: string, by?: string) {
    Object.assign(e, { state: 'resolved', resolution, decidedBy: by });
    dirtyExceptions.add(e.id);
  }

  // ---------------------------------------------------------------------------------------------
  // Planning while the run is under way

  /**
   * A person is on one trip at a time: taken off every trip's list but the one they are assigned
   * to now (none after a refusal, a no-show or a breakdown), so the live state, the query and
   * transfer_trip never show them on two trips. Runs started before this kept the old lists.
   */
  function keepOnOneTrip(id: string) {
    if (!patched(ONE_TRIP_PER_PERSON)) return;
    const current = state.travellers[id].tripId;
    for (const t of state.trips) {
      if (t.tripId !== current && t.travellerIds.includes(id)) setTrip(t, { travellerIds: t.travellerIds.filter((x) => x !== id) });
    }
  }

  function plannerTraveller(id: string): Traveller {
    const t = input.travellers.find((p) => p.travellerId === id)!;
    return { ...t, destinationId: state.travellers[id].destinationId, ...state.overrides[id] };
  }
  function plannerInput() {
    return {
      vehicles: input.vehicles.map((v) => (state.brokenVehicleIds.includes(v.vehicleId) ? { ...v, available: false } : v)),
      escorts: input.escorts,
      destinations: input.destinations.map((d) => (state.fullHotelIds.includes(d.destinationId) ? { ...d, capacity: 0 } : d)),
      rules: input.rules,
    };
  }
  /** The trip as the planner sees it: only the people still assigned to it ride on it. */
  function asPinned(t: RunTrip): PlannedTrip {
    const { leg: _leg, meeting: _meeting, ...planned } = t;
    return { ...planned, travellerIds: t.travellerIds.filter((id) => state.travellers[id].tripId === t.tripId), pinned: true };
  }

  /**
   * Plans people onto new trips from `now`, around every trip the run keeps. A broken vehicle's
   * trips not yet dispatched are dropped and their people planned again too. Whoever cannot be
   * planned gets an `unplanned` exception.
   */
  function planAgain(ids: string[], now: number, meeting?: MeetingPoint, brokenVehicleId?: string): string[] {
    const dropped = state.trips.filter((t) => t.leg === 'planned' && t.vehicleId === brokenVehicleId);
    const toPlan = [...ids, ...dropped.flatMap((t) => t.travellerIds.filter((id) => state.travellers[id].tripId === t.tripId))];
    state.trips = state.trips.filter((t) => !dropped.includes(t));
    pending.removedTripIds.push(...dropped.map((t) => t.tripId));
    const kept = new Set(state.trips.map((t) => t.tripId));
    let plan: TransferPlan;
    try {
      plan = planTransferRun({
        ...plannerInput(),
        travellers: toPlan.map(plannerTraveller),
        pinnedTrips: state.trips.map(asPinned),
        startAt: now,
        firstTripNumber: state.nextTripNumber,
      });
    } catch (error) {
      plan = { trips: [], unplanned: toPlan.map((travellerId) => ({ travellerId, reason: (error as Error).message })), stats: { trips: 0, seatsUsed: 0, seatsOffered: 0, maxWaitMinutes: 0, meanWaitMinutes: 0 } };
    }
    const added = plan.trips.filter((t) => !kept.has(t.tripId));
    for (const t of added) {
      const { pinned: _pinned, ...planned } = t;
      state.trips.push({ ...planned, leg: 'planned', meeting: meeting ?? input.meeting });
      dirtyTrips.add(t.tripId);
      state.nextTripNumber = Math.max(state.nextTripNumber, tripNumber(t.tripId) + 1);
      for (const id of t.travellerIds) setTraveller(id, { status: 'waiting', tripId: t.tripId });
    }
    state.trips.sort((a, b) => a.departAt - b.departAt || (a.tripId < b.tripId ? -1 : 1));
    state.unplanned = [...state.unplanned.filter((u) => !toPlan.includes(u.travellerId)), ...plan.unplanned];
    for (const u of plan.unplanned) {
      setTraveller(u.travellerId, { status: 'unplanned', tripId: undefined });
      openException('unplanned', [u.travellerId], u.reason, now);
    }
    return added.map((t) => t.tripId);
  }

  // ---------------------------------------------------------------------------------------------
  // What the trips report

  function handleTripEvent(e: TripEvent) {
    const t = trip(e.tripId);
    if (!t) return;
    switch (e.kind) {
      case 'boarded':
      case 'picked_up':
        setTraveller(e.travellerId, { status: 'on_board' });
        if (t.leg === 'dispatched') setTrip(t, { leg: 'boarding' });
        break;
      case 'no_show':
      case 'refused': {
        const ids = 'travellerIds' in e ? e.travellerIds : [e.travellerId];
        for (const id of ids) setTraveller(id, { status: e.kind, tripId: undefined });
        const reason = e.kind === 'no_show' ? `did not come to trip ${t.tripId}` : `refused trip ${t.tripId}`;
        openException(e.kind === 'no_show' ? 'no_show' : 'refusal', ids, reason + (e.note ? `: ${e.note}` : ''), e.at, t.tripId);
        break;
      }
      case 'departed':
        setTrip(t, { leg: 'departed' });
        break;
      case 'arrived':
        setTrip(t, { leg: 'arrived' });
        for (const id of t.travellerIds) if (state.travellers[id].status === 'on_board') setTraveller(id, { status: 'arrived' });
        break;
      case 'handed_over': {
        setTraveller(e.travellerId, { status: 'handed_over', handedOverAt: e.at, receiver: e.receiver, aftercare: 'pending' });
        for (const x of state.exceptions) {
          if (x.state !== 'resolved' && x.kind === 'handover_unacknowledged' && x.travellerIds.every((id) => state.travellers[id].status === 'handed_over')) {
            resolve(x, `handed over; last at ${local(e.at)}`, e.receiver.name);
          }
        }
        break;
      }
      case 'admitted':
        setTraveller(e.travellerId, { aftercare: 'done', observationNumber: e.observationNumber, quarantineRecordId: e.quarantineRecordId });
        break;
      case 'admission_failed':
        setTraveller(e.travellerId, { aftercare: 'failed' });
        openException('admission_failed', [e.travellerId], e.reason, e.at, t.tripId);
        break;
      case 'breakdown': {
        setTrip(t, { leg: 'broken_down' });
        if (!state.brokenVehicleIds.includes(e.vehicleId)) state.brokenVehicleIds.push(e.vehicleId);
        for (const id of e.travellerIds) setTraveller(id, { status: 'waiting', tripId: undefined });
        const x = openException('breakdown', e.travellerIds, `vehicle ${e.vehicleId} broke down on trip ${t.tripId}` + (e.note ? `: ${e.note}` : ''), e.at, t.tripId);
        const added = planAgain(e.travellerIds, e.at, undefined, e.vehicleId);
        resolve(x, added.length ? `re-planned onto ${added.join(', ')}` : 'nobody to re-plan', 'planner');
        break;
      }
      case 'hotel_full':
        if (!state.fullHotelIds.includes(t.destinationId)) state.fullHotelIds.push(t.destinationId);
        openException('hotel_full', e.travellerIds, `${t.destinationId} refused ${e.travellerIds.length} people: full` + (e.note ? ` (${e.note})` : ''), e.at, t.tripId);
        break;
      case 'rerouted':
        setTrip(t, { destinationId: e.destinationId, leg: 'departed' });
        for (const id of t.travellerIds) {
          const s = state.travellers[id];
          if (s.tripId === t.tripId && (s.status === 'on_board' || s.status === 'arrived')) setTraveller(id, { status: 'on_board', destinationId: e.destinationId });
        }
        for (const x of state.exceptions) if (x.tripId === t.tripId && x.kind === 'hotel_full' && x.state !== 'resolved') resolve(x, `re-routed to ${e.destinationId}`, e.by);
        break;
      case 'handover_overdue':
        openException('handover_unacknowledged', e.travellerIds, `${e.travellerIds.length} people arrived at ${t.destinationId} and not handed over after ${rules.handOverTimeoutMinutes} min`, e.at, t.tripId);
        break;
      case 'completed':
        setTrip(t, { leg: 'completed' });
        break;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Dispatcher and supervisor commands

  function findException(id: string): TransferException {
    const e = state.exceptions.find((x) => x.id === id);
    if (!e) throw commandRejected('not_found', [{ field: 'exceptionId', reason: `no exception ${id} on run ${input.runId}` }]);
    return e;
  }
  function requireStatus(...statuses: RunStatus[]) {
    if (!statuses.includes(state.status)) throw commandRejected('conflict', [{ field: 'status', reason: `run ${input.runId} is ${state.status}` }]);
  }
  function adjusted(adjustment: PlanAdjustment): { trips: RunTrip[]; unplanned: TransferPlan['unplanned'] } {
    const pins = new Set(adjustment.pinTripIds ?? []);
    for (const [i, id] of [...pins].entries()) if (!trip(id)) throw commandRejected('not_found', [{ field: `pinTripIds[${i}]`, reason: `no trip ${id}` }]);
    const travellers = input.travellers.map((t) => plannerTraveller(t.travellerId));
    const current = { trips: state.trips.map(({ leg: _leg, meeting: _meeting, ...t }) => t), unplanned: state.unplanned };
    let plan: TransferPlan;
    try {
      plan = movePeople(current, adjustment.moves ?? [], { ...plannerInput(), travellers });
      plan.trips = plan.trips.map((t) => (pins.has(t.tripId) ? { ...t, pinned: true } : t));
      if (adjustment.replan) {
        plan = planTransferRun({ ...plannerInput(), travellers, pinnedTrips: plan.trips.filter((t) => t.pinned), firstTripNumber: state.nextTripNumber });
      }
    } catch (error) {
      if (error instanceof PlanAdjustmentError) throw commandRejected('conflict', [{ field: error.field, reason: error.reason }]);
      throw error;
    }
    return { trips: plan.trips.map((t) => ({ ...t, leg: 'planned', meeting: input.meeting })), unplanned: plan.unplanned };
  }

  setHandler(runStateQuery, view);

  setHandler(tripEventSignal, (event) => {
    handleTripEvent(event);
    loop.wake();
  });

  setHandler(
    dispatchRunUpdate,
    (_command: { by: string }) => {
      state.status = 'running';
      loop.wake();
      return view();
    },
    { validator: (_command: { by: string }) => requireStatus('planned') },
  );

  setHandler(
    adjustPlanUpdate,
    (adjustment) => {
      const { trips, unplanned } = adjusted(adjustment);
      pending.removedTripIds.push(...state.trips.filter((t) => !trips.some((n) => n.tripId === t.tripId)).map((t) => t.tripId));
      state.trips = trips;
      state.unplanned = unplanned;
      for (const t of trips) {
        dirtyTrips.add(t.tripId);
        state.nextTripNumber = Math.max(state.nextTripNumber, tripNumber(t.tripId) + 1);
        for (const id of t.travellerIds) setTraveller(id, { status: 'waiting', tripId: t.tripId });
      }
      for (const u of unplanned) setTraveller(u.travellerId, { status: 'unplanned', tripId: undefined });
      loop.wake();
      return view();
    },
    {
      validator: (adjustment) => {
        requireStatus('planned');
        if (!adjustment.moves?.length && !adjustment.pinTripIds?.length && !adjustment.replan) throw commandRejected('invalid', [{ field: 'moves', reason: 'give moves, trips to pin or replan' }]);
        adjusted(adjustment);
      },
    },
  );

  setHandler(
    decideExceptionUpdate,
    (d: ExceptionDecision) => {
      const e = findException(d.exceptionId);
      const now = Date.now();
      if (d.decision === 'acknowledge') {
        Object.assign(e, { state: 'acknowledged', decidedBy: d.by, resolution: d.note });
        dirtyExceptions.add(e.id);
      } else if (d.decision === 'resolve') {
        resolve(e, d.note ?? 'resolved', d.by);
      } else if (d.decision === 'close') {
        for (const id of e.travellerIds) setTraveller(id, { status: 'closed', tripId: undefined, closedAs: d.closedAs, closedBy: d.by });
        resolve(e, `closed as ${d.closedAs}` + (d.note ? `: ${d.note}` : ''), d.by);
      } else {
        const meeting = d.decision === 'key_person_transfer' ? d.meeting : undefined;
        if (meeting) for (const id of e.travellerIds) state.overrides[id] = { keyPerson: true, arrivalTime: meeting.at, familyGroup: `key:${e.id}` };
        const added = planAgain(e.travellerIds, now, meeting);
        resolve(e, added.length ? `${d.decision === 'replan' ? 're-planned' : 'key-person transfer'} on ${added.join(', ')}` : 'could not be planned; see the new exception', d.by);
      }
      loop.wake();
      return view();
    },
    {
      validator: (d: ExceptionDecision) => {
        requireStatus('running');
        const e = findException(d.exceptionId);
        if (e.state === 'resolved') throw commandRejected('conflict', [{ field: 'exceptionId', reason: `exception ${e.id} is already resolved: ${e.resolution}` }]);
        const allowed = EXCEPTION_RULES[e.kind].decisions;
        if (!allowed.includes(d.decision)) throw commandRejected('conflict', [{ field: 'decision', reason: `a ${e.kind} exception takes ${allowed.join(' or ')}` }]);
        if (d.decision === 'close' && !d.closedAs?.trim()) throw commandRejected('invalid', [{ field: 'closedAs', reason: 'name the terminal disposition the supervisor approves' }]);
        if (d.decision === 'key_person_transfer' && (!d.meeting?.point?.trim() || !Number.isFinite(d.meeting?.at))) {
          throw commandRejected('invalid', [{ field: 'meeting', reason: 'a key-person transfer needs a meeting point and time' }]);
        }
      },
    },
  );

  function view(): RunView {
    return {
      runId: input.runId,
      kind: input.kind,
      status: state.status,
      counts: countsOf(state),
      trips: state.trips,
      unplanned: state.unplanned.filter((u) => state.travellers[u.travellerId].status === 'unplanned'),
      exceptions: state.exceptions,
      travellers: state.travellers,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // The loop

  const loadingMs = rules.loadingMinutes * MINUTE;
  const dispatchAt = (t: RunTrip) => t.departAt - loadingMs - rules.dispatchLeadMinutes * MINUTE;

  async function startDueTrips(now: number) {
    for (const t of state.trips.filter((x) => x.leg === 'planned' && dispatchAt(x) <= now)) {
      setTrip(t, { leg: 'dispatched' });
      const riders = t.travellerIds.filter((id) => state.travellers[id].tripId === t.tripId);
      await startChild(transferTripWorkflow, {
        workflowId: transferTripWorkflowId(input.runId, t.tripId),
        args: [
          {
            runId: input.runId,
            trip: { ...asPinned(t), travellerIds: riders, pinned: undefined },
            destinationKinds: Object.fromEntries(input.destinations.map((d) => [d.destinationId, d.kind])),
            handOverTimeoutMinutes: rules.handOverTimeoutMinutes,
            loadingMinutes: rules.loadingMinutes,
            meeting: t.meeting,
            ...(input.observations ? { observations: Object.fromEntries(riders.flatMap((id) => (input.observations![id] ? [[id, input.observations![id]]] : []))) } : {}),
          },
        ],
        // Trips outlive a continue-as-new of their run; they signal it by workflow id.
        parentClosePolicy: 'ABANDON',
      });
    }
  }

  function escalateOverdue(now: number) {
    for (const e of state.exceptions.filter((x) => x.state === 'open' && x.deadline <= now)) {
      Object.assign(e, { state: 'escalated', escalatedAt: now });
      dirtyExceptions.add(e.id);
      notify(e, 'escalated', 'supervisor', input.supervisor);
    }
  }

  const closedLoop = () =>
    Object.values(state.travellers).every((t) => t.status === 'closed' || (t.status === 'handed_over' && t.aftercare !== 'pending')) &&
    state.exceptions.every((e) => e.state === 'resolved') &&
    state.trips.every((t) => t.leg === 'completed' || t.leg === 'broken_down' || t.travellerIds.every((id) => state.travellers[id].tripId !== t.tripId));

  let recorded = carried !== undefined;
  // The first pass mirrors the whole plan; later passes only what changed.
  if (!carried) for (const t of state.trips) dirtyTrips.add(t.tripId);
  function takeChanges(): TransferChanges | undefined {
    if (recorded && !dirtyTravellers.size && !dirtyTrips.size && !dirtyExceptions.size && !pending.notifications.length && !pending.removedTripIds.length) return undefined;
    recorded = true;
    const changes = pending;
    pending = emptyChanges();
    changes.run = { status: state.status, counts: countsOf(state) };
    changes.travellers = [...dirtyTravellers].map((travellerId) => ({ travellerId, ...state.travellers[travellerId] }));
    changes.trips = state.trips.filter((t) => dirtyTrips.has(t.tripId));
    changes.exceptions = state.exceptions.filter((e) => dirtyExceptions.has(e.id));
    dirtyTravellers.clear();
    dirtyTrips.clear();
    dirtyExceptions.clear();
    return changes;
  }

  let shownStatus: RunStatus | undefined;
  async function pass(now: number) {
    if (state.status === 'planned' && input.dispatchNow && !carried) state.status = 'running';
    if (state.status === 'running') await startDueTrips(now);
    escalateOverdue(now);
    if (state.status === 'running' && closedLoop()) state.status = 'completed';
    if (shownStatus !== state.status) {
      shownStatus = state.status;
      upsertSearchAttributes([{ key: STATUS, value: state.status }]);
    }
  }

  await loop.run({
    pass,
    takeChanges,
    record: recordTransferChanges,
    finished: () => state.status === 'completed',
    nextWakeAt: () =>
      Math.min(...(state.status === 'running' ? state.trips.filter((t) => t.leg === 'planned').map(dispatchAt) : []), ...state.exceptions.filter((e) => e.state === 'open').map((e) => e.deadline)),
    continueAsNew: (unflushed) => continueAsNew<typeof transferRunWorkflow>(input, { ...state, unflushed }),
  });

  const counts = countsOf(state);
  return { runId: input.runId, status: 'completed', handedOver: counts.handedOver, closed: counts.closed };
}
