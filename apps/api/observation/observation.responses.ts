/**
 * What the observation routes answer: camelCase fields, instants as ISO 8601 UTC text, each class
 * documented for the OpenAPI document, and the functions that build them from records and the
 * workflow's live view.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CATEGORIES } from '../../../workflows/observation/observation-policy';
import type { Escalation, ObservationView } from '../../../workflows/observation/observation.messages';
import { MEASURES } from '../../../workflows/observation/observation.messages';
import type { EscalationRecord, ObservationRecord, TrackingLine } from '../../../libs/persistence/observation/observation.repository';
import type { PersonRecord } from '../../../libs/persistence/observation/person.repository';
import type { ImportJob, ImportRowResult } from '../../../libs/persistence/observation/import-job.repository';
import type { IncomingHandOver } from '../../../libs/persistence/observation/incoming-hand-over.repository';

const STATUSES = ['active', 'escalated', 'awaiting_pickup', 'released', 'ended'];
const ESCALATION_KINDS = ['missed_report', 'missed_report_repeat', 'fever', 'symptom', 'non_cooperation', 'guard_unstaffed'];
const ESCALATION_STATES = ['open', 'acknowledged', 'resolved'];
const INSTANT = { format: 'date-time', example: '2026-11-26T03:00:00.000Z' };
const FREE_FORM = { type: 'object', additionalProperties: true } as const;

const iso = (at: Date | number) => new Date(at).toISOString();
const isoOrNull = (at: Date | number | null | undefined) => (at === null || at === undefined ? null : iso(at));

export class AddressDto {
  @ApiProperty({ example: 'XYL', description: 'subdistrict code' }) subdistrict!: string;
  @ApiProperty({ example: '学院路社区' }) community!: string;
  @ApiProperty({ example: '3' }) building!: string;
  @ApiProperty({ example: '2' }) unit!: string;
  @ApiPropertyOptional({ example: '301', nullable: true }) detail?: string | null;
}

export class DevicesDto {
  @ApiPropertyOptional({ example: 'DS-1001' }) doorSensorId?: string;
  @ApiPropertyOptional() cameraId?: string;
  @ApiPropertyOptional() thermometerId?: string;
}

export class EnrolmentResultDto {
  @ApiProperty({ example: 'XYL-C-000123' }) observationNumber!: string;
  @ApiProperty({ format: 'uuid' }) personId!: string;
  @ApiProperty({ enum: ['created', 'existing'], description: 'existing: the request id was enrolled before (answered 200)' }) status!: string;
  @ApiProperty({ ...INSTANT, description: 'when the observation is due to end' }) releaseDueAt!: string;
  @ApiProperty({ example: 'C-v1' }) policyId!: string;
}

export class MovedPersonDto {
  @ApiProperty({ format: 'uuid' }) personId!: string;
  @ApiProperty({ type: () => AddressDto }) address!: AddressDto;
}

export class ObservationDto {
  @ApiProperty({ example: 'XYL-C-000123' }) number!: string;
  @ApiProperty({ format: 'uuid' }) personId!: string;
  @ApiProperty({ enum: CATEGORIES }) category!: string;
  @ApiProperty({ enum: STATUSES }) status!: string;
  @ApiProperty({ example: 'XYL' }) subdistrict!: string;
  @ApiProperty({ example: '学院路社区' }) community!: string;
  @ApiProperty({ example: '李娜' }) responsibleWorker!: string;
  @ApiProperty({ example: '2026-11-20', description: 'local date of the last exposure or arrival' }) anchorDate!: string;
  @ApiProperty({ example: 'C-v1' }) policyId!: string;
  @ApiProperty(INSTANT) startedAt!: string;
  @ApiProperty(INSTANT) releaseDueAt!: string;
  @ApiProperty({ ...INSTANT, nullable: true, type: String, description: 'the next report deadline; null once over' }) nextDueAt!: string | null;
  @ApiProperty({ ...INSTANT, nullable: true, type: String }) lastReportAt!: string | null;
  @ApiProperty({ ...INSTANT, nullable: true, type: String }) endedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, enum: ['moved_away', 'hospital', 'centralized_quarantine'] }) endReason!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'pickup-XYL-C-000123-e4-hospital', description: 'the transfer run a hospital or centralized-quarantine decision started to fetch the person' })
  pickupRunId!: string | null;
}

export class PickupDto {
  @ApiProperty({ example: 'pickup-XYL-C-000123-e4-hospital', description: 'GET /transfer-runs/:runId' }) runId!: string;
  @ApiProperty({ enum: ['hospital', 'centralized_quarantine'], description: 'where the person is taken; the observation ends with it at the hand-over' }) reason!: string;
  @ApiProperty(INSTANT) startedAt!: string;
}

export class PersonDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '张伟' }) name!: string;
  @ApiProperty({ enum: ['resident_id', 'passport'] }) documentType!: string;
  @ApiProperty({ example: '11010519491231002X' }) documentNumber!: string;
  @ApiProperty({ example: '13800138000' }) mobile!: string;
  @ApiProperty({ type: () => AddressDto }) address!: AddressDto;
  @ApiProperty({ type: () => DevicesDto }) devices!: DevicesDto;
}

export class EscalationDto {
  @ApiProperty({ example: 'XYL-C-000123/1', description: "<observation number>/<sequence>, or the observation clock's <observation number>/missed:<slot> and …/missed-repeat:<slot>" }) id!: string;
  @ApiProperty({ enum: ESCALATION_KINDS }) kind!: string;
  @ApiProperty({ enum: ['community_worker', 'supervisor', 'medical'] }) ownerRole!: string;
  @ApiProperty({ example: '李娜', description: 'the account that owns it, by display name (the name recorded when no account holds its role)' }) owner!: string;
  @ApiProperty({ enum: ESCALATION_STATES }) state!: string;
  @ApiProperty() reason!: string;
  @ApiProperty(INSTANT) openedAt!: string;
  @ApiPropertyOptional({ description: 'the check-in slot a missed report concerns' }) slotKey?: string;
  @ApiPropertyOptional({ nullable: true, type: String }) resolution?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) decidedBy?: string | null;
  @ApiPropertyOptional({ ...INSTANT, description: 'when the record last changed (recorded escalations only)' }) updatedAt?: string;
}

export class SlotDto {
  @ApiProperty({ example: '2026-11-26:08:00' }) slotKey!: string;
  @ApiProperty(INSTANT) opensAt!: string;
  @ApiProperty(INSTANT) deadline!: string;
  @ApiProperty({ enum: ['upcoming', 'open', 'reported', 'missed'] }) state!: string;
  @ApiPropertyOptional({ example: 36.6 }) temperature?: number;
}

/** The guard post of "guard posted": its shifts at `GET /shifts?postId=`, the post at `GET /roster/posts/:id`. */
export class GuardPostStateDto {
  @ApiProperty({ example: 'guard-XYL-C-000123' }) postId!: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'the roster plan its shifts were planned by; absent while it is being posted' }) planId?: string;
  @ApiPropertyOptional({ example: 42, description: '8-hour shifts from the measure to the release' }) shifts?: number;
  @ApiPropertyOptional({ example: 0, description: 'shifts nobody can stand (an escalation to the supervisor when any)' }) unfilled?: number;
  @ApiPropertyOptional(INSTANT) liftedAt?: string;
}

