import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { GUARD_POST_KIND, POST_KINDS, ROSTER_MODES } from '../../../libs/roster/roster-seats';
import type { RosterPlan } from '../../../libs/persistence/roster/roster-plan.repository';
import { DUTY_STATES, SHIFT_REQUEST_STATES, STAFF_ROLES } from './roster.dto';

/**
 * The bodies the roster routes answer, for the OpenAPI document: camelCase fields, instants as
 * ISO 8601 UTC strings, local dates as YYYY-MM-DD.
 */

const COUNTS = { type: 'object', additionalProperties: { type: 'integer' } } as const;

class SeatRequirementResponse {
  @ApiPropertyOptional({ example: 'checkpoint', description: 'the skill the seat needs; none: anyone' }) skill?: string;
  @ApiProperty({ example: 1, description: 'people with it on every shift' }) headcount!: number;
}

class PostRequirementsResponse {
  @ApiProperty({ type: [SeatRequirementResponse], description: 'seats of a shift in peace time (平时)' }) peace!: SeatRequirementResponse[];
  @ApiProperty({ type: [SeatRequirementResponse], description: 'seats of a shift in war time (战时)' }) war!: SeatRequirementResponse[];
}

class ShiftSlotResponse {
  @ApiProperty({ example: '08:00', description: 'local start HH:MM' }) start!: string;
  @ApiProperty({ example: 8 }) hours!: number;
}

export class PostResponse {
  @ApiProperty({ example: 'cp-g4' }) id!: string;
  @ApiProperty({ enum: [...POST_KINDS, GUARD_POST_KIND] }) kind!: string;
  @ApiProperty({ example: 'G4 高速出口卡口' }) name!: string;
  @ApiProperty({ example: 'G4 exit 12' }) location!: string;
  @ApiProperty({ example: 'XYL-1', description: 'the community whose peace/war mode applies' }) jurisdiction!: string;
  @ApiProperty({ type: String, nullable: true, example: 'XYL', description: 'the subdistrict that runs the post; null: the district command' }) subdistrict!: string | null;
  @ApiProperty({ type: PostRequirementsResponse }) requirements!: PostRequirementsResponse;
  @ApiProperty({ type: [ShiftSlotResponse], description: 'the shifts of a day' }) pattern!: ShiftSlotResponse[];
  @ApiProperty({ example: 'sup-zhao', description: 'told of no-shows, overdue hand-overs and gaps' }) supervisor!: string;
  @ApiProperty({ type: [String], example: ['oncall-liu'], description: 'called in order on a no-show' }) onCall!: string[];
  @ApiProperty({ type: String, nullable: true, example: 'XYL-C-000123', description: 'a guard post\'s observation ("guard posted"); null for every other post' }) observationNumber!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'when a guard post closed (the observation ended or the guard was lifted)' }) closedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'observation released' }) closeReason!: string | null;
}

class OnPostResponse {
  @ApiProperty() shiftId!: string;
  @ApiProperty() seatNo!: number;
  @ApiProperty({ description: 'who checked in: the assignee or a cover' }) staffId!: string;
  @ApiProperty({ format: 'date-time', description: 'checked in at' }) since!: string;
  @ApiProperty({ description: 'the shift has ended and waits for the incoming shift to take over' }) handingOver!: boolean;
}

class SeatGapResponse {
  @ApiProperty() shiftId!: string;
  @ApiProperty() seatNo!: number;
  @ApiProperty({ type: String, nullable: true, description: 'the rostered person; null: an unfilled seat' }) staffId!: string | null;
  @ApiProperty({ enum: ['no_show', 'scheduled'], description: 'no_show: a gap the backup was called for; scheduled: not checked in yet' }) state!: string;
  @ApiProperty({ format: 'date-time', description: 'uncovered since' }) since!: string;
}

