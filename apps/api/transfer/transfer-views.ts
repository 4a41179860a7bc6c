/**
 * What the transfer routes answer, documented for OpenAPI, and the conversions that build it:
 * camelCase fields and every instant as ISO 8601 UTC text (the workflows' queries and updates give
 * epoch milliseconds, the database Dates).
 */
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import type { DispatchOrderRecord, TripTracking } from '../../../libs/persistence/transfer/dispatch.repository';
import type { TransferDestination, TransferEscort, TransferVehicle, SortingPoint } from '../../../libs/persistence/transfer/transfer-resource.repository';
import type { Arrival, TransferRun } from '../../../libs/persistence/transfer/transfer-run.repository';
import { DESTINATION_KINDS, DestinationKind, DISPOSITIONS, PlannedTrip, TransferPlan } from '../../../workflows/transfer/transfer-planning';
import type {
  Aftercare,
  ExceptionKind,
  ExceptionState,
  MeetingPoint,
  ReceiverRole,
  RiderStatus,
  RunKind,
  RunStatus,
  RunView,
  TransferException,
  TravellerStatus,
  TripLeg,
  TripView,
} from '../../../workflows/transfer/transfer.messages';
import { RECEIVER_ROLES } from '../../../workflows/transfer/transfer.messages';

export const RUN_KINDS: RunKind[] = ['standard', 'key_person'];
export const RUN_STATUSES: RunStatus[] = ['planned', 'running', 'completed'];
export const TRIP_LEGS: TripLeg[] = ['planned', 'dispatched', 'boarding', 'departed', 'arrived', 'completed', 'broken_down'];
const TRAVELLER_STATUSES: TravellerStatus[] = ['waiting', 'on_board', 'arrived', 'handed_over', 'no_show', 'refused', 'unplanned', 'closed'];
const RIDER_STATUSES: RiderStatus[] = ['listed', 'on_board', 'handed_over', 'no_show', 'refused', 'stranded'];
const AFTERCARE: Aftercare[] = ['pending', 'done', 'failed'];
const EXCEPTION_KINDS: ExceptionKind[] = ['no_show', 'refusal', 'breakdown', 'hotel_full', 'handover_unacknowledged', 'unplanned', 'admission_failed'];
const EXCEPTION_STATES: ExceptionState[] = ['open', 'escalated', 'acknowledged', 'resolved'];
const OWNER_ROLES: Array<TransferException['ownerRole']> = ['dispatcher', 'supervisor', 'receiver'];

const iso = (at: number) => new Date(at).toISOString();
const isoIfAny = (at: number | undefined) => (at === undefined ? undefined : iso(at));

// ---------------------------------------------------------------------------------------------
// Plans and runs

export class MeetingView {
  @ApiProperty({ example: 'G4 provincial checkpoint (京港澳高速杜家坎)' }) point!: string;
  @ApiProperty({ example: '2026-11-25T13:30:00.000Z', description: 'when the escort meets the person' }) at!: string;
}

export class PlannedTripView {
  @ApiProperty({ example: 'trip-01' }) tripId!: string;
  @ApiProperty({ example: 'V001' }) vehicleId!: string;
  @ApiProperty({ type: [String], example: ['E001'] }) escortIds!: string[];
  @ApiProperty({ example: 'C-XYL' }) destinationId!: string;
  @ApiProperty({ type: [String], example: ['T001', 'T002'] }) travellerIds!: string[];
  @ApiProperty({ example: '2026-11-25T02:10:00.000Z', description: 'leaves the sorting point (boarding ends)' }) departAt!: string;
  @ApiProperty({ example: '2026-11-25T02:45:00.000Z' }) arriveAt!: string;
  @ApiProperty({ example: '2026-11-25T03:30:00.000Z', description: 'the vehicle is back at the sorting point' }) returnAt!: string;
  @ApiPropertyOptional({ description: 'kept as it is by a re-plan' }) pinned?: boolean;
  @ApiPropertyOptional({ description: 'fetches its people at home: the vehicle leaves the sorting point empty, the escort confirms each at the door (picked-up), departAt is leaving the door' }) pickup?: boolean;
}

export class PlanStatsView {
  @ApiProperty() trips!: number;
  @ApiProperty() seatsUsed!: number;
  @ApiProperty() seatsOffered!: number;
  @ApiProperty({ description: 'the longest anyone waits at the sorting point' }) maxWaitMinutes!: number;
  @ApiProperty() meanWaitMinutes!: number;
}

