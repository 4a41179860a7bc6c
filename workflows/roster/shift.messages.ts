/**
 * The shift workflow's messages, defined once and shared by the workflow and the API.
 * Updates carry people's commands (validated before they enter history); the two signals are the
 * hand-over handshake between consecutive shifts of one seat; the query reads the live state.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { RosterMode } from '../../libs/roster/roster-seats';

/**
 * scheduled → on_duty → (handing_over →) completed; scheduled → no_show (a gap) → on_duty when
 * someone covers, or missed if nobody does by the end; scheduled/no_show → cancelled.
 */
export type DutyState = 'scheduled' | 'on_duty' | 'no_show' | 'handing_over' | 'completed' | 'missed' | 'cancelled';
export const FINAL_DUTY_STATES: readonly DutyState[] = ['completed', 'missed', 'cancelled'];

/** Minutes; see DEFAULT_SHIFT_TIMING. */
export interface ShiftTiming {
  /** Reminder to the assignee this long before the start. */
  reminderLeadMinutes: number;
  /** Check-in opens this long before the start. */
  checkInEarlyMinutes: number;
  /** No check-in by start + grace: a no-show, the backup is called. */
  graceMinutes: number;
  /** Still a gap this long after the backup was called: the supervisor is told. */
  supervisorAfterMinutes: number;
  /** No acknowledged hand-over this long after the end: the supervisor is told; the shift stays open. */
  handoverTimeoutMinutes: number;
}

export interface ShiftInput {
  shiftId: string;
  postId: string;
  postName: string;
  jurisdiction: string;
  seatNo: number;
  mode: RosterMode;
  /** Epoch ms. */
  start: number;
  end: number;
  /** undefined: an unfilled seat, a gap from its start. */
  staffId?: string;
  /** The post's on-call list, called in order on a no-show (the assignee is skipped). */
  onCall: string[];
  supervisor: string;
  utcOffsetMinutes: number;
  timing: ShiftTiming;
}

export interface Incident {
  incidentId: string;
  at: number;
  by: string;
  kind: string;
  description: string;
}

export interface CheckInCommand {
  staffId: string;
}

export interface HandoverCommand {
  by: string;
  note: string;
}

export interface ByCommand {
  by: string;
}

export interface IncidentCommand {
  incidentId: string;
  by: string;
  kind: string;
  description: string;
}

export interface ReassignCommand {
  /** null: nobody, the seat left unfilled (a roster published since found nobody for it). */
  staffId: string | null;
  by: string;
  reason: string;
}

export interface EndShiftCommand {
  by: string;
  reason: string;
}

/** The outgoing shift's note, sent to the incoming shift. */
export interface HandoverOffer {
  fromShiftId: string;
  by: string;
  note: string;
  at: number;
}

/** The incoming shift's acknowledgement, sent back to the outgoing shift. */
export interface HandoverAcknowledgement {
  toShiftId: string;
  by: string;
  at: number;
}

export interface ShiftView {
  shiftId: string;
  postId: string;
  jurisdiction: string;
  seatNo: number;
  mode: RosterMode;
  start: string;
  end: string;
  state: DutyState;
  assignee?: string;
  /** Who is on post for this seat now, if anyone. */
  onPost?: string;
  checkedInAt?: string;
  /** A no-show or unfilled seat not yet covered: since when. */
  gapSince?: string;
  backupCalled?: string;
  supervisorTold?: string;
  handover: {
    note?: string;
    submittedAt?: string;
    /** The incoming shift; null when there is none (the post closes or the seat is not needed). */
    successorShiftId?: string | null;
    acknowledgedBy?: string;
    acknowledgedAt?: string;
    escalatedAt?: string;
  };
  /** The hand-over received from the previous shift. */
  received?: { fromShiftId: string; by: string; note: string; acknowledgedAt?: string };
  incidents: Incident[];
  /** What is still owed, in words. */
  pending: string[];
  endedAt?: string;
  endReason?: string;
}

export const checkInUpdate = defineUpdate<ShiftView, [CheckInCommand]>('checkIn');
export const submitHandoverUpdate = defineUpdate<ShiftView, [HandoverCommand]>('submitHandover');
export const acknowledgeHandoverUpdate = defineUpdate<ShiftView, [ByCommand]>('acknowledgeHandover');
export const logIncidentUpdate = defineUpdate<ShiftView, [IncidentCommand]>('logIncident');
export const reassignUpdate = defineUpdate<ShiftView, [ReassignCommand]>('reassign');
export const endShiftUpdate = defineUpdate<ShiftView, [EndShiftCommand]>('endShift');
export const handoverOfferedSignal = defineSignal<[HandoverOffer]>('handoverOffered');
export const handoverAcknowledgedSignal = defineSignal<[HandoverAcknowledgement]>('handoverAcknowledged');
export const shiftStateQuery = defineQuery<ShiftView>('state');

export function shiftWorkflowId(shiftId: string): string {
  return `shift-${shiftId}`;
}