export class OnDutyResponse {
  @ApiProperty() postId!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: [OnPostResponse], description: 'seats someone is on now' }) onPost!: OnPostResponse[];
  @ApiProperty({ type: [SeatGapResponse], description: 'seats of shifts under way that nobody is on' }) gaps!: SeatGapResponse[];
}

class IntervalResponse {
  @ApiProperty({ format: 'date-time' }) start!: string;
  @ApiProperty({ format: 'date-time' }) end!: string;
}

export class StaffResponse {
  @ApiProperty({ example: 'staff-li' }) id!: string;
  @ApiProperty({ example: '李强' }) name!: string;
  @ApiProperty({ enum: STAFF_ROLES }) role!: string;
  @ApiPropertyOptional({ example: 'XYL-1' }) homeCommunity?: string;
  @ApiProperty({ type: [String], example: ['checkpoint'] }) skills!: string[];
  @ApiPropertyOptional({ example: '13800138000' }) mobile?: string;
  @ApiPropertyOptional({ example: 'li@example.org' }) email?: string;
  @ApiProperty({ type: [IntervalResponse], description: 'leave: times not to be rostered' }) unavailable!: IntervalResponse[];
  @ApiProperty() avoidNights!: boolean;
  @ApiProperty({ type: [String] }) preferredPostIds!: string[];
  @ApiPropertyOptional({ description: 'own contract limit; unset, the mode of the shift decides' }) maxHoursPerDay?: number;
  @ApiPropertyOptional() maxHoursPerWeek?: number;
  @ApiPropertyOptional() maxConsecutiveDays?: number;
  @ApiPropertyOptional() maxShiftsPerDay?: number;
  @ApiPropertyOptional({ format: 'uuid', description: 'the staff member’s login' }) accountId?: string;
}

class PlannedSeatResponse {
  @ApiProperty({ example: 'cp-g4-20261201-s1-1', description: 'the shift id it is published as' }) seatId!: string;
  @ApiProperty() postId!: string;
  @ApiProperty() jurisdiction!: string;
  @ApiProperty({ example: '2026-12-01', description: 'local date' }) shiftDate!: string;
  @ApiProperty({ description: "index of the post's shift of the day" }) slot!: number;
  @ApiProperty() seatNo!: number;
  @ApiProperty({ enum: ROSTER_MODES }) mode!: string;
  @ApiProperty({ format: 'date-time' }) start!: string;
  @ApiProperty({ format: 'date-time' }) end!: string;
  @ApiPropertyOptional() requiredSkill?: string;
}

class AssignmentResponse {
  @ApiProperty() seatId!: string;
  @ApiProperty() staffId!: string;
}

class UnfilledSeatResponse {
  @ApiProperty() seatId!: string;
  @ApiProperty({ example: "no staff with skill 'medic'", description: 'why nobody could take it' }) reason!: string;
}

export class PlanResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['solving', 'draft', 'published', 'failed'] }) state!: string;
  @ApiProperty({ example: '2026-12-01' }) from!: string;
  @ApiProperty({ example: '2026-12-14' }) to!: string;
  @ApiProperty({ type: [String] }) postIds!: string[];
  @ApiProperty({ type: [PlannedSeatResponse], description: 'empty while solving' }) seats!: PlannedSeatResponse[];
  @ApiProperty({ type: [AssignmentResponse] }) assignments!: AssignmentResponse[];
  @ApiProperty({ type: [UnfilledSeatResponse] }) unfilled!: UnfilledSeatResponse[];
  @ApiProperty({ ...COUNTS, example: { seats: 42, filled: 36, unfilled: 6, keptFromPrevious: 0, changedFromPrevious: 0, solveMs: 12 } }) stats!: Record<string, number>;
  @ApiPropertyOptional({ description: 'why a failed plan could not be solved' }) failure?: string;
}

class ReassignedResponse {
  @ApiProperty() shiftId!: string;
  @ApiProperty({ type: String, nullable: true }) from!: string | null;
  @ApiProperty({ type: String, nullable: true }) to!: string | null;
}