export class RunPlanView {
  @ApiProperty({ type: [PlannedTripView] }) trips!: PlannedTripView[];
  @ApiProperty({ type: PlanStatsView }) stats!: PlanStatsView;
}

export class RunStartedView {
  @ApiProperty({ example: '6f1c2a84-0d7e-4d55-9a43-2b8e6f0a9c11' }) runId!: string;
  @ApiProperty({ enum: ['created', 'existing'], description: 'existing: a repeat of a request already taken (same idempotency key)' }) status!: 'created' | 'existing';
  @ApiProperty({ type: RunPlanView }) plan!: RunPlanView;
}

export class RunCountsView {
  @ApiProperty() travellers!: number;
  @ApiProperty() waiting!: number;
  @ApiProperty() onBoard!: number;
  @ApiProperty() arrived!: number;
  @ApiProperty() handedOver!: number;
  @ApiProperty() exceptions!: number;
  @ApiProperty() closed!: number;
  @ApiProperty() openExceptions!: number;
}

export class RunSummaryView {
  @ApiProperty() runId!: string;
  @ApiProperty({ enum: RUN_KINDS }) kind!: RunKind;
  @ApiProperty({ enum: RUN_STATUSES }) status!: RunStatus;
  @ApiProperty() sortingPointId!: string;
  @ApiProperty() dispatcher!: string;
  @ApiProperty() supervisor!: string;
  @ApiProperty({ type: RunCountsView, description: 'as the run last recorded them (empty until its first pass is recorded)' }) counts!: Partial<RunCountsView>;
  @ApiProperty({ example: '2026-11-25T00:05:00.000Z' }) createdAt!: string;
  @ApiProperty({ type: String, nullable: true, example: null }) completedAt!: string | null;
}

export class RunTripView extends PlannedTripView {
  @ApiProperty({ enum: TRIP_LEGS }) leg!: TripLeg;
  @ApiPropertyOptional({ type: MeetingView, description: 'key-person trips: where the escort meets the person instead of the sorting point' }) meeting?: MeetingView;
}

export class UnplannedView {
  @ApiProperty() travellerId!: string;
  @ApiProperty() reason!: string;
}

export class ExceptionView {
  @ApiProperty({ example: '6f1c2a84-0d7e-4d55-9a43-2b8e6f0a9c11/1', description: '`<runId>/<n>`' }) id!: string;
  @ApiProperty({ enum: EXCEPTION_KINDS }) kind!: ExceptionKind;
  @ApiProperty({ type: [String] }) travellerIds!: string[];
  @ApiPropertyOptional() tripId?: string;
  @ApiProperty({ enum: OWNER_ROLES }) ownerRole!: TransferException['ownerRole'];
  @ApiProperty() owner!: string;
  @ApiProperty({ enum: EXCEPTION_STATES }) state!: ExceptionState;
  @ApiProperty() reason!: string;
  @ApiProperty() openedAt!: string;
  @ApiProperty({ description: 'escalates when still open then' }) deadline!: string;
  @ApiPropertyOptional() escalatedAt?: string;
  @ApiPropertyOptional() resolution?: string;
  @ApiPropertyOptional() decidedBy?: string;
}

export class ReceiverView {
  @ApiProperty() name!: string;
  @ApiProperty({ enum: RECEIVER_ROLES }) role!: ReceiverRole;
  @ApiPropertyOptional() organisation?: string;
  @ApiPropertyOptional() contact?: string;
  @ApiPropertyOptional({ example: 'receiver-hotel-1', description: 'the account that took the person over, when the receiver logged in themselves' }) account?: string;
}

export class TravellerStateView {
  @ApiProperty({ enum: TRAVELLER_STATUSES }) status!: TravellerStatus;
  @ApiPropertyOptional() tripId?: string;
  @ApiProperty() destinationId!: string;
  @ApiPropertyOptional() handedOverAt?: string;
  @ApiPropertyOptional({ type: ReceiverView }) receiver?: ReceiverView;
  @ApiPropertyOptional({ enum: AFTERCARE, description: 'after the hand-over: home observation started or quarantine record made' }) aftercare?: Aftercare;
  @ApiPropertyOptional() observationNumber?: string;
  @ApiPropertyOptional() quarantineRecordId?: string;
  @ApiPropertyOptional({ description: 'a terminal disposition a supervisor approved (did_not_arrive, hospital, …)' }) closedAs?: string;
  @ApiPropertyOptional() closedBy?: string;
}

