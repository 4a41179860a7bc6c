/**
 * One person's shift at one seat of one post (班), from the reminder to the hand-over.
 * Deadlines: shift-policy.ts; messages: shift.messages.ts. Handlers change state and queue effects;
 * the entity loop (shared/entity-loop.ts) writes them (one local activity per pass) and sends
 * external deliveries.
 *
 * Hand-over: the outgoing shift's submitHandover note is signalled to the incoming shift (found by
 * post, seat and start = this end); the incoming person, once checked in, acknowledges it, which
 * signals the outgoing shift, and only then does it complete. Without an acknowledgement by end +
 * timeout the supervisor is told and the outgoing shift stays open: nobody leaves a post uncovered.
 * With no incoming shift at all (the post closes, a war-time seat is not needed) it ends at its end.
 */
import { continueAsNew, getExternalWorkflowHandle, log as workerLog, patched, proxyLocalActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { NotificationRequest } from '../../libs/notifications/notification-outbox';
import type { NotificationTemplate } from '../../libs/notifications/notification-templates';
import type { ShiftActivities, ShiftChanges, SuccessorShift } from '../../activities/roster/shift.activities';
import type { FieldProblem } from '../../libs/domain/errors';
import { STATUS } from '../../libs/temporal/search-attributes';
import { MINUTE, localDate, localTime } from '../../libs/domain/local-time';
import {
  acknowledgeHandoverUpdate,
  checkInUpdate,
  DutyState,
  endShiftUpdate,
  FINAL_DUTY_STATES,
  handoverAcknowledgedSignal,
  handoverOfferedSignal,
  Incident,
  logIncidentUpdate,
  reassignUpdate,
  ShiftInput,
  shiftStateQuery,
  ShiftView,
  shiftWorkflowId,
  submitHandoverUpdate,
} from './shift.messages';
import { deadlinesOf, pickBackup } from './shift-policy';
import { commandRejected } from '../shared/command-rejected';
import { RECORD_CHANGES_OPTIONS } from '../shared/effects';
import { EntityLoop } from '../shared/entity-loop';

const { recordShiftChanges, findSuccessorShift } = proxyLocalActivities<ShiftActivities>(RECORD_CHANGES_OPTIONS);

const HISTORY_LIMIT = 2_000;
/** From this patch a message handled during a write wakes the next pass (shared/entity-loop.ts). */
const WAKE_KEPT = 'shift-wake-kept-across-write';
/** How often an undelivered hand-over note is offered again (the incoming shift's workflow not started yet). */
const OFFER_RETRY_MS = 10 * MINUTE;
const MAX_NOTE_LENGTH = 2_000;

export interface ShiftState {
  duty: DutyState;
  assignee?: string;
  reminded: boolean;
  checkedInBy?: string;
  checkedInAt?: number;
  gapSince?: number;
  backupCalled?: { staffId: string; at: number };
  supervisorToldAt?: number;
  handover: {
    note?: string;
    by?: string;
    submittedAt?: number;
    /** undefined: not looked up yet; null: none at the last look-up. */
    successor?: SuccessorShift | null;
    lookedUpAt?: number;
    offeredAt?: number;
    offerRetryAt?: number;
    acknowledgedBy?: string;
    acknowledgedAt?: number;
    escalatedAt?: number;
  };
  received?: { fromShiftId: string; by: string; note: string; at: number; acknowledgedAt?: number };
  incidents: Incident[];
  endedAt?: number;
  endReason?: string;
  /** Changes the previous run had not written when it continued as new: the next run writes them first. */
  unflushed?: ShiftChanges;
}

export interface ShiftOutcome {
  shiftId: string;
  state: DutyState;
  endedAt: string;
  endReason?: string;
  handedOverTo?: string;
}


export async function shiftWorkflow(input: ShiftInput, carried?: ShiftState): Promise<ShiftOutcome> {
  const state: ShiftState = carried ?? { duty: 'scheduled', assignee: input.staffId, reminded: false, handover: {}, incidents: [] };
  let pending: ShiftChanges = state.unflushed ?? emptyChanges();
  state.unflushed = undefined;
  const loop = new EntityLoop<ShiftChanges>({ historyLimit: HISTORY_LIMIT, wakeKeptFrom: WAKE_KEPT });

  const final = () => FINAL_DUTY_STATES.includes(state.duty);
  const deadlines = () => deadlinesOf(input, state.assignee !== undefined);
  const iso = (at?: number) => (at === undefined ? undefined : new Date(at).toISOString());
  const shiftParams = (staffId: string | undefined) => ({
    staffName: staffId ?? '(unfilled)',
    shiftDate: localDate(input.start, input.utcOffsetMinutes),
    shiftStart: localTime(input.start, input.utcOffsetMinutes),
    shiftEnd: localTime(input.end, input.utcOffsetMinutes),
    post: input.postName,
  });

  function emptyChanges(): ShiftChanges {
    return { shiftId: input.shiftId, events: [], notifications: [] };
  }
  function log(kind: string, at: number, detail: Record<string, unknown> = {}, key: string | number = at) {
    pending.events.push({ dedupKey: `${input.shiftId}:${kind}:${key}`, at, kind, detail });
    workerLog.info(`shift ${kind}`, { kind });
  }
  function notify(purpose: string, staffId: string, template: NotificationTemplate, params: NotificationRequest['params']) {
    pending.notifications.push({ id: `shift:${input.shiftId}:${purpose}`, recipient: { staffId }, template, params, concerns: { kind: 'shift', id: input.shiftId } });
  }
  function write(fields: NonNullable<ShiftChanges['shift']>) {
    pending.shift = { ...pending.shift, ...fields };
  }
  function setDuty(duty: DutyState) {
    state.duty = duty;
    write({ dutyState: duty });
  }
  function finish(duty: DutyState, at: number, reason: string) {
    setDuty(duty);
    state.endedAt = at;
    state.endReason = reason;
    write({ endedAt: at, endReason: reason });
    log(duty, at, { reason });
  }
  const problem = (type: 'invalid' | 'conflict', field: string, reason: string) => commandRejected(type, [{ field, reason }]);
  function requireBy(by: string | undefined) {
    if (typeof by !== 'string' || !by.trim()) throw problem('invalid', 'by', 'is required');
  }

  /** Reminder, no-show, calls, the end and the hand-over timeout, as they fall due. */
  function handleDue(now: number) {
    const d = deadlines();
    if (state.duty === 'scheduled' && state.assignee && !state.reminded && now >= d.remindAt && now < d.noShowAt) {
      state.reminded = true;
      notify(`reminder:${state.assignee}`, state.assignee, 'shift_reminder', shiftParams(state.assignee));
      log('reminder', Math.max(d.remindAt, now), { staffId: state.assignee }, state.assignee);
    }
    if (state.duty === 'scheduled' && now >= d.noShowAt) {
      setDuty('no_show');
      state.gapSince = d.noShowAt;
      write({ gapSince: d.noShowAt });
      log(state.assignee ? 'no_show' : 'unfilled', d.noShowAt, { staffId: state.assignee });
      const backup = pickBackup(input.onCall, state.assignee);
      if (backup) {
        state.backupCalled = { staffId: backup, at: d.noShowAt };
        notify(`backup:${backup}`, backup, 'shift_no_show', shiftParams(state.assignee));
        log('backup_called', d.noShowAt, { backup }, backup);
      }
    }
    // With nobody on call the supervisor is the first to be told.
    const supervisorAt = state.backupCalled ? d.supervisorAt : d.noShowAt;
    if (state.duty === 'no_show' && state.supervisorToldAt === undefined && now >= supervisorAt) {
      state.supervisorToldAt = supervisorAt;
      notify('supervisor', input.supervisor, 'shift_no_show', shiftParams(state.assignee));
      log('supervisor_told', supervisorAt, { supervisor: input.supervisor, backup: state.backupCalled?.staffId });
    }
    if (state.duty === 'no_show' && now >= d.end) finish('missed', d.end, 'nobody covered the seat');
    if ((state.duty === 'on_duty' || state.duty === 'handing_over') && state.handover.acknowledgedAt !== undefined) {
      finish('completed', state.handover.acknowledgedAt, 'handed over');
    }
    if (state.duty === 'on_duty' && now >= d.end) {
      if (state.handover.successor === null) finish('completed', d.end, 'no incoming shift: the seat closes');
      else {
        setDuty('handing_over');
        log('handing_over', d.end, { successorShiftId: state.handover.successor?.shiftId });
      }
    }
    if (state.duty === 'handing_over' && state.handover.escalatedAt === undefined && now >= d.handoverDueAt) {
      state.handover.escalatedAt = d.handoverDueAt;
      const params = {
        post: input.postName,
        outgoingStaff: state.checkedInBy ?? '-',
        incomingStaff: state.handover.successor?.staffId ?? '(unfilled)',
        dueAt: `${localDate(d.handoverDueAt, input.utcOffsetMinutes)} ${localTime(d.handoverDueAt, input.utcOffsetMinutes)}`,
      };
      notify('handover-overdue', input.supervisor, 'handover_pending', params);
      log('handover_escalated', d.handoverDueAt, { supervisor: input.supervisor, successorShiftId: state.handover.successor?.shiftId, noteSubmitted: state.handover.note !== undefined });
    }
  }

  /** Look up the incoming shift when a note waits for it, and again at the end if none was found before. */
  function needsSuccessorLookup(now: number): boolean {
    if (state.duty !== 'on_duty' && state.duty !== 'handing_over') return false;
    if (state.handover.successor) return false;
    const noteWaiting = state.handover.note !== undefined && state.handover.lookedUpAt === undefined;
    const atEnd = now >= input.end && (state.handover.lookedUpAt === undefined || state.handover.lookedUpAt < input.end);
    return noteWaiting || atEnd;
  }

  async function offerHandover(now: number) {
    const { successor, note, by } = state.handover;
    if (!successor || note === undefined || state.handover.offeredAt !== undefined || final()) return;
    if (state.handover.offerRetryAt !== undefined && now < state.handover.offerRetryAt) return;
    try {
      await getExternalWorkflowHandle(shiftWorkflowId(successor.shiftId)).signal(handoverOfferedSignal, { fromShiftId: input.shiftId, by: by!, note, at: state.handover.submittedAt! });
      state.handover.offeredAt = now;
      log('handover_offered', now, { successorShiftId: successor.shiftId });
    } catch {
      // The incoming shift's workflow is not running yet: it is started a day ahead, so try again soon.
      state.handover.offerRetryAt = now + OFFER_RETRY_MS;
    }
  }

  function nextWakeAt(now: number): number {
    const d = deadlines();
    const times: number[] = [];
    if (state.duty === 'scheduled') times.push(d.remindAt, d.noShowAt);
    if (state.duty === 'no_show') times.push(d.supervisorAt, d.end);
    if (state.duty === 'on_duty') times.push(d.end);
    if (state.duty === 'handing_over' && state.handover.escalatedAt === undefined) times.push(d.handoverDueAt);
    if (state.handover.offerRetryAt !== undefined && state.handover.offeredAt === undefined) times.push(state.handover.offerRetryAt);
    return Math.min(...times.filter((t) => t > now));
  }

  function pendingItems(): string[] {
    const d = deadlines();
    const items: string[] = [];
    if (state.duty === 'scheduled') items.push(state.assignee ? `check-in by ${state.assignee} from ${iso(d.checkInOpensAt)} to ${iso(d.noShowAt)}` : 'an assignee: the seat is unfilled');
    if (state.duty === 'no_show') items.push(`cover for the gap since ${iso(state.gapSince)}${state.backupCalled ? ` (backup ${state.backupCalled.staffId} called)` : ''}`);
    if (state.received && state.received.acknowledgedAt === undefined) items.push(`acknowledge the hand-over from shift ${state.received.fromShiftId}`);
    if ((state.duty === 'on_duty' || state.duty === 'handing_over') && state.handover.note === undefined && state.handover.successor !== null) items.push('the hand-over note');
    if (state.duty === 'handing_over') items.push(`acknowledgement by the incoming shift ${state.handover.successor?.shiftId ?? '(being looked up)'}`);
    return items;
  }

  function view(): ShiftView {
    const h = state.handover;
    return {
      shiftId: input.shiftId,
      postId: input.postId,
      jurisdiction: input.jurisdiction,
      seatNo: input.seatNo,
      mode: input.mode,
      start: iso(input.start)!,
      end: iso(input.end)!,
      state: state.duty,
      assignee: state.assignee,
      onPost: state.duty === 'on_duty' || state.duty === 'handing_over' ? state.checkedInBy : undefined,
      checkedInAt: iso(state.checkedInAt),
      gapSince: state.duty === 'no_show' ? iso(state.gapSince) : undefined,
      backupCalled: state.backupCalled?.staffId,
      supervisorTold: iso(state.supervisorToldAt),
      handover: {
        note: h.note,
        submittedAt: iso(h.submittedAt),
        successorShiftId: h.successor === undefined ? undefined : (h.successor?.shiftId ?? null),
        acknowledgedBy: h.acknowledgedBy,
        acknowledgedAt: iso(h.acknowledgedAt),
        escalatedAt: iso(h.escalatedAt),
      },
      received: state.received && { fromShiftId: state.received.fromShiftId, by: state.received.by, note: state.received.note, acknowledgedAt: iso(state.received.acknowledgedAt) },
      incidents: state.incidents,
      pending: final() ? [] : pendingItems(),
      endedAt: iso(state.endedAt),
      endReason: state.endReason,
    };
  }

  setHandler(shiftStateQuery, view);

  setHandler(
    checkInUpdate,
    ({ staffId }) => {
      const now = Date.now();
      const covering = staffId !== state.assignee;
      if (state.gapSince !== undefined) log('gap_closed', now, { coveredBy: staffId, gapMinutes: Math.round((now - state.gapSince) / 60_000) });
      setDuty('on_duty');
      state.checkedInBy = staffId;
      state.checkedInAt = now;
      write({ checkedInBy: staffId, checkedInAt: now, gapSince: null });
      log('check_in', now, { staffId, covering });
      return loop.wake(view());
    },
    {
      validator: ({ staffId }) => {
        if (typeof staffId !== 'string' || !staffId.trim()) throw problem('invalid', 'staffId', 'is required');
        if (state.duty !== 'scheduled' && state.duty !== 'no_show') throw problem('conflict', 'shiftId', `shift ${input.shiftId} is ${state.duty}`);
        const now = Date.now();
        if (now < deadlines().checkInOpensAt) throw problem('conflict', 'shiftId', `check-in opens at ${iso(deadlines().checkInOpensAt)}`);
        // Before the no-show only the assignee checks in; a gap may be covered by whoever comes.
        if (state.duty === 'scheduled' && staffId !== state.assignee) {
          throw problem('conflict', 'staffId', state.assignee ? `the shift is assigned to ${state.assignee}; reassign it first` : 'the seat is unfilled; assign it first');
        }
      },
    },
  );

  setHandler(
    submitHandoverUpdate,
    ({ by, note }) => {
      const now = Date.now();
      state.handover.note = note.trim();
      state.handover.by = by;
      state.handover.submittedAt = now;
      write({ handoverNote: state.handover.note });
      log('handover_submitted', now, { by });
      return loop.wake(view());
    },
    {
      validator: ({ by, note }) => {
        requireBy(by);
        if (typeof note !== 'string' || !note.trim()) throw problem('invalid', 'note', 'is required');
        if (note.length > MAX_NOTE_LENGTH) throw problem('invalid', 'note', `must be at most ${MAX_NOTE_LENGTH} characters`);
        if (state.duty !== 'on_duty' && state.duty !== 'handing_over') throw problem('conflict', 'shiftId', `shift ${input.shiftId} is ${state.duty}; only a shift on duty hands over`);
        if (state.handover.note !== undefined) throw problem('conflict', 'note', `a hand-over note was already submitted at ${iso(state.handover.submittedAt)}`);
      },
    },
  );

  setHandler(
    acknowledgeHandoverUpdate,
    async ({ by }) => {
      const received = state.received!;
      const now = Date.now();
      received.acknowledgedAt = now;
      log('handover_acknowledged', now, { by, fromShiftId: received.fromShiftId });
      loop.wake();
      try {
        await getExternalWorkflowHandle(shiftWorkflowId(received.fromShiftId)).signal(handoverAcknowledgedSignal, { toShiftId: input.shiftId, by, at: now });
      } catch {
        // The outgoing shift was ended by a supervisor meanwhile: nothing is waiting for this.
        log('handover_ack_undelivered', now, { fromShiftId: received.fromShiftId });
      }
      return view();
    },
    {
      validator: ({ by }) => {
        requireBy(by);
        if (state.duty !== 'on_duty') throw problem('conflict', 'shiftId', `shift ${input.shiftId} is ${state.duty}; check in before taking over`);
        if (!state.received) throw problem('conflict', 'shiftId', 'no hand-over note has been received from the previous shift yet');
        if (state.received.acknowledgedAt !== undefined) throw problem('conflict', 'shiftId', `the hand-over was already acknowledged at ${iso(state.received.acknowledgedAt)}`);
      },
    },
  );

  setHandler(
    logIncidentUpdate,
    (command) => {
      const incident: Incident = { ...command, at: Date.now() };
      state.incidents.push(incident);
      log('incident', incident.at, { incidentId: incident.incidentId, by: incident.by, kind: incident.kind, description: incident.description }, incident.incidentId);
      // The post's supervisor is told at once: an incident may call for war time (before this patch nobody was told).
      if (patched('shift-incident-notice')) {
        const params = { ...shiftParams(state.assignee), kind: incident.kind, description: incident.description, at: localTime(incident.at, input.utcOffsetMinutes) };
        notify(`incident:${incident.incidentId}`, input.supervisor, 'shift_incident', params);
      }
      return loop.wake(view());
    },
    {
      validator: ({ incidentId, by, kind, description }) => {
        requireBy(by);
        const problems: FieldProblem[] = [];
        if (typeof incidentId !== 'string' || !incidentId) problems.push({ field: 'incidentId', reason: 'is required' });
        if (typeof kind !== 'string' || !kind.trim()) problems.push({ field: 'kind', reason: 'is required' });
        if (typeof description !== 'string' || !description.trim()) problems.push({ field: 'description', reason: 'is required' });
        if (problems.length) throw commandRejected('invalid', problems);
        if (!['on_duty', 'handing_over', 'no_show'].includes(state.duty)) throw problem('conflict', 'shiftId', `shift ${input.shiftId} is ${state.duty}; incidents are logged during the shift`);
        if (state.incidents.some((i) => i.incidentId === incidentId)) throw problem('conflict', 'incidentId', `incident ${incidentId} is already logged`);
      },
    },
  );

  setHandler(
    reassignUpdate,
    ({ staffId, by, reason }) => {
      const now = Date.now();
      const from = state.assignee;
      state.assignee = staffId ?? undefined;
      state.reminded = false;
      write({ staffId });
      log('reassigned', now, { from, to: staffId, by, reason }, `${now}:${staffId}`);
      return loop.wake(view());
    },
    {
      validator: ({ staffId, by }) => {
        requireBy(by);
        if (staffId !== null && (typeof staffId !== 'string' || !staffId.trim())) throw problem('invalid', 'staffId', 'is required (null: nobody, the seat unfilled)');
        if (state.duty !== 'scheduled' && state.duty !== 'no_show') throw problem('conflict', 'shiftId', `shift ${input.shiftId} is ${state.duty}; only a shift not yet worked can be reassigned`);
        if ((staffId ?? undefined) === state.assignee) throw problem('conflict', 'staffId', staffId ? `the shift is already assigned to ${staffId}` : 'the seat is already unfilled');
      },
    },
  );

  setHandler(
    endShiftUpdate,
    ({ by, reason }) => {
      const now = Date.now();
      const worked = state.duty === 'on_duty' || state.duty === 'handing_over';
      finish(worked ? 'completed' : 'cancelled', now, `${reason} (by ${by})`);
      return loop.wake(view());
    },
    {
      validator: ({ by, reason }) => {
        requireBy(by);
        if (typeof reason !== 'string' || !reason.trim()) throw problem('invalid', 'reason', 'is required');
        if (final()) throw problem('conflict', 'shiftId', `shift ${input.shiftId} is already ${state.duty}`);
      },
    },
  );

  setHandler(handoverOfferedSignal, (offer) => {
    if (state.received?.fromShiftId === offer.fromShiftId) return;
    state.received = { fromShiftId: offer.fromShiftId, by: offer.by, note: offer.note, at: offer.at };
    log('handover_received', Date.now(), { fromShiftId: offer.fromShiftId, by: offer.by }, offer.fromShiftId);
    loop.wake();
  });

  setHandler(handoverAcknowledgedSignal, (ack) => {
    if (state.handover.acknowledgedAt !== undefined) return;
    state.handover.acknowledgedAt = ack.at;
    state.handover.acknowledgedBy = ack.by;
    write({ handedOverTo: ack.toShiftId, handedOverAt: ack.at });
    log('handed_over', ack.at, { toShiftId: ack.toShiftId, by: ack.by });
    loop.wake();
  });

  function takeChanges(): ShiftChanges | undefined {
    if (!pending.events.length && !pending.notifications.length && !pending.shift) return undefined;
    const changes = pending;
    pending = emptyChanges();
    return changes;
  }

  let shownDuty: DutyState | undefined;
  function showInVisibility() {
    if (shownDuty === state.duty) return;
    shownDuty = state.duty;
    upsertSearchAttributes([{ key: STATUS, value: state.duty }]);
  }

  if (!carried) log('started', Date.now(), { staffId: input.staffId, start: iso(input.start), end: iso(input.end) }, 'started');

  /** When the due rules were last applied: the pass's look-ups and offer may take a task or two. */
  let handledAt = Date.now();
  async function pass(now: number) {
    if (needsSuccessorLookup(now)) {
      state.handover.successor = await findSuccessorShift({ shiftId: input.shiftId });
      state.handover.lookedUpAt = now;
    }
    await offerHandover(now);
    handledAt = Date.now();
    handleDue(handledAt);
    showInVisibility();
  }

  await loop.run({
    pass,
    takeChanges,
    record: recordShiftChanges,
    finished: final,
    // The end passed with a look-up still to do: go round again at once.
    nextWakeAt: (now) => (needsSuccessorLookup(Date.now()) ? now : nextWakeAt(handledAt)),
    continueAsNew: (unflushed) => continueAsNew<typeof shiftWorkflow>(input, { ...state, unflushed }),
  });

  return { shiftId: input.shiftId, state: state.duty, endedAt: iso(state.endedAt)!, endReason: state.endReason, handedOverTo: state.handover.acknowledgedAt !== undefined ? state.handover.successor?.shiftId : undefined };
}