export class PublishResponse {
  @ApiProperty({ description: 'empty when a mode switch had nothing published to re-plan' }) planId!: string;
  @ApiProperty({ description: 'seats the plan wrote' }) published!: number;
  @ApiProperty({ type: [String], description: 'shifts new on the roster' }) added!: string[];
  @ApiProperty({ type: [ReassignedResponse], description: 'shifts that changed hands' }) reassigned!: ReassignedResponse[];
  @ApiProperty({ type: [String], description: 'shifts no longer needed' }) cancelled!: string[];
  @ApiProperty({ type: [UnfilledSeatResponse] }) unfilled!: UnfilledSeatResponse[];
  @ApiProperty({ type: [String], description: 'shifts whose workflow this started (those within 48 h)' }) started!: string[];
  @ApiProperty({ type: [String], description: "shifts whose running workflow could not be told of its change yet (Temporal unavailable): committed, and told by the reconciler within minutes" }) untold!: string[];
  @ApiProperty({ type: [String], description: 'everyone whose shifts changed, each told once' }) affectedStaff!: string[];
}

export class ShiftResponse {
  @ApiProperty({ example: 'cp-g4-20261201-s1-1' }) id!: string;
  @ApiProperty() postId!: string;
  @ApiProperty() jurisdiction!: string;
  @ApiProperty({ example: '2026-12-01', description: 'local date' }) shiftDate!: string;
  @ApiProperty() slot!: number;
  @ApiProperty() seatNo!: number;
  @ApiProperty({ enum: ROSTER_MODES }) mode!: string;
  @ApiProperty({ format: 'date-time' }) startAt!: string;
  @ApiProperty({ format: 'date-time' }) endAt!: string;
  @ApiProperty({ type: String, nullable: true }) requiredSkill!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'the rostered person; null: an unfilled seat' }) staffId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: "the rostered person's name" }) staffName!: string | null;
  @ApiProperty({ enum: ['published', 'cancelled'] }) status!: string;
  @ApiProperty({ enum: DUTY_STATES }) dutyState!: string;
  @ApiProperty({ type: String, nullable: true }) unfilledReason!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'the plan that published it' }) planId!: string | null;
  @ApiProperty({ description: 'its workflow runs (started within 48 h of the start)' }) workflowStarted!: boolean;
  @ApiProperty({ type: String, nullable: true }) checkedInBy!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) checkedInAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'a gap (no-show, unfilled seat) since' }) gapSince!: string | null;
  @ApiProperty({ type: String, nullable: true }) handoverNote!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'the incoming shift that took over' }) handedOverTo!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) handedOverAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) endedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) endReason!: string | null;
}

class HandoverStateResponse {
  @ApiPropertyOptional() note?: string;
  @ApiPropertyOptional({ format: 'date-time' }) submittedAt?: string;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'the incoming shift; null: none (the post closes or the seat is not needed); absent: not looked up yet' }) successorShiftId?: string | null;
  @ApiPropertyOptional() acknowledgedBy?: string;
  @ApiPropertyOptional({ format: 'date-time' }) acknowledgedAt?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'the supervisor was told the hand-over is overdue' }) escalatedAt?: string;
}

class ReceivedHandoverResponse {
  @ApiProperty() fromShiftId!: string;
  @ApiProperty() by!: string;
  @ApiProperty() note!: string;
  @ApiPropertyOptional({ format: 'date-time' }) acknowledgedAt?: string;
}

class IncidentResponse {
  @ApiProperty({ description: "the incident's id: the request id it was logged with" }) incidentId!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty() by!: string;
  @ApiProperty({ example: 'refused_check' }) kind!: string;
  @ApiProperty() description!: string;
}