/** The run's live state: plan, counts, each trip and its leg, exceptions. */
export class RunLiveView {
  @ApiProperty() runId!: string;
  @ApiProperty({ enum: RUN_KINDS }) kind!: RunKind;
  @ApiProperty({ enum: RUN_STATUSES }) status!: RunStatus;
  @ApiProperty({ type: RunCountsView }) counts!: RunCountsView;
  @ApiProperty({ type: [RunTripView] }) trips!: RunTripView[];
  @ApiProperty({ type: [UnplannedView] }) unplanned!: UnplannedView[];
  @ApiProperty({ type: [ExceptionView] }) exceptions!: ExceptionView[];
}

/** The run's live state with each person's place in the closed loop, by traveller id: what a command to the run answers. */
@ApiExtraModels(TravellerStateView)
export class RunStateView extends RunLiveView {
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(TravellerStateView) }, description: 'by traveller id (T001, …)' })
  travellers!: Record<string, TravellerStateView>;
}

/** One row of the hand-over sheet (交接单): one person, from which trip and vehicle, handed over to whom and when, and what follows. */
export class HandOverSheetRowView {
  @ApiProperty({ description: 'the manifest row, from 1' }) row!: number;
  @ApiProperty() travellerId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ example: 'resident_id:11010519491231002X' }) document!: string;
  @ApiProperty({ type: String, nullable: true }) mobile!: string | null;
  @ApiProperty({ description: 'ready at the sorting point (key-person runs: the meeting time); the wait is from here to the trip’s departure' }) arrivalTime!: string;
  @ApiProperty() keyPerson!: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'travels with this family on one trip' }) familyGroup!: string | null;
  @ApiProperty({ enum: DISPOSITIONS }) disposition!: string;
  @ApiProperty({ description: 'the destination’s name' }) destination!: string;
  @ApiProperty({ enum: TRAVELLER_STATUSES }) status!: string;
  @ApiProperty({ type: String, nullable: true }) tripId!: string | null;
  @ApiProperty({ type: String, nullable: true }) plate!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'the escorts’ names, comma-separated' }) escorts!: string | null;
  @ApiProperty({ type: String, nullable: true }) handedOverAt!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '李娜 (community_worker, 学院路社区)' }) receiver!: string | null;
  @ApiProperty({ type: String, nullable: true }) observationNumber!: string | null;
  @ApiProperty({ type: String, nullable: true }) quarantineRecordId!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'did_not_arrive (approved by 王主任)' }) closedAs!: string | null;
}

export class ManifestAddressView {
  @ApiPropertyOptional() subdistrict?: string;
  @ApiPropertyOptional() community?: string;
  @ApiPropertyOptional() building?: string;
  @ApiPropertyOptional() unit?: string;
  @ApiPropertyOptional() detail?: string;
}

/** A manifest row as read from a file: only the cells it fills, as text, `keyPerson` as a boolean when it says yes or no. */
export class ManifestRowView {
  @ApiPropertyOptional() name?: string;
  @ApiPropertyOptional({ example: 'resident_id', description: 'resident_id or passport (身份证, 护照 read as these)' }) documentType?: string;
  @ApiPropertyOptional() documentNumber?: string;
  @ApiPropertyOptional() mobile?: string;
  @ApiPropertyOptional({ example: '2026-11-25T08:10:00+08:00', description: 'as written; one without an offset gets the jurisdiction’s' }) arrivalTime?: string;
  @ApiPropertyOptional() destinationId?: string;
  @ApiPropertyOptional({ enum: DISPOSITIONS }) disposition?: string;
  @ApiPropertyOptional({ oneOf: [{ type: 'boolean' }, { type: 'string' }], description: 'a boolean for yes/no, true/false, 是/否, 1/0; any other text stays text and is refused by POST /transfer-runs' })
  keyPerson?: boolean | string;
  @ApiPropertyOptional() familyGroup?: string;
  @ApiProperty({ type: ManifestAddressView, description: 'empty when the row names no address' }) address!: ManifestAddressView;
  @ApiPropertyOptional() responsibleWorker?: string;
}

/** A manifest file read (`POST /transfer-runs/manifest`): its rows as `POST /transfer-runs` takes them. */
export class ManifestFileView {
  @ApiProperty({ type: [ManifestRowView], description: 'one per filled row, in file order: the `travellers` of POST /transfer-runs' })
  travellers!: ManifestRowView[];
  @ApiProperty({ type: [Number], description: 'the sheet row each traveller came from (the header is row 1): `travellers[i]` is sheet row `sheetRows[i]`' })
  sheetRows!: number[];
}

