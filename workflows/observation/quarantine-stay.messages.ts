/**
 * The quarantine stay's messages, defined once and shared by the workflow and the API: the
 * supervisor's hand-back to home observation is an update (validated before it enters history),
 * the live state a query.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { EnrolmentRequest } from '../../libs/domain/person/enrolment';

export type StayStatus = 'checking_in' | 'in_room' | 'released' | 'handed_back' | 'transferred_out';

export interface StayInput {
  /** The hotel admission's id (centralized_quarantine), which the stay's record shares. */
  stayId: string;
}

/** A supervisor sends the person home for the days left of the period. */
export interface HandBackCommand {
  /** The home, in the supervisor's jurisdiction (checked by the API). */
  address: EnrolmentRequest['address'];
  responsibleWorker: string;
  by: string;
  note?: string;
  /** The supervisor's jurisdiction: the home observation is enrolled within it. */
  scope: { subdistrict: string | null; community: string | null };
}

export interface StayView {
  stayId: string;
  status: StayStatus;
  hotelId?: string;
  room?: number;
  anchorDate?: string;
  /** Epoch ms: the end of the period, when the stay is released. */
  releaseDueAt?: number;
  /** The observation that holds the daily health checks. */
  observationNumber?: string;
  healthChecksRefused?: string;
  homeObservationNumber?: string;
  endReason?: string;
}

export const handBackUpdate = defineUpdate<StayView, [HandBackCommand]>('handBack');
export const stayStateQuery = defineQuery<StayView>('state');

export function stayWorkflowId(stayId: string): string {
  return `stay-${stayId}`;
}

/** Every hand-back of a stay is one Temporal update: a retried command takes effect once. */
export const HAND_BACK_UPDATE_ID = 'hand-back';

/** The request id of the home observation a hand-back enrols: one per stay, whatever the retries. */
export function handBackRequestId(stayId: string): string {
  return `stay:${stayId}:hand-back`;
}
