/**
 * One person's home medical observation (居家医学观察), from enrolment to release.
 * What happens when: observation-schedule.ts; the rules: observation-policy.ts; the messages:
 * observation.messages.ts. Handlers only change state and queue effects; the entity loop
 * (shared/entity-loop.ts) performs the effects (PostgreSQL writes as one local activity,
 * deliveries as activities), so every change is recorded in order and exactly once.
 */
import { continueAsNew, getExternalWorkflowHandle, log, patched, proxyActivities, proxyLocalActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { NotificationConcern, NotificationRequest } from '../../libs/notifications/notification-outbox';
import type { NotificationTemplate } from '../../libs/notifications/notification-templates';
import { roleWhereLiving } from '../../libs/notifications/recipients';
import type { ObservationActivities, ObservationChanges } from '../../activities/observation/observation.activities';
import type { GuardPostActivities } from '../../activities/roster/guard-post.activities';
import type { PickupActivities } from '../../activities/transfer/pickup.activities';
import { NEXT_DUE_AT, STATUS } from '../../libs/temporal/search-attributes';
import {
  acknowledgeEscalationUpdate,
  changePolicyUpdate,
  clockWakeSignal,
  observationClockId,
  decideHealthEscalationUpdate,
  deviceEventSignal,
  endEarlyUpdate,
  EndReason,
  Escalation,
  EscalationKind,
  extendUpdate,
  guardPostId,
  liftGuardUpdate,
  Measure,
  MEASURES,
  ObservationInput,
  OwnerRole,
  ObservationStatus,
  Pickup,
  pickupHandedOverSignal,
  observationStateQuery,
  ObservationView,
  reportSignal,
  resolveEscalationUpdate,
  SlotMissed,
  slotMissedSignal,
  takeMeasureUpdate,
  TemperatureReport,
} from './observation.messages';
import { validateRules } from './observation-policy';
import { dayOfPeriod, doorOpeningAllowed, nextDeadlineAfter, ObservationPeriod, openSlotAt, periodOf, releaseAt, Slot, slotsOf } from './observation-schedule';
import { DAY, localDate, localMidnight, localTime } from '../../libs/domain/local-time';
import { enrolledEntry, enrolmentVisibility, reportEntry, TrackingEntry, trackingEntry } from './tracking-entry';
import { missedReport } from './missed-report';
import { commandRejected } from '../shared/command-rejected';
import { RECORD_CHANGES_OPTIONS } from '../shared/effects';
import { EntityLoop } from '../shared/entity-loop';

const { recordObservationChanges } = proxyLocalActivities<ObservationActivities>(RECORD_CHANGES_OPTIONS);
// Posting plans and publishes a roster (a solve, shift workflows started): seconds, not a local write.
const { postGuard, closeGuardPost } = proxyActivities<GuardPostActivities>({ startToCloseTimeout: '2 minutes', retry: { maximumInterval: '1 minute' } });
// Retried a few times only: a supervisor awaits the answer, and a start that keeps failing is recorded on the escalation.
const { startPickupRun } = proxyActivities<PickupActivities>({ startToCloseTimeout: '1 minute', retry: { maximumAttempts: 5, maximumInterval: '10 seconds' } });

/** Continue-as-new well before Temporal's limits; an observation's normal history is a few hundred events. */
const HISTORY_LIMIT = 2_000;
/**
 * On the observation clock a quiet day adds no event (no timer per slot), so the history grows only
 * with what happens to the person; this bound keeps a replay on day 13 about as short as on day 1.
 */
const CLOCK_HISTORY_LIMIT = 300;
/**
 * From this patch the observation clock (observation-clock.workflow.ts) sends the check-in
 * reminders of everyone on it and finds the missed reports once per slot; this workflow no longer
 * sets a timer per slot and is told of a miss by slotMissedSignal. Runs before it keep their timers.
 */
const COHORT_CLOCK = 'observation-clock';
/** From this patch the clock's sweep writes a miss's escalations and notices itself; the workflow takes them in (handleSlotMissed). */
const SWEEP_RECORDS_MISSES = 'sweep-records-misses';
/** From this patch a message handled during a write wakes the next pass (shared/entity-loop.ts). */
const WAKE_KEPT = 'observation-wake-kept-across-write';
const MAX_REMEMBERED_REQUESTS = 200;
/** From this patch "guard posted" posts a guard (a roster post with shifts); histories before it only recorded the step. */
const GUARD_POST = 'guard-post-on-measure';
/** From this patch a hospital or centralized-quarantine decision starts a pick-up run, and the hand-over ends the observation. */
const PICKUP_ON_DECISION = 'pickup-on-decision';

export interface ObservationState {
  status: ObservationStatus;
  anchorDate: string;
  policy: ObservationInput['policy'];
  reports: Record<string, { at: number; temperature: number; source: TemperatureReport['source'] }>;
  missedSlots: string[];
  /** Everything due at or before this instant has been handled. */
  handledUntil: number;
  escalations: Escalation[];
  measuresTaken: Measure[];
  /** The guard post of "guard posted" (epoch ms), from GUARD_POST on. */
  guard?: { postId: string; planId?: string; shifts?: number; unfilled?: number; liftedAt?: number };
  requestIds: string[];
  endReason?: EndReason;
  endedAt?: number;
  /** The pick-up run a decision started (status awaiting_pickup until it hands the person over). */
  pickup?: Pickup;
  /** Changes the previous run had not written when it continued as new: the next run writes them first. */
  unflushed?: ObservationChanges;
}

export interface ObservationOutcome {
  number: string;
  status: 'released' | 'ended';
  endReason?: EndReason;
  at: string;
}


export async function observationWorkflow(input: ObservationInput, carried?: ObservationState): Promise<ObservationOutcome> {
  const state: ObservationState = carried ?? {
    status: 'active',
    anchorDate: input.anchorDate,
    policy: input.policy,
    reports: {},
    missedSlots: [],
    handledUntil: input.startedAt,
    escalations: [],
    measuresTaken: [],
    requestIds: [],
  };
  let pending: ObservationChanges = state.unflushed ?? emptyChanges();
  state.unflushed = undefined;
  // patched() first, so every run of the new code records the marker whatever its input.
  const onClock = patched(COHORT_CLOCK) && input.slotClock !== 'own';
  const loop = new EntityLoop<ObservationChanges>({ historyLimit: onClock ? CLOCK_HISTORY_LIMIT : HISTORY_LIMIT, wakeKeptFrom: WAKE_KEPT });
  // A run the enrolment did not put on the clock (continued from a run of the timers, or restarted from its record) puts itself there.
  if (onClock && (carried || input.slotClock === undefined)) {
    pending.observation = { slotClock: workflowInfo().taskQueue };
    wakeTheClock();
  }
  /** Tells the clock its observations' policies changed (this one joined it or moved policy); a clock not running yet learns it when it starts. */
  function wakeTheClock() {
    getExternalWorkflowHandle(observationClockId(workflowInfo().taskQueue)).signal(clockWakeSignal).catch(() => undefined);
  }

  const period = (): ObservationPeriod => periodOf({ ...input, anchorDate: state.anchorDate, policy: state.policy });
  const open = () => state.status === 'active' || state.status === 'escalated' || state.status === 'awaiting_pickup';
  const day = (at: number) => dayOfPeriod(period(), at);
  const openEscalations = () => state.escalations.filter((e) => e.state !== 'resolved');
  const supervisor = `supervisor@${input.subdistrict}`;
  const medical = `medical@${input.subdistrict}`;

  function emptyChanges(): ObservationChanges {
    return { number: input.number, tracking: [], escalations: [], notifications: [] };
  }
  function track(kind: string, at: number, detail: Record<string, unknown>, extra: { slotStart?: number; temperature?: number; key?: string } = {}) {
    trackLine(trackingEntry(input.number, kind, at, day(at), detail, extra));
  }
  function trackLine(line: TrackingEntry) {
    pending.tracking.push(line);
    // The event's kind only: the log line carries the workflow id, never the person's details.
    log.info(`observation ${line.kind}`, { kind: line.kind });
  }
  function notify(purpose: string, recipient: NotificationRequest['recipient'], template: NotificationTemplate, params: Record<string, string | number> = {}, concerns?: NotificationConcern) {
    pending.notifications.push({ id: `${input.number}:${purpose}`, recipient, template, params, concerns: concerns ?? { kind: 'observation', id: input.number } });
  }
  const holders = (role: OwnerRole, preferred?: string) => roleWhereLiving(role, input, preferred);
  const about = (e: Escalation): NotificationConcern => ({ kind: 'escalation', id: e.id });
  const local = (at: number, withDate = false) => localTime(at, input.utcOffsetMinutes, withDate);
  const slotParams = (slot: Slot) => ({ slotStart: local(slot.opensAt), slotEnd: local(slot.closesAt) });
  function escalate(kind: EscalationKind, ownerRole: Escalation['ownerRole'], owner: string, reason: string, at: number, slotKey?: string): Escalation {
    const escalation: Escalation = { id: `${input.number}/${state.escalations.length + 1}`, kind, ownerRole, owner, state: 'open', reason, openedAt: at, slotKey };
    state.escalations.push(escalation);
    pending.escalations.push(escalation);
    track('escalation', at, { escalationId: escalation.id, kind, owner, reason }, { key: escalation.id });
    return escalation;
  }
  function setStatus(status: ObservationStatus) {
    state.status = status;
    pending.observation = { ...pending.observation, status };
  }
  function end(reason: EndReason, at: number, by: string, note?: string) {
    setStatus('ended');
    state.endReason = reason;
    state.endedAt = at;
    pending.observation = { ...pending.observation, endReason: reason, endedAt: at, nextDueAt: null };
    for (const e of openEscalations()) {
      e.state = 'resolved';
      e.resolution = `observation ended: ${reason}`;
      pending.escalations.push(e);
    }
    track('end', at, { reason, by, note }, { key: 'end' });
    notify('ended', { personId: input.personId }, 'observation_ended', { endDate: local(at, true), reason });
  }
  function findEscalation(id: string): Escalation {
    const escalation = state.escalations.find((e) => e.id === id);
    if (!escalation) throw commandRejected('not_found', [{ field: 'escalationId', reason: `no escalation ${id} on observation ${input.number}` }]);
    return escalation;
  }
  function requireOpen() {
    if (!open()) throw commandRejected('conflict', [{ field: 'number', reason: `observation ${input.number} is ${state.status}` }]);
  }
  function handleReport(report: TemperatureReport) {
    if (state.requestIds.includes(report.requestId)) return;
    state.requestIds = [...state.requestIds, report.requestId].slice(-MAX_REMEMBERED_REQUESTS);
    const slot = openSlotAt(period(), report.at);
    // The API checked these too; re-checked here because state may have moved since (a release, an end).
    if (!open() || !slot) {
      track('report_rejected', report.at, { requestId: report.requestId, reason: !open() ? `observation ${state.status}` : 'no check-in slot open' }, { key: report.requestId });
      return;
    }
    state.reports[slot.key] = { at: report.at, temperature: report.temperature, source: report.source };
    if (onClock) reportOnTheClock(report, slot);
    const fever = report.temperature >= state.policy.rules.feverThreshold;
    const symptoms = report.symptoms?.filter((s) => s.trim()) ?? [];
    if (fever || symptoms.length) {
      const reason = fever ? `temperature ${report.temperature} °C ≥ ${state.policy.rules.feverThreshold} °C` : `symptoms: ${symptoms.join(', ')}`;
      const e = escalate(fever ? 'fever' : 'symptom', 'medical', medical, reason + (fever && symptoms.length ? `; symptoms: ${symptoms.join(', ')}` : ''), report.at, slot.key);
      // Someone already being fetched stays awaiting their pick-up; the escalation is there for the medical staff.
      if (state.status !== 'awaiting_pickup') setStatus('escalated');
      const params = { temperature: report.temperature, symptoms: symptoms.join(', ') || '-', reportedAt: local(report.at, true) };
      notify(`health:${slot.key}:medical`, holders('medical'), 'fever_alert', params, about(e));
      notify(`health:${slot.key}:supervisor`, holders('supervisor'), 'fever_alert', params, about(e));
    }
  }

  /**
   * On the clock the tracking log is the record of reports the sweep reads: a thermometer's reading
   * (which the API does not write) is written here. A report the API accepted before the deadline
   * but wrote after the sweep had looked answers the miss it raised.
   */
  function reportOnTheClock(report: TemperatureReport, slot: Slot) {
    if (report.source === 'thermometer') {
      trackLine(reportEntry(input.number, report, period(), slot.opensAt));
    }
    if (!state.missedSlots.includes(slot.key)) return;
    state.missedSlots = state.missedSlots.filter((key) => key !== slot.key);
    for (const e of openEscalations().filter((o) => o.slotKey === slot.key && (o.kind === 'missed_report' || o.kind === 'missed_report_repeat'))) {
      e.state = 'resolved';
      e.resolution = `report received at ${new Date(report.at).toISOString()}, before the deadline`;
      pending.escalations.push(e);
    }
  }

  function handleDeviceEvent(event: { eventId: string; deviceId: string; kind: string; at: number; value?: number }) {
    if (!open() || state.requestIds.includes(event.eventId)) return;
    state.requestIds = [...state.requestIds, event.eventId].slice(-MAX_REMEMBERED_REQUESTS);
    track('device_event', event.at, { eventId: event.eventId, deviceId: event.deviceId, kind: event.kind, value: event.value }, { key: event.eventId });
    if (event.kind === 'thermometer_reading' && typeof event.value === 'number' && openSlotAt(period(), event.at)) {
      handleReport({ requestId: `device:${event.eventId}`, at: event.at, temperature: event.value, source: 'thermometer' });
    }
    if (event.kind === 'door_opened' && !doorOpeningAllowed(state.policy.rules, input.utcOffsetMinutes, event.at)) {
      const next = MEASURES[state.measuresTaken.length] ?? 'centralized_quarantine';
      const reason = `door opened at ${new Date(event.at).toISOString()} outside allowed times; proposed measure: ${next}`;
      const e = escalate('non_cooperation', 'community_worker', input.responsibleWorker, reason, event.at);
      notify(`door:${event.eventId}`, holders('community_worker', input.responsibleWorker), 'non_cooperation', { openedAt: local(event.at, true), measure: next }, about(e));
    }
  }

  /** No report for `slot` by its deadline: the worker's escalation, and the supervisor's when the slot before was missed too. */
  function miss(slot: Slot, previous: Slot | undefined) {
    const n = state.escalations.length;
    const records = missedReport({ ...input, anchorDate: state.anchorDate }, input.utcOffsetMinutes, slot, previous && state.missedSlots.includes(previous.key) ? previous : undefined, {
      missed: `${input.number}/${n + 1}`,
      repeat: `${input.number}/${n + 2}`,
    });
    state.missedSlots.push(slot.key);
    state.escalations.push(...records.escalations);
    pending.tracking.push(...records.tracking);
    pending.escalations.push(...records.escalations);
    pending.notifications.push(...records.notifications);
    log.info('observation missed_report', { kind: 'missed_report' });
  }

  /**
   * The clock found no report for `slotKey` by its deadline; once per slot, and only for a slot this
   * observation owes. From SWEEP_RECORDS_MISSES the sweep has written the escalations (`recorded`)
   * and sent their notices: they are taken into the state, or resolved when this run knows better.
   */
  function handleSlotMissed({ slotKey, recorded }: SlotMissed) {
    if (recorded && patched(SWEEP_RECORDS_MISSES)) return takeSweptMiss(slotKey, recorded);
    if (!onClock || !open() || state.reports[slotKey] || state.missedSlots.includes(slotKey)) return;
    const slots = slotsOf(period());
    const i = slots.findIndex((s) => s.key === slotKey);
    if (i < 0 || !slots[i].owed) return;
    miss(slots[i], slots[i - 1]);
    loop.wake();
  }

  function takeSweptMiss(slotKey: string, recorded: Escalation[]) {
    // A sweep retried tells again what it told before.
    const fresh = recorded.filter((e) => !state.escalations.some((known) => known.id === e.id));
    if (!fresh.length) return;
    const answered = sweptMissAnswered(slotKey);
    for (const e of fresh) {
      state.escalations.push(answered ? { ...e, state: 'resolved', resolution: answered } : e);
      if (answered) pending.escalations.push(state.escalations[state.escalations.length - 1]);
    }
    if (!answered && !state.missedSlots.includes(slotKey)) state.missedSlots.push(slotKey);
    loop.wake();
  }

  /** Why this run answers the sweep's miss itself: a report it took (a thermometer's reading not written yet when the sweep looked), or an observation closed since. */
  function sweptMissAnswered(slotKey: string): string | undefined {
    const report = state.reports[slotKey];
    if (report) return `report received at ${new Date(report.at).toISOString()}, before the deadline`;
    if (!open()) return `observation ${state.status}`;
    if (!onClock || !slotsOf(period()).some((s) => s.key === slotKey && s.owed)) return `slot ${slotKey} is not owed by this observation`;
    return undefined;
  }

  /** Reminders and misses that have fallen due since the last pass (the per-slot timers of runs before the clock). */
  function handleDue(now: number) {
    const slots = slotsOf(period());
    slots.forEach((slot, i) => {
      if (state.reports[slot.key] || !slot.owed) return;
      if (slot.remindAt > state.handledUntil && slot.remindAt <= now && now < slot.deadline) {
        notify(`reminder:${slot.key}`, { personId: input.personId }, 'checkin_reminder', slotParams(slot));
        track('reminder', slot.remindAt, { slotKey: slot.key }, { slotStart: slot.opensAt, key: `reminder:${slot.key}` });
      }
      if (slot.deadline > state.handledUntil && slot.deadline <= now) miss(slot, slots[i - 1]);
    });
    state.handledUntil = Math.max(state.handledUntil, now);
  }

  /** The deadline of the next slot still owed a report: what supervisors see as "due". */
  function nextDueAt(now: number): number | undefined {
    return nextDeadlineAfter(period(), now, new Set(Object.keys(state.reports)));
  }

  /**
   * The next due instant (null: none, the observation is closed), or undefined when this run cannot
   * know it: on the clock a plain report is not signalled, so while a slot is open its report is the
   * API's to know (the API moves the record's next due time when it takes one).
   */
  function knownNextDue(now: number): number | null | undefined {
    if (!open()) return null;
    const slot = onClock ? openSlotAt(period(), now) : undefined;
    if (slot?.owed && !state.reports[slot.key]) return undefined;
    return nextDueAt(now) ?? null;
  }

  /** When the loop must next look at the clock: a reminder, a deadline or the release (on the observation clock, the release only). */
  function nextWakeAt(now: number): number {
    const times = onClock ? [] : slotsOf(period())
      .filter((s) => s.owed && !state.reports[s.key])
      .flatMap((s) => [s.remindAt, s.deadline])
      .filter((t) => t > now);
    const release = releaseAt(period());
    return Math.min(...times, release > now ? release : Infinity);
  }

  function releaseBlockedBy(now: number): string | undefined {
    if (now < releaseAt(period())) return undefined;
    if (state.pickup) return `a pick-up to ${state.pickup.reason} is under way (transfer run ${state.pickup.runId})`;
    if (state.status === 'escalated') return 'a health escalation awaits a supervisor decision';
    // A guard nobody can staff is the roster's gap, not the person's: it holds back no release.
    const openCount = openEscalations().filter((e) => e.kind !== 'guard_unstaffed').length;
    return openCount ? `${openCount} escalation(s) still open` : undefined;
  }

  function view(): ObservationView {
    const now = Date.now();
    const today = localDate(now, input.utcOffsetMinutes);
    const midnight = localMidnight(today, input.utcOffsetMinutes);
    const release = releaseAt(period());
    const next = open() ? nextDueAt(now) : undefined;
    return {
      number: input.number,
      status: state.status,
      category: input.category,
      day: Math.min(day(now), state.policy.rules.periodDays),
      periodDays: state.policy.rules.periodDays,
      anchorDate: state.anchorDate,
      releaseDueAt: new Date(release).toISOString(),
      nextDueAt: next ? new Date(next).toISOString() : undefined,
      policyId: state.policy.id,
      today: slotsOf(period())
        .filter((s) => s.opensAt >= midnight && s.opensAt < midnight + DAY)
        .map((s) => ({
          slotKey: s.key,
          opensAt: new Date(s.opensAt).toISOString(),
          deadline: new Date(s.deadline).toISOString(),
          state: state.reports[s.key] ? 'reported' : state.missedSlots.includes(s.key) ? 'missed' : now >= s.opensAt && now < s.deadline ? 'open' : 'upcoming',
          temperature: state.reports[s.key]?.temperature,
        })),
      escalations: state.escalations,
      openEscalations: openEscalations().length,
      measuresTaken: state.measuresTaken,
      guardPost: state.guard && { ...state.guard, liftedAt: state.guard.liftedAt === undefined ? undefined : new Date(state.guard.liftedAt).toISOString() },
      reportsReceived: Object.keys(state.reports).length,
      missedSlots: state.missedSlots.length,
      releaseBlockedBy: open() ? releaseBlockedBy(now) : undefined,
      endReason: state.endReason,
      endedAt: state.endedAt ? new Date(state.endedAt).toISOString() : undefined,
      pickup: state.pickup && { runId: state.pickup.runId, reason: state.pickup.reason, startedAt: new Date(state.pickup.startedAt).toISOString() },
    };
  }

  /** A pick-up run's start in flight: no second decision meanwhile. */
  let pickupStarting = false;
  function requireNoPickup() {
    if (pickupStarting || state.pickup) throw commandRejected('conflict', [{ field: 'number', reason: state.pickup ? `observation ${input.number} awaits its pick-up (transfer run ${state.pickup.runId})` : 'a pick-up run is being started' }]);
  }

  /**
   * A hospital or centralized-quarantine decision: starts the pick-up run (at once, one per decision
   * whatever the retries) and waits for its hand-over, status awaiting_pickup. A run that cannot start
   * leaves `escalations` open with the reason, and the observation as it was, for a decision later.
   */
  async function pickUp(reason: Pickup['reason'], decisionKey: string, by: string, escalations: Escalation[], started: () => void): Promise<ObservationView> {
    pickupStarting = true;
    const outcome = await startPickupRun({ number: input.number, reason, decisionKey, by, at: Date.now() }).catch((error: Error) => ({ problem: `the pick-up run could not be started: ${error.message}` }));
    pickupStarting = false;
    const now = Date.now();
    if ('problem' in outcome) {
      for (const e of escalations) {
        e.decidedBy = by;
        e.resolution = `${reason} decided; no pick-up: ${outcome.problem}`;
        pending.escalations.push(e);
      }
      track('pickup_refused', now, { reason, by, problem: outcome.problem }, { key: `pickup-refused:${decisionKey}:${now}` });
      return loop.wake(view());
    }
    started();
    for (const e of escalations) {
      e.state = 'resolved';
      e.decidedBy = by;
      e.resolution = `${reason}: pick-up run ${outcome.runId}`;
      pending.escalations.push(e);
    }
    state.pickup = { runId: outcome.runId, reason, startedAt: now };
    setStatus('awaiting_pickup');
    pending.observation = { ...pending.observation, pickupRunId: outcome.runId };
    track('pickup', now, { runId: outcome.runId, reason, by }, { key: `pickup:${outcome.runId}` });
    return loop.wake(view());
  }

  setHandler(observationStateQuery, view);
  setHandler(reportSignal, (report) => loop.wake(handleReport(report)));
  setHandler(deviceEventSignal, (event) => loop.wake(handleDeviceEvent(event)));
  setHandler(slotMissedSignal, handleSlotMissed);
  setHandler(pickupHandedOverSignal, ({ runId, at, by }) => {
    // Only the run this observation started, once: a late or stray signal changes nothing.
    if (state.pickup?.runId !== runId || !open()) return;
    end(state.pickup.reason, at, by, `handed over by transfer run ${runId}`);
    loop.wake();
  });

  setHandler(
    acknowledgeEscalationUpdate,
    ({ escalationId, by, note }) => {
      const e = findEscalation(escalationId);
      e.state = 'acknowledged';
      e.decidedBy = by;
      e.resolution = note;
      pending.escalations.push(e);
      track('decision', Date.now(), { escalationId, action: 'acknowledged', by, note }, { key: `ack:${escalationId}` });
      return loop.wake(view());
    },
    {
      validator: ({ escalationId }) => {
        if (findEscalation(escalationId).state !== 'open') throw commandRejected('conflict', [{ field: 'escalationId', reason: `escalation ${escalationId} is ${findEscalation(escalationId).state}` }]);
      },
    },
  );

  setHandler(
    resolveEscalationUpdate,
    ({ escalationId, by, note }) => {
      const e = findEscalation(escalationId);
      e.state = 'resolved';
      e.decidedBy = by;
      e.resolution = note ?? 'resolved';
      pending.escalations.push(e);
      track('decision', Date.now(), { escalationId, action: 'resolved', by, note }, { key: `resolve:${escalationId}` });
      return loop.wake(view());
    },
    {
      validator: ({ escalationId }) => {
        const e = findEscalation(escalationId);
        if (e.state === 'resolved') throw commandRejected('conflict', [{ field: 'escalationId', reason: `escalation ${escalationId} is already resolved` }]);
        if (e.kind === 'fever' || e.kind === 'symptom') {
          throw commandRejected('conflict', [{ field: 'escalationId', reason: 'a health escalation is closed by a supervisor decision (decideHealthEscalation)' }]);
        }
      },
    },
  );

  setHandler(
    decideHealthEscalationUpdate,
    ({ escalationId, decision, by, note }) => {
      const e = findEscalation(escalationId);
      const now = Date.now();
      if (decision !== 'continue' && patched(PICKUP_ON_DECISION)) {
        track('decision', now, { escalationId, decision, by, note }, { key: `decide:${escalationId}:${now}` });
        return pickUp(decision, `e${escalationId.split('/').pop()}-${decision}`, by, [e], () => undefined);
      }
      e.state = 'resolved';
      e.decidedBy = by;
      e.resolution = decision;
      pending.escalations.push(e);
      track('decision', now, { escalationId, decision, by, note }, { key: `decide:${escalationId}` });
      if (decision === 'continue') {
        if (!openEscalations().some((o) => o.kind === 'fever' || o.kind === 'symptom')) setStatus('active');
      } else {
        end(decision, now, by, note);
      }
      return loop.wake(view());
    },
    {
      validator: ({ escalationId, decision }) => {
        requireOpen();
        requireNoPickup();
        const e = findEscalation(escalationId);
        if (e.kind !== 'fever' && e.kind !== 'symptom') throw commandRejected('conflict', [{ field: 'escalationId', reason: `escalation ${escalationId} is ${e.kind}, not a health escalation` }]);
        if (e.state === 'resolved') throw commandRejected('conflict', [{ field: 'escalationId', reason: `escalation ${escalationId} was already decided: ${e.resolution}` }]);
        if (!['continue', 'hospital', 'centralized_quarantine'].includes(decision)) {
          throw commandRejected('invalid', [{ field: 'decision', reason: 'must be continue, hospital or centralized_quarantine' }]);
        }
      },
    },
  );

  /** Resolves the open guard gaps: the post closed or the observation released. */
  function resolveGuardGaps(by: string, resolution: string) {
    for (const e of openEscalations().filter((o) => o.kind === 'guard_unstaffed')) {
      e.state = 'resolved';
      e.decidedBy = by;
      e.resolution = resolution;
      pending.escalations.push(e);
    }
  }

  /**
   * Posts the guard through an activity, from this workflow rather than from the write that records
   * the step: the post needs a solve, a published roster and shift workflows started, which have no
   * place in the one-transaction local write. The step and its post are one history, so the guard is
   * posted once (the activity is keyed by the number for its retries) and a replay posts nobody.
   * A post nobody can staff is an escalation to the supervisor.
   */
  async function postTheGuard(by: string) {
    state.guard = { postId: guardPostId(input.number) };
    const posted = await postGuard({ number: input.number, by });
    state.guard = { ...state.guard, planId: posted.planId, shifts: posted.shifts, unfilled: posted.unfilled };
    const now = Date.now();
    track('guard_posted', now, { postId: posted.postId, planId: posted.planId, shifts: posted.shifts, unfilled: posted.unfilled }, { key: 'guard-posted' });
    if (posted.unfilled && open()) {
      const reason = `guard post ${posted.postId}: ${posted.unfilled} of ${posted.shifts} shift(s) nobody can stand (${posted.gap})`;
      const e = escalate('guard_unstaffed', 'supervisor', supervisor, reason, now);
      notify('guard-unstaffed', holders('supervisor'), 'guard_unstaffed', { post: posted.postId, unfilled: posted.unfilled, reason: posted.gap ?? '-' }, about(e));
    }
    loop.wake();
  }

  setHandler(
    takeMeasureUpdate,
    async ({ measure, by, note }) => {
      const now = Date.now();
      if (measure === 'centralized_quarantine' && patched(PICKUP_ON_DECISION)) {
        track('decision', now, { measure, by, note }, { key: `measure:${measure}:${now}` });
        // The ladder's last step is taken when its pick-up starts; until then it stays the next step.
        const unresolved = openEscalations().filter((o) => o.kind === 'non_cooperation');
        return pickUp('centralized_quarantine', 'ladder', by, unresolved, () => state.measuresTaken.push(measure));
      }
      state.measuresTaken.push(measure);
      track('decision', now, { measure, by, note }, { key: `measure:${measure}` });
      for (const e of openEscalations().filter((o) => o.kind === 'non_cooperation')) {
        e.state = 'resolved';
        e.decidedBy = by;
        e.resolution = `measure taken: ${measure}`;
        pending.escalations.push(e);
      }
      if (measure === 'centralized_quarantine') end('centralized_quarantine', now, by, note);
      if (measure === 'guard_posted' && patched(GUARD_POST)) {
        loop.wake();
        await postTheGuard(by);
      }
      return loop.wake(view());
    },
    {
      validator: ({ measure }) => {
        requireOpen();
        requireNoPickup();
        const next = MEASURES[state.measuresTaken.length];
        if (!MEASURES.includes(measure)) throw commandRejected('invalid', [{ field: 'measure', reason: `must be one of ${MEASURES.join(', ')}` }]);
        // The ladder goes one step at a time: a warning talk before a guard, a guard before transfer.
        if (measure !== next) throw commandRejected('conflict', [{ field: 'measure', reason: `the next measure is ${next}${state.measuresTaken.length ? ` (taken: ${state.measuresTaken.join(', ')})` : ''}` }]);
      },
    },
  );

  setHandler(
    liftGuardUpdate,
    async ({ by, note }) => {
      const now = Date.now();
      state.guard!.liftedAt = now;
      track('decision', now, { action: 'guard_lifted', postId: state.guard!.postId, by, note }, { key: 'guard-lifted' });
      resolveGuardGaps(by, 'guard lifted');
      loop.wake();
      await closeGuardPost({ number: input.number, by, reason: 'the guard was lifted' });
      return view();
    },
    {
      validator: (_command) => {
        requireOpen();
        if (!state.guard) throw commandRejected('conflict', [{ field: 'measure', reason: `no guard is posted at observation ${input.number}` }]);
        if (!state.guard.planId) throw commandRejected('conflict', [{ field: 'measure', reason: 'the guard is still being posted; lift it once posted' }]);
        if (state.guard.liftedAt !== undefined) throw commandRejected('conflict', [{ field: 'measure', reason: `the guard was lifted at ${new Date(state.guard.liftedAt).toISOString()}` }]);
      },
    },
  );

  setHandler(
    extendUpdate,
    ({ newAnchorDate, reason, by }) => {
      const before = state.anchorDate;
      state.anchorDate = newAnchorDate;
      const release = releaseAt(period());
      pending.observation = { ...pending.observation, anchorDate: newAnchorDate, releaseDueAt: release };
      track('extension', Date.now(), { from: before, to: newAnchorDate, reason, by, releaseDueAt: new Date(release).toISOString() }, { key: `extend:${newAnchorDate}` });
      return loop.wake(view());
    },
    {
      validator: ({ newAnchorDate, reason }) => {
        requireOpen();
        if (!/^\d{4}-\d{2}-\d{2}$/.test(newAnchorDate ?? '')) throw commandRejected('invalid', [{ field: 'newAnchorDate', reason: 'must be a date YYYY-MM-DD' }]);
        if (newAnchorDate <= state.anchorDate) throw commandRejected('invalid', [{ field: 'newAnchorDate', reason: `must be after the current anchor date ${state.anchorDate}` }]);
        if (localMidnight(newAnchorDate, input.utcOffsetMinutes) > Date.now()) throw commandRejected('invalid', [{ field: 'newAnchorDate', reason: 'a new exposure cannot be in the future' }]);
        if (!reason?.trim()) throw commandRejected('invalid', [{ field: 'reason', reason: 'is required' }]);
      },
    },
  );

  setHandler(
    endEarlyUpdate,
    ({ reason, by, note }) => {
      end(reason, Date.now(), by, note);
      return loop.wake(view());
    },
    {
      validator: ({ reason }) => {
        requireOpen();
        if (!['moved_away', 'hospital', 'centralized_quarantine'].includes(reason)) {
          throw commandRejected('invalid', [{ field: 'reason', reason: 'must be moved_away, hospital or centralized_quarantine' }]);
        }
      },
    },
  );

  setHandler(
    changePolicyUpdate,
    ({ policy, by }) => {
      const before = state.policy.id;
      // Slots already reported or missed keep their record; from now on the new rules apply.
      state.policy = policy;
      const release = releaseAt(period());
      pending.observation = { ...pending.observation, policyId: policy.id, releaseDueAt: release };
      track('policy_change', Date.now(), { from: before, to: policy.id, by, releaseDueAt: new Date(release).toISOString() }, { key: `policy:${policy.id}` });
      if (onClock) wakeTheClock();
      return loop.wake(view());
    },
    {
      validator: ({ policy }) => {
        requireOpen();
        if (policy?.category !== input.category) throw commandRejected('invalid', [{ field: 'policy.category', reason: `must be ${input.category}` }]);
        const problems = validateRules(policy.rules ?? {});
        if (problems.length) throw commandRejected('invalid', problems.map((p) => ({ field: `policy.rules.${p.field}`, reason: p.reason })));
        if (policy.id === state.policy.id) throw commandRejected('conflict', [{ field: 'policy.id', reason: `already on ${policy.id}` }]);
      },
    },
  );

  /** The queued changes, with the next due instant supervisors see, taken out of the queue. */
  function takeChanges(now: number): ObservationChanges | undefined {
    // A plain report changes nothing to write: the API recorded it before signalling.
    if (!pending.tracking.length && !pending.escalations.length && !pending.notifications.length && !pending.observation) return undefined;
    const next = knownNextDue(now);
    const changes = { ...pending, observation: { ...pending.observation, ...(next !== undefined && { nextDueAt: next }) }, ...(state.status === 'released' && { sendNow: true }) };
    pending = emptyChanges();
    return changes;
  }

  /** Search attributes are commands in history, not activities: cheap enough to keep current on every change. */
  const recordedByEnrolment = !carried && input.enrolmentRecorded;
  let shown: { status?: ObservationStatus; nextDueAt?: number } = recordedByEnrolment ? enrolmentVisibility(input) : {};
  function showInVisibility(now: number) {
    const known = knownNextDue(now);
    const nextDue = known === undefined ? shown.nextDueAt : (known ?? undefined);
    if (shown.status === state.status && shown.nextDueAt === nextDue) return;
    shown = { status: state.status, nextDueAt: nextDue };
    upsertSearchAttributes([
      { key: STATUS, value: state.status },
      { key: NEXT_DUE_AT, value: nextDue === undefined ? null : new Date(nextDue) },
    ]);
  }

  if (!carried && !recordedByEnrolment) pending.tracking.push(enrolledEntry(input));

  /** Reminders, misses and the release that have fallen due. */
  function pass(now: number) {
    if (open() && !onClock) handleDue(now);
    if (open() && now >= releaseAt(period()) && !releaseBlockedBy(now)) {
      setStatus('released');
      state.endedAt = releaseAt(period());
      pending.observation = { ...pending.observation, endedAt: state.endedAt };
      track('release', state.endedAt, { releasedAt: new Date(state.endedAt).toISOString() }, { key: 'release' });
      resolveGuardGaps('release', 'observation released');
      notify('release', { personId: input.personId }, 'release_notice', { releaseDate: localDate(state.endedAt, input.utcOffsetMinutes) });
    }
    showInVisibility(now);
  }

  await loop.run({
    pass,
    takeChanges,
    record: recordObservationChanges,
    finished: () => !open(),
    nextWakeAt,
    continueAsNew: (unflushed) => continueAsNew<typeof observationWorkflow>(input, { ...state, unflushed }),
  });

  // Every end closes the guard post (the loop has let a posting in flight finish first).
  if (state.guard && state.guard.liftedAt === undefined) {
    await closeGuardPost({ number: input.number, by: `observation ${input.number}`, reason: `observation ${state.status}${state.endReason ? `: ${state.endReason}` : ''}` });
  }
  return { number: input.number, status: state.status as 'released' | 'ended', endReason: state.endReason, at: new Date(state.endedAt ?? Date.now()).toISOString() };
}
