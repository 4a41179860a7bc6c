/**
 * One person's home medical observation (居家医学观察), from enrolment to release.
 * What happens when: observation-schedule.ts; the rules: observation-policy.ts; the messages:
 * observation.messages.ts. Handlers only change state and queue effects; the entity loop
 * (shared/entity-loop.ts) performs the effects (PostgreSQL writes as one local activity,
 * deliveries as activities), so every change is recorded in order and exactly once.
 */
import { continueAsNew, log, proxyLocalActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { NotificationRequest } from '../../libs/notifications/notification-outbox';
import type { NotificationTemplate } from '../../libs/notifications/notification-templates';
import type { ObservationActivities, ObservationChanges } from '../../activities/observation/observation.activities';
import { NEXT_DUE_AT, STATUS } from '../../libs/temporal/search-attributes';
import {
  acknowledgeEscalationUpdate,
  changePolicyUpdate,
  decideHealthEscalationUpdate,
  deviceEventSignal,
  endEarlyUpdate,
  EndReason,
  Escalation,
  EscalationKind,
  extendUpdate,
  Measure,
  MEASURES,
  ObservationInput,
  ObservationStatus,
  observationStateQuery,
  ObservationView,
  reportSignal,
  resolveEscalationUpdate,
  takeMeasureUpdate,
  TemperatureReport,
} from './observation.messages';
import { validateRules } from './observation-policy';
import { dayOfPeriod, doorOpeningAllowed, nextDeadlineAfter, ObservationPeriod, openSlotAt, periodOf, releaseAt, Slot, slotsOf } from './observation-schedule';
import { DAY, localDate, localMidnight, localTime } from '../../libs/domain/local-time';
import { enrolledEntry, enrolmentVisibility, trackingEntry } from './tracking-entry';
import { commandRejected } from '../shared/command-rejected';
import { RECORD_CHANGES_OPTIONS } from '../shared/effects';
import { EntityLoop } from '../shared/entity-loop';

const { recordObservationChanges } = proxyLocalActivities<ObservationActivities>(RECORD_CHANGES_OPTIONS);

/** Continue-as-new well before Temporal's limits; an observation's normal history is a few hundred events. */
const HISTORY_LIMIT = 2_000;
/** From this patch a message handled during a write wakes the next pass (shared/entity-loop.ts). */
const WAKE_KEPT = 'observation-wake-kept-across-write';
const MAX_REMEMBERED_REQUESTS = 200;

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
  requestIds: string[];
  endReason?: EndReason;
  endedAt?: number;
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
  const loop = new EntityLoop<ObservationChanges>({ historyLimit: HISTORY_LIMIT, wakeKeptFrom: WAKE_KEPT });

  const period = (): ObservationPeriod => periodOf({ ...input, anchorDate: state.anchorDate, policy: state.policy });
  const open = () => state.status === 'active' || state.status === 'escalated';
  const day = (at: number) => dayOfPeriod(period(), at);
  const openEscalations = () => state.escalations.filter((e) => e.state !== 'resolved');
  const supervisor = `supervisor@${input.subdistrict}`;
  const medical = `medical@${input.subdistrict}`;

  function emptyChanges(): ObservationChanges {
    return { number: input.number, tracking: [], escalations: [], notifications: [] };
  }
  function track(kind: string, at: number, detail: Record<string, unknown>, extra: { slotStart?: number; temperature?: number; key?: string } = {}) {
    pending.tracking.push(trackingEntry(input.number, kind, at, day(at), detail, extra));
    // The event's kind only: the log line carries the workflow id, never the person's details.
    log.info(`observation ${kind}`, { kind });
  }
  function notify(purpose: string, recipient: NotificationRequest['recipient'], template: NotificationTemplate, params: Record<string, string | number> = {}) {
    pending.notifications.push({ id: `${input.number}:${purpose}`, recipient, template, params });
  }
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
    const fever = report.temperature >= state.policy.rules.feverThreshold;
    const symptoms = report.symptoms?.filter((s) => s.trim()) ?? [];
    if (fever || symptoms.length) {
      const reason = fever ? `temperature ${report.temperature} °C ≥ ${state.policy.rules.feverThreshold} °C` : `symptoms: ${symptoms.join(', ')}`;
      escalate(fever ? 'fever' : 'symptom', 'medical', medical, reason + (fever && symptoms.length ? `; symptoms: ${symptoms.join(', ')}` : ''), report.at, slot.key);
      setStatus('escalated');
      const params = { temperature: report.temperature, symptoms: symptoms.join(', ') || '-', reportedAt: local(report.at, true) };
      notify(`health:${slot.key}:medical`, { staff: medical }, 'fever_alert', params);
      notify(`health:${slot.key}:supervisor`, { staff: supervisor }, 'fever_alert', params);
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
      escalate('non_cooperation', 'community_worker', input.responsibleWorker, reason, event.at);
      notify(`door:${event.eventId}`, { staff: input.responsibleWorker }, 'non_cooperation', { openedAt: local(event.at, true), measure: next });
    }
  }

  /** Reminders and misses that have fallen due since the last pass. */
  function handleDue(now: number) {
    const slots = slotsOf(period());
    slots.forEach((slot, i) => {
      if (state.reports[slot.key] || !slot.owed) return;
      if (slot.remindAt > state.handledUntil && slot.remindAt <= now && now < slot.deadline) {
        notify(`reminder:${slot.key}`, { personId: input.personId }, 'checkin_reminder', slotParams(slot));
        track('reminder', slot.remindAt, { slotKey: slot.key }, { slotStart: slot.opensAt, key: `reminder:${slot.key}` });
      }
      if (slot.deadline > state.handledUntil && slot.deadline <= now) {
        state.missedSlots.push(slot.key);
        track('missed_report', slot.deadline, { slotKey: slot.key }, { slotStart: slot.opensAt, key: `missed:${slot.key}` });
        escalate('missed_report', 'community_worker', input.responsibleWorker, `no report for the slot opening ${slot.key}`, slot.deadline, slot.key);
        notify(`missed:${slot.key}`, { staff: input.responsibleWorker }, 'missed_report', slotParams(slot));
        const previous = slots[i - 1];
        if (previous && state.missedSlots.includes(previous.key)) {
          escalate('missed_report_repeat', 'supervisor', supervisor, `second consecutive missed report (${previous.key}, ${slot.key})`, slot.deadline, slot.key);
          notify(`missed-repeat:${slot.key}`, { staff: supervisor }, 'missed_report_repeat', slotParams(slot));
        }
      }
    });
    state.handledUntil = Math.max(state.handledUntil, now);
  }

  /** The deadline of the next slot still owed a report: what supervisors see as "due". */
  function nextDueAt(now: number): number | undefined {
    return nextDeadlineAfter(period(), now, new Set(Object.keys(state.reports)));
  }

  /** When the loop must next look at the clock: a reminder, a deadline or the release. */
  function nextWakeAt(now: number): number {
    const times = slotsOf(period())
      .filter((s) => s.owed && !state.reports[s.key])
      .flatMap((s) => [s.remindAt, s.deadline])
      .filter((t) => t > now);
    const release = releaseAt(period());
    return Math.min(...times, release > now ? release : Infinity);
  }

  function releaseBlockedBy(now: number): string | undefined {
    if (now < releaseAt(period())) return undefined;
    if (state.status === 'escalated') return 'a health escalation awaits a supervisor decision';
    const openCount = openEscalations().length;
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
      reportsReceived: Object.keys(state.reports).length,
      missedSlots: state.missedSlots.length,
      releaseBlockedBy: open() ? releaseBlockedBy(now) : undefined,
      endReason: state.endReason,
      endedAt: state.endedAt ? new Date(state.endedAt).toISOString() : undefined,
    };
  }

  setHandler(observationStateQuery, view);
  setHandler(reportSignal, (report) => loop.wake(handleReport(report)));
  setHandler(deviceEventSignal, (event) => loop.wake(handleDeviceEvent(event)));

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
        const e = findEscalation(escalationId);
        if (e.kind !== 'fever' && e.kind !== 'symptom') throw commandRejected('conflict', [{ field: 'escalationId', reason: `escalation ${escalationId} is ${e.kind}, not a health escalation` }]);
        if (e.state === 'resolved') throw commandRejected('conflict', [{ field: 'escalationId', reason: `escalation ${escalationId} was already decided: ${e.resolution}` }]);
        if (!['continue', 'hospital', 'centralized_quarantine'].includes(decision)) {
          throw commandRejected('invalid', [{ field: 'decision', reason: 'must be continue, hospital or centralized_quarantine' }]);
        }
      },
    },
  );

  setHandler(
    takeMeasureUpdate,
    ({ measure, by, note }) => {
      const now = Date.now();
      state.measuresTaken.push(measure);
      track('decision', now, { measure, by, note }, { key: `measure:${measure}` });
      for (const e of openEscalations().filter((o) => o.kind === 'non_cooperation')) {
        e.state = 'resolved';
        e.decidedBy = by;
        e.resolution = `measure taken: ${measure}`;
        pending.escalations.push(e);
      }
      if (measure === 'centralized_quarantine') end('centralized_quarantine', now, by, note);
      return loop.wake(view());
    },
    {
      validator: ({ measure }) => {
        requireOpen();
        const next = MEASURES[state.measuresTaken.length];
        if (!MEASURES.includes(measure)) throw commandRejected('invalid', [{ field: 'measure', reason: `must be one of ${MEASURES.join(', ')}` }]);
        // The ladder goes one step at a time: a warning talk before a guard, a guard before transfer.
        if (measure !== next) throw commandRejected('conflict', [{ field: 'measure', reason: `the next measure is ${next}${state.measuresTaken.length ? ` (taken: ${state.measuresTaken.join(', ')})` : ''}` }]);
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
    const next = open() ? nextDueAt(now) : undefined;
    const changes = { ...pending, observation: { ...pending.observation, nextDueAt: next ?? null } };
    pending = emptyChanges();
    return changes;
  }

  /** Search attributes are commands in history, not activities: cheap enough to keep current on every change. */
  const recordedByEnrolment = !carried && input.enrolmentRecorded;
  let shown: { status?: ObservationStatus; nextDueAt?: number } = recordedByEnrolment ? enrolmentVisibility(input) : {};
  function showInVisibility(now: number) {
    const nextDue = open() ? nextDueAt(now) : undefined;
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
    if (open()) handleDue(now);
    if (open() && now >= releaseAt(period()) && !releaseBlockedBy(now)) {
      setStatus('released');
      state.endedAt = releaseAt(period());
      pending.observation = { ...pending.observation, endedAt: state.endedAt };
      track('release', state.endedAt, { releasedAt: new Date(state.endedAt).toISOString() }, { key: 'release' });
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

  return { number: input.number, status: state.status as 'released' | 'ended', endReason: state.endReason, at: new Date(state.endedAt ?? Date.now()).toISOString() };
}