/** The workflow's live state (its query), as the API answers it. */
export class ObservationStateDto {
  @ApiProperty({ example: 'XYL-C-000123' }) number!: string;
  @ApiProperty({ enum: STATUSES }) status!: string;
  @ApiProperty({ enum: CATEGORIES }) category!: string;
  @ApiProperty({ example: 3, description: 'day of the period, from 1' }) day!: number;
  @ApiProperty({ example: 14 }) periodDays!: number;
  @ApiProperty({ example: '2026-11-20' }) anchorDate!: string;
  @ApiProperty(INSTANT) releaseDueAt!: string;
  @ApiPropertyOptional(INSTANT) nextDueAt?: string;
  @ApiProperty({ example: 'C-v1' }) policyId!: string;
  @ApiProperty({ type: [SlotDto], description: "today's check-in slots" }) today!: SlotDto[];
  @ApiProperty({ type: [EscalationDto] }) escalations!: EscalationDto[];
  @ApiProperty() openEscalations!: number;
  @ApiProperty({ enum: MEASURES, isArray: true }) measuresTaken!: string[];
  @ApiPropertyOptional({ type: GuardPostStateDto, description: 'from the "guard posted" measure on' }) guardPost?: GuardPostStateDto;
  @ApiProperty() reportsReceived!: number;
  @ApiProperty() missedSlots!: number;
  @ApiPropertyOptional({ description: 'why a due release waits' }) releaseBlockedBy?: string;
  @ApiPropertyOptional() endReason?: string;
  @ApiPropertyOptional(INSTANT) endedAt?: string;
  @ApiPropertyOptional({ type: PickupDto, description: 'the pick-up run under way (status awaiting_pickup) or done' }) pickup?: PickupDto;
}