export class RunDetailView {
  @ApiProperty({ type: RunSummaryView }) run!: RunSummaryView;
  @ApiPropertyOptional({ type: RunLiveView, description: 'left out when the run’s workflow cannot answer (closed beyond the retention period)' }) state?: RunLiveView;
  @ApiProperty({ type: [HandOverSheetRowView], description: 'every person by name, as the hand-over sheet has them' }) travellers!: HandOverSheetRowView[];
}

// ---------------------------------------------------------------------------------------------
// Trips

export class RiderView {
  @ApiProperty() travellerId!: string;
  @ApiProperty({ enum: RIDER_STATUSES }) status!: RiderStatus;
  @ApiPropertyOptional({ enum: AFTERCARE }) aftercare?: Aftercare;
}

/** A trip's live state, as its workflow answers it: what an escort's or receiver's command answers. */
export class TripStateView {
  @ApiProperty() runId!: string;
  @ApiProperty() tripId!: string;
  @ApiProperty() vehicleId!: string;
  @ApiProperty({ type: [String] }) escortIds!: string[];
  @ApiProperty() destinationId!: string;
  @ApiProperty({ enum: TRIP_LEGS }) leg!: TripLeg;
  @ApiProperty({ type: [RiderView] }) riders!: RiderView[];
  @ApiPropertyOptional({ type: MeetingView }) meeting?: MeetingView;
  @ApiPropertyOptional({ description: 'fetches its people at home: confirm each with picked-up' }) pickup?: boolean;
}

export class ArrivingPersonView {
  @ApiProperty({ example: 'T001' }) travellerId!: string;
  @ApiProperty({ example: '张伟', description: 'the name to check the person against when taking them over' }) name!: string;
  @ApiProperty({ enum: TRAVELLER_STATUSES }) status!: TravellerStatus;
  @ApiProperty({ type: String, nullable: true }) handedOverAt!: string | null;
}

/** A trip coming to (or at) a destination, as its receivers (`GET /receiving`) and its crew (`GET /my-trips`) see it. */
export class ArrivalView {
  @ApiProperty() runId!: string;
  @ApiProperty() tripId!: string;
  @ApiProperty({ enum: TRIP_LEGS }) leg!: TripLeg;
  @ApiProperty() destinationId!: string;
  @ApiProperty({ example: '锦江隔离酒店' }) destinationName!: string;
  @ApiProperty({ type: String, nullable: true, example: '京B·12345' }) plate!: string | null;
  @ApiProperty({ description: 'when the trip is planned to leave the sorting point' }) departAt!: string;
  @ApiProperty({ description: 'when the trip is planned to arrive' }) arriveAt!: string;
  @ApiProperty({ type: [ArrivingPersonView], description: 'in manifest order' }) travellers!: ArrivingPersonView[];
}

export function arrivalView(a: Arrival): ArrivalView {
  // The people come from a JSON aggregate: their instants are PostgreSQL's text, made ISO UTC here.
  return { ...a, departAt: a.departAt.toISOString(), arriveAt: a.arriveAt.toISOString(), travellers: a.travellers.map((t) => ({ ...t, handedOverAt: t.handedOverAt && new Date(t.handedOverAt).toISOString() })) };
}

export class PositionView {
  @ApiProperty({ example: 39.9903 }) lat!: number;
  @ApiProperty({ example: 116.3461 }) lon!: number;
  @ApiProperty({ description: 'when the vehicle was there' }) at!: string;
}

export class DispatchOrderView {
  @ApiProperty({ description: '`<runId>/<tripId>`, the Idempotency-Key the order was sent with' }) orderId!: string;
  @ApiProperty({ enum: ['accepted', 'refused'] }) state!: DispatchOrderRecord['state'];
  @ApiProperty({ type: String, nullable: true, description: 'the dispatch system’s own id of the order' }) reference!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'why the dispatch system refused it' }) reason!: string | null;
  @ApiProperty() sentAt!: string;
}

/** A trip's live state with what the dispatch system said of it (null when it was dispatched through the notification channels, or reported nothing). */
export class TrackedTripView extends TripStateView {
  @ApiProperty({ type: PositionView, nullable: true, description: 'the vehicle’s latest reported position' }) position!: PositionView | null;
  @ApiProperty({ type: DispatchOrderView, nullable: true }) dispatchOrder!: DispatchOrderView | null;
}

// ---------------------------------------------------------------------------------------------
// Resources

export class SortingPointView implements SortingPoint {
  @ApiProperty({ example: 'SP-SHUNYI' }) id!: string;
  @ApiProperty({ example: '顺义新国展分拣点' }) name!: string;
  @ApiProperty({ example: '北京市顺义区天竺地区裕翔路88号' }) address!: string;
}