/** A shift's live state, read from its workflow. */
export class ShiftStateResponse {
  @ApiProperty() shiftId!: string;
  @ApiProperty() postId!: string;
  @ApiProperty() jurisdiction!: string;
  @ApiProperty() seatNo!: number;
  @ApiProperty({ enum: ROSTER_MODES }) mode!: string;
  @ApiProperty({ format: 'date-time' }) start!: string;
  @ApiProperty({ format: 'date-time' }) end!: string;
  @ApiProperty({ enum: DUTY_STATES }) state!: string;
  @ApiPropertyOptional() assignee?: string;
  @ApiPropertyOptional({ description: 'who is on post for this seat now' }) onPost?: string;
  @ApiPropertyOptional({ format: 'date-time' }) checkedInAt?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'a gap not yet covered: since when' }) gapSince?: string;
  @ApiPropertyOptional({ description: 'the on-call person called on a no-show' }) backupCalled?: string;
  @ApiPropertyOptional({ format: 'date-time' }) supervisorTold?: string;
  @ApiProperty({ type: HandoverStateResponse }) handover!: HandoverStateResponse;
  @ApiPropertyOptional({ type: ReceivedHandoverResponse, description: 'the hand-over received from the previous shift' }) received?: ReceivedHandoverResponse;
  @ApiProperty({ type: [IncidentResponse] }) incidents!: IncidentResponse[];
  @ApiProperty({ type: [String], description: 'what is still owed, in words' }) pending!: string[];
  @ApiPropertyOptional({ format: 'date-time' }) endedAt?: string;
  @ApiPropertyOptional() endReason?: string;
}

class ShiftEventResponse {
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ example: 'check_in' }) kind!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { staffId: 'staff-li', covering: false } }) detail!: Record<string, unknown>;
}

export class ShiftDetailResponse {
  @ApiProperty({ type: ShiftResponse }) shift!: ShiftResponse;
  @ApiPropertyOptional({ type: ShiftStateResponse, description: 'absent while its workflow is not started or no longer answers' }) state?: ShiftStateResponse;
  @ApiProperty({ type: [ShiftEventResponse], description: 'the event log, oldest first' }) events!: ShiftEventResponse[];
}

class ModeSwitchWindowResponse {
  @ApiProperty({ example: '2026-12-01' }) from!: string;
  @ApiProperty({ example: '2026-12-14' }) to!: string;
}

class ModeSwitchSummaryResponse {
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) planId!: string | null;
  @ApiProperty({ type: ModeSwitchWindowResponse }) window!: ModeSwitchWindowResponse;
  @ApiProperty({ type: [String] }) added!: string[];
  @ApiProperty({ type: [String] }) cancelled!: string[];
  @ApiProperty({ type: [ReassignedResponse] }) reassigned!: ReassignedResponse[];
  @ApiProperty({ type: [UnfilledSeatResponse] }) unfilled!: UnfilledSeatResponse[];
  @ApiProperty({ type: [String] }) affectedStaff!: string[];
}

class ModeSwitchLogResponse {
  @ApiProperty({ enum: ROSTER_MODES }) from!: string;
  @ApiProperty({ enum: ROSTER_MODES }) to!: string;
  @ApiProperty({ format: 'date-time' }) effectiveAt!: string;
  @ApiProperty() by!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ type: ModeSwitchSummaryResponse }) summary!: ModeSwitchSummaryResponse;
}

export class ModeResponse {
  @ApiProperty({ example: 'XYL-1' }) jurisdiction!: string;
  @ApiProperty({ enum: ROSTER_MODES }) mode!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'null: never switched (peace time)' }) changedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) changedBy!: string | null;
  @ApiProperty({ type: [String], description: 'the posts the mode applies to' }) postIds!: string[];
  @ApiProperty({ type: [ModeSwitchLogResponse], description: 'the latest 20 switches, newest first' }) switches!: ModeSwitchLogResponse[];
}