export class TrackingLineDto {
  @ApiProperty(INSTANT) at!: string;
  @ApiProperty({ example: 3, description: 'day of the period, from 1' }) day!: number;
  @ApiProperty({ example: 'report', description: 'enrolled, report, reminder, missed_report, escalation, decision, device_event, extension, policy_change, release, end, …' }) kind!: string;
  @ApiProperty({ ...INSTANT, nullable: true, type: String, description: 'the check-in slot a line concerns' }) slotStart!: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 36.6 }) temperature!: number | null;
  @ApiProperty({ ...FREE_FORM, description: 'what the line records, by kind' }) detail!: Record<string, unknown>;
}

export class ObservationDetailDto {
  @ApiProperty({ type: () => ObservationDto }) observation!: ObservationDto;
  @ApiProperty({ type: () => PersonDto }) person!: PersonDto;
  @ApiProperty({ type: () => ObservationStateDto, nullable: true, description: 'null when the workflow is gone (closed beyond retention)' }) state!: ObservationStateDto | null;
  @ApiProperty({ type: [EscalationDto], description: 'as recorded, oldest first' }) escalations!: EscalationDto[];
  @ApiProperty({ type: [TrackingLineDto], description: 'the whole tracking log, oldest first' }) trackingLog!: TrackingLineDto[];
}

export class ReportAcceptedDto {
  @ApiProperty({ example: 'XYL-C-000123' }) number!: string;
  @ApiProperty({ description: 'the idempotency key the report was taken under (made up when none was sent)' }) requestId!: string;
  @ApiProperty({ example: '2026-11-26:08:00' }) slotKey!: string;
  @ApiProperty({ example: 36.6 }) temperature!: number;
  @ApiProperty() fever!: boolean;
  @ApiProperty(INSTANT) recordedAt!: string;
}

export class DeviceEventAcceptedDto {
  @ApiProperty({ example: 'XYL-C-000123' }) observationNumber!: string;
  @ApiProperty() eventId!: string;
  @ApiProperty({ example: true }) accepted!: boolean;
}

export class TimeWindowDto {
  @ApiProperty({ example: '08:00' }) start!: string;
  @ApiProperty({ example: '10:00' }) end!: string;
}

export class ObservationRulesDto {
  @ApiProperty({ example: 14 }) periodDays!: number;
  @ApiProperty({ type: [TimeWindowDto] }) slots!: TimeWindowDto[];
  @ApiProperty({ example: 0 }) reminderMinutes!: number;
  @ApiProperty({ example: 60 }) graceMinutes!: number;
  @ApiProperty({ example: 37.3 }) feverThreshold!: number;
  @ApiProperty({ type: [TimeWindowDto] }) doorAllowedWindows!: TimeWindowDto[];
}

export class ObservationPolicyDto {
  @ApiProperty({ example: 'C-v2' }) id!: string;
  @ApiProperty({ enum: CATEGORIES }) category!: string;
  @ApiProperty({ example: 2 }) version!: number;
  @ApiProperty({ example: '2026-12-01' }) effectiveFrom!: string;
  @ApiProperty({ type: () => ObservationRulesDto }) rules!: ObservationRulesDto;
}

export class RolloutPlaceDto {
  @ApiProperty({ example: 'XYL' }) subdistrict!: string;
  @ApiProperty({ example: '学院路社区' }) community!: string;
  @ApiProperty() observations!: number;
}

/** What a policy rollout would do now: which running observations it moves; it sends no notices. */
export class RolloutPreviewDto {
  @ApiProperty({ description: 'send it with the rollout to have exactly these moved' }) previewId!: string;
  @ApiProperty({ example: 'C-v2' }) policyId!: string;
  @ApiProperty({ description: 'running observations it moves (one person each)' }) observations!: number;
  @ApiProperty({ type: [RolloutPlaceDto], description: 'how many in each community' }) byPlace!: RolloutPlaceDto[];
  @ApiProperty({ type: [String], description: 'their numbers, at most the first 200' }) numbers!: string[];
  @ApiProperty({ type: [String], description: 'the notices it sends: none, a policy change is silent to the person' }) notices!: string[];
}