export class DestinationView implements TransferDestination {
  @ApiProperty({ example: 'H-JINJIANG' }) id!: string;
  @ApiProperty({ enum: DESTINATION_KINDS }) kind!: DestinationKind;
  @ApiProperty({ example: '锦江之星隔离酒店' }) name!: string;
  @ApiProperty({ example: 35, description: 'one way from the sorting point' }) travelMinutes!: number;
  @ApiProperty({ type: Number, nullable: true, example: 120, description: 'hotels: rooms, numbered 1 to capacity (planning counts those taken); null for a community' }) capacity!: number | null;
  @ApiProperty({ example: '前台 刘经理', description: 'who takes people over on arrival' }) receiver!: string;
  @ApiProperty({ type: String, nullable: true, example: '李娜', description: 'communities: the worker responsible for the home observations' }) worker!: string | null;
}

export class VehicleView implements TransferVehicle {
  @ApiProperty({ example: 'V001' }) id!: string;
  @ApiProperty({ example: '京B·12345' }) plate!: string;
  @ApiProperty({ example: 14 }) seats!: number;
  @ApiProperty({ example: '孙师傅' }) driverName!: string;
  @ApiProperty({ example: '13900000000' }) driverContact!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'the driver’s login, if linked' }) driverAccountId!: string | null;
  @ApiProperty() available!: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'the subdistrict whose pick-ups take it' }) subdistrict!: string | null;
}

export class EscortView implements TransferEscort {
  @ApiProperty({ example: 'E001' }) id!: string;
  @ApiProperty({ example: '周干部' }) name!: string;
  @ApiProperty({ example: '13700000000' }) contact!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'the escort’s login, if linked' }) accountId!: string | null;
  @ApiProperty() available!: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'the subdistrict whose pick-ups they escort' }) subdistrict!: string | null;
}

// ---------------------------------------------------------------------------------------------
// Conversions

function meetingView(meeting: MeetingPoint | undefined): MeetingView | undefined {
  return meeting && { point: meeting.point, at: iso(meeting.at) };
}

export function plannedTripView(trip: PlannedTrip): PlannedTripView {
  const { tripId, vehicleId, escortIds, destinationId, travellerIds, departAt, arriveAt, returnAt, pinned, pickup } = trip;
  return { tripId, vehicleId, escortIds, destinationId, travellerIds, departAt: iso(departAt), arriveAt: iso(arriveAt), returnAt: iso(returnAt), pinned, pickup };
}

export function runStartedView(started: { runId: string; status: 'created' | 'existing'; plan: Pick<TransferPlan, 'trips' | 'stats'> }): RunStartedView {
  return { ...started, plan: { trips: started.plan.trips.map(plannedTripView), stats: started.plan.stats } };
}

export function runSummaryView(run: TransferRun): RunSummaryView {
  const { id, kind, status, sortingPointId, dispatcher, supervisor, counts, createdAt, completedAt } = run;
  return { runId: id, kind, status, sortingPointId, dispatcher, supervisor, counts, createdAt: createdAt.toISOString(), completedAt: completedAt?.toISOString() ?? null };
}

export function runLiveView(view: RunView): RunLiveView {
  return {
    runId: view.runId,
    kind: view.kind,
    status: view.status,
    counts: view.counts,
    trips: view.trips.map((trip) => ({ ...plannedTripView(trip), leg: trip.leg, meeting: meetingView(trip.meeting) })),
    unplanned: view.unplanned,
    exceptions: view.exceptions.map((e) => ({ ...e, openedAt: iso(e.openedAt), deadline: iso(e.deadline), escalatedAt: isoIfAny(e.escalatedAt) })),
  };
}

export function runStateView(view: RunView): RunStateView {
  const travellers = Object.entries(view.travellers).map(([id, t]) => [id, { ...t, handedOverAt: isoIfAny(t.handedOverAt) }] as const);
  return { ...runLiveView(view), travellers: Object.fromEntries(travellers) };
}

export function tripStateView(view: TripView): TripStateView {
  return { ...view, meeting: meetingView(view.meeting) };
}

export function trackedTripView(view: TripView, tracking: TripTracking): TrackedTripView {
  const { order, position } = tracking;
  return {
    ...tripStateView(view),
    position: position && { lat: position.lat, lon: position.lon, at: position.at.toISOString() },
    dispatchOrder: order && { orderId: order.orderId, state: order.state, reference: order.reference, reason: order.reason, sentAt: order.sentAt.toISOString() },
  };
}