class PreviewCountsResponse {
  @ApiProperty({ description: 'shifts added, cancelled or reassigned' }) shifts!: number;
  @ApiProperty({ description: 'people whose shifts change' }) people!: number;
  @ApiProperty({ description: 'notices that would be sent' }) notices!: number;
}

class PreviewNoticeResponse {
  @ApiProperty({ example: 'staff:staff-li' }) recipient!: string;
  @ApiProperty({ example: 'mode_switch' }) template!: string;
}

export class ModeSwitchPreviewResponse {
  @ApiProperty({ description: 'send it with the switch to have exactly this done' }) previewId!: string;
  @ApiProperty() jurisdiction!: string;
  @ApiProperty({ enum: ROSTER_MODES }) from!: string;
  @ApiProperty({ enum: ROSTER_MODES }) to!: string;
  @ApiProperty({ type: ModeSwitchWindowResponse }) window!: ModeSwitchWindowResponse;
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'the re-plan solved for the preview; null when nothing is published' }) planId!: string | null;
  @ApiProperty({ type: [String] }) added!: string[];
  @ApiProperty({ type: [String] }) cancelled!: string[];
  @ApiProperty({ type: [ReassignedResponse] }) reassigned!: ReassignedResponse[];
  @ApiProperty({ type: [UnfilledSeatResponse] }) unfilled!: UnfilledSeatResponse[];
  @ApiProperty({ type: [String] }) affectedStaff!: string[];
  @ApiProperty({ type: PreviewCountsResponse }) counts!: PreviewCountsResponse;
  @ApiProperty({ type: [PreviewNoticeResponse] }) notices!: PreviewNoticeResponse[];
}

export class ModeSwitchResponse extends PublishResponse {
  @ApiProperty() jurisdiction!: string;
  @ApiProperty({ enum: ROSTER_MODES }) from!: string;
  @ApiProperty({ enum: ROSTER_MODES }) to!: string;
  @ApiProperty({ format: 'date-time' }) effectiveAt!: string;
  @ApiProperty({ type: ModeSwitchWindowResponse, description: 'the re-planned window (local dates)' }) window!: ModeSwitchWindowResponse;
}

export class ShiftRequestResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['swap', 'open_shift'] }) kind!: string;
  @ApiProperty() shiftId!: string;
  @ApiProperty({ type: String, nullable: true, description: 'swap: the shift given in exchange' }) otherShiftId!: string | null;
  @ApiProperty({ description: 'who takes shiftId (swap: who held otherShiftId when asked)' }) staffId!: string;
  @ApiProperty({ type: String, nullable: true, description: 'swap: who takes otherShiftId, who held shiftId when asked; null for an open shift' }) otherStaffId!: string | null;
  @ApiProperty() requestedBy!: string;
  @ApiProperty({ enum: SHIFT_REQUEST_STATES }) state!: string;
  @ApiProperty({ type: String, nullable: true }) note!: string | null;
  @ApiProperty({ type: String, nullable: true }) decidedBy!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) decidedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) decisionNote!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class ShiftRequestListedResponse extends ShiftRequestResponse {
  @ApiProperty() postId!: string;
  @ApiProperty() postName!: string;
  @ApiProperty({ type: String, nullable: true, description: 'who runs the post (null: the district command)' }) subdistrict!: string | null;
  @ApiProperty({ description: "the shift's community" }) community!: string;
  @ApiProperty({ type: String, nullable: true, description: 'the name of who takes shiftId' }) staffName!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'swap: the name of who takes otherShiftId' }) otherStaffName!: string | null;
  @ApiProperty({ format: 'date-time' }) shiftStartAt!: string;
  @ApiProperty({ format: 'date-time' }) shiftEndAt!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) otherShiftStartAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) otherShiftEndAt!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'who holds shiftId now' }) shiftHolder!: string | null;
  @ApiProperty({ type: String, nullable: true }) shiftHolderName!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'swap: who holds otherShiftId now' }) otherShiftHolder!: string | null;
  @ApiProperty({ type: String, nullable: true }) otherShiftHolderName!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'shiftId',
    description: "`shiftId` or `otherShiftId`: the shift of a pending request that has changed hands since it was asked (an open shift: since filled), so approving it is refused (409); null when it still fits",
  })
  changedHands!: 'shiftId' | 'otherShiftId' | null;
}