export class RolloutStartedDto {
  @ApiProperty({ example: 'policy-rollout-C-v2-…' }) rolloutId!: string;
  @ApiProperty({ example: 'C-v2' }) policyId!: string;
}

export class RolloutSkipDto {
  @ApiProperty({ example: 'XYL-C-000123' }) number!: string;
  @ApiProperty() reason!: string;
}

export class RolloutProgressDto {
  @ApiProperty({ example: 'C-v2' }) policyId!: string;
  @ApiProperty() total!: number;
  @ApiProperty() moved!: number;
  @ApiProperty({ type: [RolloutSkipDto] }) skipped!: RolloutSkipDto[];
  @ApiProperty() done!: boolean;
}

/** A person on a worker's list, one tap from their record. */
export class WorklistPersonDto {
  @ApiProperty({ example: 'XYL-C-000123' }) number!: string;
  @ApiProperty({ example: '张伟' }) name!: string;
  @ApiProperty({ enum: CATEGORIES }) category!: string;
  @ApiProperty({ enum: STATUSES }) status!: string;
  @ApiProperty({ example: '学院路社区' }) community!: string;
  @ApiProperty({ example: '李娜' }) responsibleWorker!: string;
  @ApiProperty({ example: '2026-11-26T06:00:00.000Z', description: 'the open check-in slot not yet reported (the instant it opened)' }) slotKey!: string;
  @ApiProperty({ ...INSTANT, description: 'when the open slot closes' }) deadline!: string;
  @ApiProperty({ ...INSTANT, nullable: true, type: String }) lastReportAt!: string | null;
}

/** An unresolved escalation on a worker's list, with whom it concerns. */
export class WorklistEscalationDto extends EscalationDto {
  @ApiProperty({ example: 'XYL-C-000123' }) number!: string;
  @ApiProperty({ example: '张伟' }) name!: string;
  @ApiProperty({ example: '学院路社区' }) community!: string;
  @ApiProperty({ description: 'the caller’s account owns it' }) mine!: boolean;
}

export class WorklistDto {
  @ApiProperty({ ...INSTANT, description: 'the moment the list is for' }) at!: string;
  @ApiProperty({ example: 'Asia/Shanghai', description: 'the jurisdiction’s time zone: slots and sheets are in its local time' }) timeZone!: string;
  @ApiProperty({ type: [WorklistPersonDto], description: 'due in their open check-in slot and not yet reported, the soonest deadline first' }) due!: WorklistPersonDto[];
  @ApiProperty({ type: [WorklistEscalationDto], description: 'unresolved missed-report escalations, oldest first' }) missed!: WorklistEscalationDto[];
  @ApiProperty({ type: [WorklistEscalationDto], description: 'every other unresolved escalation (fever, symptom, non-cooperation), oldest first' }) escalations!: WorklistEscalationDto[];
}

export class ImportRowResultDto {
  @ApiProperty({ example: 9, description: 'the sheet row (the header is row 1)' }) row!: number;
  @ApiProperty({ enum: ['accepted', 'rejected', 'duplicate'] }) status!: string;
  @ApiPropertyOptional({ example: 'XYL-C-000123', description: 'accepted: the new number; duplicate: the open one' }) observationNumber?: string;
  @ApiPropertyOptional({ example: 'documentNumber' }) field?: string;
  @ApiPropertyOptional() reason?: string;
}

export class ImportJobDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'ledger.xlsx' }) fileName!: string;
  @ApiProperty({ enum: ['running', 'done', 'failed'] }) state!: string;
  @ApiProperty() totalRows!: number;
  @ApiProperty() processedRows!: number;
  @ApiProperty() accepted!: number;
  @ApiProperty() rejected!: number;
  @ApiProperty({ nullable: true, type: String, description: 'why it failed' }) error!: string | null;
  @ApiPropertyOptional({ type: [ImportRowResultDto], description: 'per row, in file order, as `results` asks (none with results=none)' }) results?: ImportRowResultDto[];
  @ApiProperty(INSTANT) createdAt!: string;
  @ApiProperty(INSTANT) updatedAt!: string;
}

