/**
 * The transfer workflows' messages, defined once and shared by the workflows and the API.
 * A run (transfer-run-<runId>) owns the plan, the closed loop and the exceptions; each dispatched
 * trip is a child (transfer-run-<runId>/<tripId>) that follows its legs through updates and reports
 * every fact to the run by signal. Workflows carry ids only: names, documents and phones stay in
 * PostgreSQL (transfer_traveller).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Destination, DestinationKind, Escort, PlannedTrip, TransferPlan, TransferRules, Traveller, TravellerMove, Vehicle } from './transfer-planning';

export type RunKind = 'standard' | 'key_person';
export type RunStatus = 'planned' | 'running' | 'completed';

export interface MeetingPoint {
  /** Where the escort meets the person instead of the sorting point, e.g. a provincial checkpoint. */
  point: string;
  at: number;
}

export interface TransferRunRules extends TransferRules {
  /** Arrived people not handed over after this long escalate. */
  handOverTimeoutMinutes?: number;
  /** A trip's driver and escort are told this long before boarding. */
  dispatchLeadMinutes?: number;
}

export const DEFAULT_RUN_RULES = { handOverTimeoutMinutes: 30, dispatchLeadMinutes: 30 };

export interface TransferRunInput {
  runId: string;
  kind: RunKind;
  dispatcher: string;
  supervisor: string;
  /** `name` holds the traveller id: identities stay in PostgreSQL. */
  travellers: Traveller[];
  vehicles: Vehicle[];
  /** `name` holds the escort id. */
  escorts: Escort[];
  destinations: Destination[];
  rules: TransferRunRules;
  plan: TransferPlan;
  meeting?: MeetingPoint;
  dispatchNow: boolean;
  /** The jurisdiction's offset, for the local times in messages. */
  utcOffsetMinutes: number;
  /** A pick-up a decision started: the observation (by traveller id) told when its person is handed over. */
  observations?: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// Trips

export type TripLeg = 'planned' | 'dispatched' | 'boarding' | 'departed' | 'arrived' | 'completed' | 'broken_down';
export type RiderStatus = 'listed' | 'on_board' | 'handed_over' | 'no_show' | 'refused' | 'stranded';
export type Aftercare = 'pending' | 'done' | 'failed';

export interface TripInput {
  runId: string;
  trip: PlannedTrip;
  /** Every destination of the run with its kind: a re-route stays within the kind (home or hotel). */
  destinationKinds: Record<string, DestinationKind>;
  handOverTimeoutMinutes: number;
  loadingMinutes: number;
  meeting?: MeetingPoint;
  /** Riders under observation (by traveller id): their observation is told of their hand-over. */
  observations?: Record<string, string>;
}

export const RECEIVER_ROLES = ['community_worker', 'hotel_staff', 'hospital_staff'] as const;
export type ReceiverRole = (typeof RECEIVER_ROLES)[number];

/** Who receives at each kind of destination. */
export const RECEIVER_ROLE_AT: Record<DestinationKind, ReceiverRole> = { community: 'community_worker', hotel: 'hotel_staff', hospital: 'hospital_staff' };

export interface Receiver {
  /** Who takes the person over: the community worker or the hotel's staff member. */
  name: string;
  role: ReceiverRole;
  organisation?: string;
  contact?: string;
  /** The username of the account that took the person over, when the receiver logged in themselves. */
  account?: string;
}

export interface TripCommand {
  by: string;
  note?: string;
}
export interface RiderCommand extends TripCommand {
  travellerId: string;
}
export interface RefusalCommand extends TripCommand {
  /** The person and the family members refusing with them. */
  travellerIds: string[];
}
export interface HandOverCommand extends TripCommand {
  travellerId: string;
  receiver: Receiver;
}
export interface RerouteCommand extends TripCommand {
  destinationId: string;
}

export interface TripView {
  runId: string;
  tripId: string;
  vehicleId: string;
  escortIds: string[];
  destinationId: string;
  leg: TripLeg;
  riders: Array<{ travellerId: string; status: RiderStatus; aftercare?: Aftercare }>;
  meeting?: MeetingPoint;
  pickup?: boolean;
}

/** What a trip tells its run. Sent once per fact (a signal command in the trip's history). */
export type TripEvent =
  | { kind: 'departed' | 'arrived' | 'completed'; tripId: string; at: number; by?: string }
  | { kind: 'boarded' | 'picked_up' | 'no_show'; tripId: string; at: number; by: string; travellerId: string; note?: string }
  | { kind: 'refused'; tripId: string; at: number; by: string; travellerIds: string[]; note?: string }
  | { kind: 'handed_over'; tripId: string; at: number; by: string; travellerId: string; receiver: Receiver }
  | { kind: 'admitted'; tripId: string; at: number; travellerId: string; observationNumber?: string; quarantineRecordId?: string }
  | { kind: 'admission_failed'; tripId: string; at: number; travellerId: string; reason: string }
  | { kind: 'breakdown'; tripId: string; at: number; by: string; vehicleId: string; travellerIds: string[]; note?: string }
  | { kind: 'hotel_full'; tripId: string; at: number; by: string; travellerIds: string[]; note?: string }
  | { kind: 'rerouted'; tripId: string; at: number; by: string; destinationId: string; note?: string }
  | { kind: 'handover_overdue'; tripId: string; at: number; travellerIds: string[] };

export const tripEventSignal = defineSignal<[TripEvent]>('tripEvent');
export const boardUpdate = defineUpdate<TripView, [RiderCommand]>('board');
/** A pick-up trip's boarding: the escort confirms the person at their door by name. */
export const pickUpUpdate = defineUpdate<TripView, [RiderCommand]>('pickUp');
export const noShowUpdate = defineUpdate<TripView, [RiderCommand]>('noShow');
export const refuseUpdate = defineUpdate<TripView, [RefusalCommand]>('refuse');
export const departUpdate = defineUpdate<TripView, [TripCommand]>('depart');
export const arriveUpdate = defineUpdate<TripView, [TripCommand]>('arrive');
export const handOverUpdate = defineUpdate<TripView, [HandOverCommand]>('handOver');
export const breakdownUpdate = defineUpdate<TripView, [TripCommand]>('breakdown');
export const hotelFullUpdate = defineUpdate<TripView, [TripCommand]>('hotelFull');
export const rerouteUpdate = defineUpdate<TripView, [RerouteCommand]>('reroute');
export const tripStateQuery = defineQuery<TripView>('tripState');

// ---------------------------------------------------------------------------------------------
// Runs

export type TravellerStatus = 'waiting' | 'on_board' | 'arrived' | 'handed_over' | 'no_show' | 'refused' | 'unplanned' | 'closed';
export type ExceptionKind = 'no_show' | 'refusal' | 'breakdown' | 'hotel_full' | 'handover_unacknowledged' | 'unplanned' | 'admission_failed';
export type ExceptionState = 'open' | 'escalated' | 'acknowledged' | 'resolved';
export type ExceptionDecisionKind = 'replan' | 'close' | 'key_person_transfer' | 'acknowledge' | 'resolve';
export type ExceptionOwnerRole = 'dispatcher' | 'supervisor' | 'receiver';

/** Who owns each exception first, and how long they have before it goes to the supervisor. */
export const EXCEPTION_RULES: Record<ExceptionKind, { ownerRole: ExceptionOwnerRole; minutes: number; decisions: ExceptionDecisionKind[] }> = {
  no_show: { ownerRole: 'dispatcher', minutes: 120, decisions: ['replan', 'close'] },
  refusal: { ownerRole: 'supervisor', minutes: 240, decisions: ['key_person_transfer', 'close'] },
  unplanned: { ownerRole: 'dispatcher', minutes: 60, decisions: ['replan', 'close'] },
  breakdown: { ownerRole: 'dispatcher', minutes: 30, decisions: ['acknowledge'] },
  hotel_full: { ownerRole: 'dispatcher', minutes: 30, decisions: ['acknowledge'] },
  handover_unacknowledged: { ownerRole: 'receiver', minutes: 30, decisions: ['acknowledge'] },
  admission_failed: { ownerRole: 'supervisor', minutes: 240, decisions: ['resolve'] },
};

/** A person's place in the closed loop (mirrored to transfer_traveller). */
export interface TravellerState {
  status: TravellerStatus;
  tripId?: string;
  destinationId: string;
  handedOverAt?: number;
  receiver?: Receiver;
  aftercare?: Aftercare;
  observationNumber?: string;
  quarantineRecordId?: string;
  /** A terminal disposition a supervisor approved (did_not_arrive, hospital, ...). */
  closedAs?: string;
  closedBy?: string;
}

export interface TransferException {
  /** `<runId>/<n>` */
  id: string;
  kind: ExceptionKind;
  travellerIds: string[];
  tripId?: string;
  ownerRole: ExceptionOwnerRole;
  owner: string;
  state: ExceptionState;
  reason: string;
  openedAt: number;
  deadline: number;
  escalatedAt?: number;
  resolution?: string;
  decidedBy?: string;
}

export interface RunTrip extends PlannedTrip {
  leg: TripLeg;
  meeting?: MeetingPoint;
}

export interface RunCounts {
  travellers: number;
  waiting: number;
  onBoard: number;
  arrived: number;
  handedOver: number;
  exceptions: number;
  closed: number;
  openExceptions: number;
}

export interface RunView {
  runId: string;
  kind: RunKind;
  status: RunStatus;
  counts: RunCounts;
  trips: RunTrip[];
  unplanned: TransferPlan['unplanned'];
  exceptions: TransferException[];
  travellers: Record<string, TravellerState>;
}

export interface PlanAdjustment {
  moves?: TravellerMove[];
  /** Trips kept as they are by a re-plan. */
  pinTripIds?: string[];
  /** Plan everyone not on a pinned trip again. */
  replan?: boolean;
  by: string;
}

export interface ExceptionDecision {
  exceptionId: string;
  decision: ExceptionDecisionKind;
  by: string;
  note?: string;
  /** close: the terminal disposition approved. */
  closedAs?: string;
  /** key_person_transfer: where and when the escort meets the person. */
  meeting?: MeetingPoint;
}

export const dispatchRunUpdate = defineUpdate<RunView, [{ by: string }]>('dispatchRun');
export const adjustPlanUpdate = defineUpdate<RunView, [PlanAdjustment]>('adjustPlan');
export const decideExceptionUpdate = defineUpdate<RunView, [ExceptionDecision]>('decideException');
export const runStateQuery = defineQuery<RunView>('runState');

export function transferRunWorkflowId(runId: string): string {
  return `transfer-run-${runId}`;
}

export function transferTripWorkflowId(runId: string, tripId: string): string {
  return `transfer-run-${runId}/${tripId}`;
}
