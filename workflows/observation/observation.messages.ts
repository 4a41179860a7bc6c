/**
 * The observation workflow's messages, defined once and shared by the workflow and the API.
 * Signals carry facts that arrive in bursts (reports, device events); updates carry a person's
 * commands, validated before they enter history; the query reads the live state.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Category, ObservationPolicy } from './observation-policy';

export type ObservationStatus = 'active' | 'escalated' | 'released' | 'ended';
export type EndReason = 'moved_away' | 'hospital' | 'centralized_quarantine';
export type EscalationKind = 'missed_report' | 'missed_report_repeat' | 'fever' | 'symptom' | 'non_cooperation';
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
  reportsReceived: number;
  missedSlots: number;
  /** Why a due release waits, if it does. */
  releaseBlockedBy?: string;
  endReason?: string;
  endedAt?: string;
}

export const reportSignal = defineSignal<[TemperatureReport]>('report');
export const deviceEventSignal = defineSignal<[DeviceEvent]>('deviceEvent');
export const acknowledgeEscalationUpdate = defineUpdate<ObservationView, [EscalationCommand]>('acknowledgeEscalation');
export const resolveEscalationUpdate = defineUpdate<ObservationView, [EscalationCommand]>('resolveEscalation');
export const decideHealthEscalationUpdate = defineUpdate<ObservationView, [HealthDecision]>('decideHealthEscalation');
export const takeMeasureUpdate = defineUpdate<ObservationView, [MeasureCommand]>('takeMeasure');
export const extendUpdate = defineUpdate<ObservationView, [ExtensionCommand]>('extend');
export const endEarlyUpdate = defineUpdate<ObservationView, [EarlyEndCommand]>('endEarly');
export const changePolicyUpdate = defineUpdate<ObservationView, [PolicyChangeCommand]>('changePolicy');
export const observationStateQuery = defineQuery<ObservationView>('state');

export function observationWorkflowId(number: string): string {
  return `observation-${number}`;
}