export class IncomingHandOverDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() runId!: string;
  @ApiProperty() travellerId!: string;
  @ApiProperty({ nullable: true, type: String, description: 'the subdistrict of the run that handed the traveller over; null: the district command' }) fromSubdistrict!: string | null;
  @ApiProperty({ example: 'XYL' }) subdistrict!: string;
  @ApiProperty({ example: '学院路社区' }) community!: string;
  @ApiProperty({ enum: ['pending', 'accepted'] }) state!: string;
  @ApiProperty({ nullable: true, type: String, description: 'the observation enrolled on acceptance' }) observationNumber!: string | null;
  @ApiProperty({ nullable: true, type: String }) acceptedBy!: string | null;
  @ApiProperty({ ...INSTANT, nullable: true, type: String }) acceptedAt!: string | null;
  @ApiProperty(INSTANT) createdAt!: string;
  @ApiProperty({ example: '张伟' }) name!: string;
  @ApiProperty({ enum: ['resident_id', 'passport'] }) documentType!: string;
  @ApiProperty() documentNumber!: string;
  @ApiProperty({ nullable: true, type: String }) mobile!: string | null;
  @ApiProperty({ ...FREE_FORM, nullable: true, description: 'the home address as the manifest gave it' }) address!: Record<string, string> | null;
  @ApiProperty(INSTANT) arrivalTime!: string;
  @ApiProperty({ ...INSTANT, nullable: true, type: String }) handedOverAt!: string | null;
}

export function observationOf(r: ObservationRecord): ObservationDto {
  return {
    number: r.number,
    personId: r.personId,
    category: r.category,
    status: r.status,
    subdistrict: r.subdistrict,
    community: r.community,
    responsibleWorker: r.responsibleWorker,
    anchorDate: r.anchorDate,
    policyId: r.policyId,
    startedAt: iso(r.startedAt),
    releaseDueAt: iso(r.releaseDueAt),
    nextDueAt: isoOrNull(r.nextDueAt),
    lastReportAt: isoOrNull(r.lastReportAt),
    endedAt: isoOrNull(r.endedAt),
    endReason: r.endReason,
    pickupRunId: r.pickupRunId,
  };
}

export function personOf(p: PersonRecord): PersonDto {
  return {
    id: p.id,
    name: p.name,
    documentType: p.documentType,
    documentNumber: p.documentNumber,
    mobile: p.mobile,
    address: { subdistrict: p.subdistrict, community: p.community, building: p.building, unit: p.unit, detail: p.addressDetail },
    devices: p.devices,
  };
}

export function escalationOf(e: EscalationRecord | Escalation): EscalationDto {
  const recorded = 'updatedAt' in e ? { updatedAt: iso(e.updatedAt) } : {};
  return { id: e.id, kind: e.kind, ownerRole: e.ownerRole, owner: e.owner, state: e.state, reason: e.reason, openedAt: iso(e.openedAt), slotKey: (e as Escalation).slotKey, resolution: e.resolution, decidedBy: e.decidedBy, ...recorded };
}

/** The live view with its escalations' instants as ISO text (the workflow keeps them as epoch ms). */
export function stateOf(view: ObservationView): ObservationStateDto {
  return { ...view, escalations: view.escalations.map(escalationOf) };
}

export function trackingLineOf(t: TrackingLine): TrackingLineDto {
  return { at: iso(t.at), day: t.day, kind: t.kind, slotStart: isoOrNull(t.slotStart), temperature: t.temperature, detail: t.detail };
}

export function importJobOf(job: ImportJob, results?: ImportRowResult[]): ImportJobDto {
  const { id, fileName, state, totalRows, processedRows, accepted, rejected, error } = job;
  return { id, fileName, state, totalRows, processedRows, accepted, rejected, error, results, createdAt: iso(job.createdAt), updatedAt: iso(job.updatedAt) };
}

export function incomingHandOverOf(h: IncomingHandOver): IncomingHandOverDto {
  return { ...h, acceptedAt: isoOrNull(h.acceptedAt), createdAt: iso(h.createdAt), arrivalTime: iso(h.arrivalTime), handedOverAt: isoOrNull(h.handedOverAt) };
}