export class ScheduleResponse {
  @ApiProperty({ example: 'roster-daily' }) scheduleId!: string;
  @ApiProperty({ description: 'false: an existing schedule was updated' }) created!: boolean;
  @ApiProperty({ example: 0 }) hour!: number;
  @ApiProperty({ example: 30 }) minute!: number;
  @ApiProperty({ example: 'Asia/Shanghai' }) timeZone!: string;
}

export class ShiftCountsResponse {
  @ApiProperty() seats!: number;
  @ApiProperty({ description: 'someone checked in' }) covered!: number;
  @ApiProperty({ description: 'covered by someone other than the rostered person' }) coveredByCover!: number;
  @ApiProperty() missed!: number;
  @ApiProperty() noShows!: number;
  @ApiProperty() unfilled!: number;
  @ApiProperty() handedOver!: number;
  @ApiProperty() cancelled!: number;
  @ApiProperty() incidents!: number;
}

class ShiftTotalsResponse extends ShiftCountsResponse {
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(ShiftCountsResponse) } }) byJurisdiction!: Record<string, ShiftCountsResponse>;
}

class ObservationCountsResponse {
  @ApiProperty({ ...COUNTS, description: 'everyone under observation at some time that day, by their status now' }) byStatus!: Record<string, number>;
  @ApiProperty() enrolled!: number;
  @ApiProperty() released!: number;
}

class TransferCountsResponse {
  @ApiProperty({ description: 'false: the transfer tables are not there' }) available!: boolean;
  @ApiPropertyOptional({ ...COUNTS, description: 'transfer runs by status' }) runs?: Record<string, number>;
  @ApiPropertyOptional({ ...COUNTS, description: 'travellers by status' }) travellers?: Record<string, number>;
}

export class DailyReportStatusResponse {
  @ApiProperty({ example: '2026-12-01', description: 'the local date reported on' }) date!: string;
  @ApiProperty({ enum: ['pending', 'missing', 'sent', 'received'], description: 'pending: not due yet; missing: due and not sent; sent: in the district’s inboxes; received: confirmed by a district account' })
  state!: 'pending' | 'missing' | 'sent' | 'received';
  @ApiProperty({ description: 'sent more than 30 minutes after it was due, or still missing then' }) late!: boolean;
  @ApiProperty({ format: 'date-time', description: 'the next day at EPI_DAILY_REPORT_AT' }) dueAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) generatedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) sentAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) receivedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'the username that confirmed receipt' }) receivedBy!: string | null;
}

export class DailyReportResponse {
  @ApiProperty({ example: '2026-12-01', description: 'the local date reported on' }) date!: string;
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
  @ApiProperty({ type: ObservationCountsResponse }) observations!: ObservationCountsResponse;
  @ApiProperty({ type: TransferCountsResponse }) transfers!: TransferCountsResponse;
  @ApiProperty({ type: ShiftTotalsResponse }) shifts!: ShiftTotalsResponse;
}

/** How a plan is answered: its seats' instants as ISO strings, the failure only when it failed. */
export function planResponse(plan: RosterPlan): PlanResponse {
  return {
    id: plan.id,
    state: plan.state,
    from: plan.from,
    to: plan.to,
    postIds: plan.postIds,
    seats: plan.seats.map(({ pinnedStaffId: _pin, ...seat }) => ({ ...seat, start: new Date(seat.start).toISOString(), end: new Date(seat.end).toISOString() })),
    assignments: plan.assignments,
    unfilled: plan.unfilled,
    stats: plan.stats,
    ...(plan.failure ? { failure: plan.failure } : {}),
  };
}
