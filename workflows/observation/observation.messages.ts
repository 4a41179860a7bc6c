/**
 * The observation workflow's messages, defined once and shared by the workflow and the API.
 * Signals carry facts that arrive in bursts (reports, device events); updates carry a person's
 * commands, validated before they enter history; the query reads the live state.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Category, ObservationPolicy } from './observation-policy';

export type ObservationStatus = 'active' | 'escalated' | 'awaiting_pickup' | 'released' | 'ended';
export type EndReason = 'moved_away' | 'hospital' | 'centralized_quarantine';
export type EscalationKind = 'missed_report' | 'missed_report_repeat' | 'fever' | 'symptom' | 'non_cooperation' | 'guard_unstaffed';
export type EscalationState = 'open' | 'acknowledged' | 'resolved';
export type OwnerRole = 'community_worker' | 'supervisor' | 'medical';
/** The non-cooperation ladder, in order. */
export const MEASURES = ['warning_talk', 'guard_posted', 'centralized_quarantine'] as const;
export type Measure = (typeof MEASURES)[number];

export interface ObservationInput {
  number: string;
  personId: string;
  category: Category;
  subdistrict: string;
  community: string;
  responsibleWorker: string;
  anchorDate: string;
  /** Epoch ms of enrolment. */
  startedAt: number;
  utcOffsetMinutes: number;
  policy: ObservationPolicy;
  /**
   * The enrolment itself wrote the 'enrolled' line, the next due time and the search attributes, so
   * the first pass has nothing to write. Absent in histories from before it did: those still write.
   */
  enrolmentRecorded?: boolean;
  /**
   * Who keeps the check-in slots: the observation clock of this task queue (which the enrolment
   * also wrote on the record), or 'own' for the per-slot timers of workflows started before the
   * clock (kept for the benchmark's comparison). Absent: the run puts itself on its task queue's clock.
   */
  slotClock?: string;
}

export interface TemperatureReport {
  /** The client's request id: a retried report counts once. */
  requestId: string;
  /** Epoch ms when the API accepted it. */
  at: number;
  temperature: number;
  symptoms?: string[];
  source: 'person' | 'worker' | 'thermometer';
}

export interface DeviceEvent {
  eventId: string;
  deviceId: string;
  kind: 'door_opened' | 'camera_motion' | 'thermometer_reading';
  at: number;
  /** For thermometer readings, °C. */
  value?: number;
}

export interface Escalation {
  id: string;
  kind: EscalationKind;
  ownerRole: OwnerRole;
  owner: string;
  state: EscalationState;
  reason: string;
  openedAt: number;
  slotKey?: string;
  resolution?: string;
  decidedBy?: string;
}

/** A pick-up run started by a hospital or centralized-quarantine decision; the observation ends when it hands the person over. */
export interface Pickup {
  runId: string;
  reason: 'hospital' | 'centralized_quarantine';
  startedAt: number;
}

/** What the pick-up run tells the observation: its person was handed over at the destination. */
export interface PickupHandOver {
  runId: string;
  at: number;
  /** Who received the person. */
  by: string;
}

export interface EscalationCommand {
  escalationId: string;
  by: string;
  note?: string;
}

/** A supervisor's decision on a fever or symptom escalation. */
export interface HealthDecision extends EscalationCommand {
  decision: 'continue' | 'hospital' | 'centralized_quarantine';
}

export interface MeasureCommand {
  measure: Measure;
  by: string;
  note?: string;
}

/** A supervisor lifts the posted guard (the observation goes on). */
export interface LiftGuardCommand {
  by: string;
  note?: string;
}

/** The guard post of the "guard posted" measure, as the observation knows it. */
export interface GuardPostView {
  postId: string;
  /** The roster plan its shifts were planned and published by (absent while it is being posted). */
  planId?: string;
  shifts?: number;
  unfilled?: number;
  liftedAt?: string;
}

export interface ExtensionCommand {
  newAnchorDate: string;
  reason: string;
  by: string;
}

export interface EarlyEndCommand {
  reason: EndReason;
  by: string;
  note?: string;
}

export interface PolicyChangeCommand {
  policy: ObservationPolicy;
  by: string;
}

export type SlotState = 'upcoming' | 'open' | 'reported' | 'missed';

export interface ObservationView {
  number: string;
  status: ObservationStatus;
  category: Category;
  day: number;
  periodDays: number;
  anchorDate: string;
  releaseDueAt: string;
  nextDueAt?: string;
  policyId: string;
  today: Array<{ slotKey: string; opensAt: string; deadline: string; state: SlotState; temperature?: number }>;
  escalations: Escalation[];
  openEscalations: number;
  measuresTaken: Measure[];
  guardPost?: GuardPostView;
  reportsReceived: number;
  missedSlots: number;
  /** Why a due release waits, if it does. */
  releaseBlockedBy?: string;
  endReason?: string;
  endedAt?: string;
  /** The pick-up under way (status awaiting_pickup) or done. */
  pickup?: { runId: string; reason: Pickup['reason']; startedAt: string };
}

export const reportSignal = defineSignal<[TemperatureReport]>('report');
export const deviceEventSignal = defineSignal<[DeviceEvent]>('deviceEvent');
export const pickupHandedOverSignal = defineSignal<[PickupHandOver]>('pickupHandedOver');
/**
 * From the observation clock: no report came for this slot by its deadline. `recorded`: the
 * escalations its sweep wrote for the slot (and whose notices it sent), for the workflow to take in.
 */
export interface SlotMissed {
  slotKey: string;
  recorded?: Escalation[];
}
export const slotMissedSignal = defineSignal<[SlotMissed]>('slotMissed');
export const acknowledgeEscalationUpdate = defineUpdate<ObservationView, [EscalationCommand]>('acknowledgeEscalation');
export const resolveEscalationUpdate = defineUpdate<ObservationView, [EscalationCommand]>('resolveEscalation');
export const decideHealthEscalationUpdate = defineUpdate<ObservationView, [HealthDecision]>('decideHealthEscalation');
export const takeMeasureUpdate = defineUpdate<ObservationView, [MeasureCommand]>('takeMeasure');
export const liftGuardUpdate = defineUpdate<ObservationView, [LiftGuardCommand]>('liftGuard');
export const extendUpdate = defineUpdate<ObservationView, [ExtensionCommand]>('extend');
export const endEarlyUpdate = defineUpdate<ObservationView, [EarlyEndCommand]>('endEarly');
export const changePolicyUpdate = defineUpdate<ObservationView, [PolicyChangeCommand]>('changePolicy');
export const observationStateQuery = defineQuery<ObservationView>('state');

/** The guard post of an observation: one per observation, so a retried or replayed measure posts nobody twice. */
export function guardPostId(number: string): string {
  return `guard-${number}`;
}

/** The observation clock of a task queue: one per queue, so each deployment (and each test's worker) has its own. */
export function observationClockId(taskQueue: string): string {
  return `observation-clock:${taskQueue}`;
}

/** To the observation clock: policies changed, so its next instant may be earlier than it sleeps to. */
export const clockWakeSignal = defineSignal('wake');

export function observationWorkflowId(number: string): string {
  return `observation-${number}`;
}
