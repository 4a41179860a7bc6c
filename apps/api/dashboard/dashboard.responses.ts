/** What the dashboard's JSON routes answer, documented for the OpenAPI document. */
import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { ObservationDto } from '../observation/observation.responses';

const COUNTS = { type: 'object', additionalProperties: { type: 'integer' } } as const;

export class DashboardScope {
  @ApiPropertyOptional({ example: 'XYL' }) subdistrict?: string;
  @ApiPropertyOptional({ example: '学院路社区' }) community?: string;
}

export class ObservationCountsDto {
  @ApiProperty({ description: 'active + escalated' }) underObservation!: number;
  @ApiProperty({ ...COUNTS, example: { active: 12, escalated: 1, released: 30, ended: 2 } }) byStatus!: Record<string, number>;
  @ApiProperty({ ...COUNTS, example: { A: 3, B: 4, C: 5, D: 1 }, description: 'of those under observation' }) byCategory!: Record<string, number>;
  @ApiProperty({ description: 'open, with a report owed today (the list’s dueToday filter)' }) dueToday!: number;
  @ApiProperty({ description: 'with an open missed-report escalation (the list’s overdue filter)' }) overdue!: number;
}

export class EscalationCountsDto {
  @ApiProperty() unresolved!: number;
  @ApiProperty({ ...COUNTS, example: { open: 2, acknowledged: 1 } }) byState!: Record<string, number>;
  @ApiProperty({ ...COUNTS, example: { fever: 1, missed_report: 2 } }) byKind!: Record<string, number>;
}

export class JurisdictionCountDto {
  @ApiProperty({ example: 'XYL' }) subdistrict!: string;
  @ApiProperty({ example: '学院路社区' }) community!: string;
  @ApiProperty() underObservation!: number;
}

export class RoutingGapDto {
  @ApiProperty({ example: 'community_worker', description: 'the role nobody holds there (`staff:<id>`: a duty staff member with neither account nor contact)' }) role!: string;
  @ApiProperty({ nullable: true, type: String, example: 'XYL' }) subdistrict!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '学院路社区' }) community!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'hotel-1' }) destinationId!: string | null;
  @ApiProperty({ example: 'supervisor of subdistrict XYL', description: 'where its messages went instead ("nobody": stored failed)' }) routedTo!: string;
  @ApiProperty({ format: 'date-time', description: 'when the first message found nobody' }) since!: string;
  @ApiProperty({ format: 'date-time' }) lastAt!: string;
  @ApiProperty({ description: 'messages routed one level up since' }) messages!: number;
}

export class GuardPostGapDto {
  @ApiProperty({ example: 'guard-XYL-C-000123' }) postId!: string;
  @ApiProperty({ example: 'XYL-C-000123', description: 'the observation whose "guard posted" measure opened the post' }) observationNumber!: string;
  @ApiProperty({ nullable: true, type: String, example: 'XYL' }) subdistrict!: string | null;
  @ApiProperty({ example: '学院路社区' }) community!: string;
  @ApiProperty({ example: 42, description: 'shifts not over that nobody is rostered on or checked in to' }) unfilledShifts!: number;
  @ApiProperty({ format: 'date-time', description: 'the start of the first of them' }) since!: string;
  @ApiProperty({ nullable: true, type: String, example: '0 staff with skill (any) available' }) reason!: string | null;
}

export class GuardPostGapsDto {
  @ApiProperty({ description: 'open guard posts with shifts nobody can stand' }) count!: number;
  @ApiProperty({ type: [GuardPostGapDto], description: 'longest open first' }) items!: GuardPostGapDto[];
}

export class DashboardSummary {
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
  @ApiProperty({ example: 'Asia/Shanghai' }) timeZone!: string;
  @ApiProperty({ example: '2026-11-26', description: 'the jurisdiction’s local date, the day "due today" refers to' }) today!: string;
  @ApiProperty({ type: () => DashboardScope, description: 'what the counts are of' }) scope!: DashboardScope;
  @ApiProperty({ type: () => ObservationCountsDto }) observations!: ObservationCountsDto;
  @ApiProperty({ type: () => EscalationCountsDto }) escalations!: EscalationCountsDto;
  @ApiProperty({ type: [JurisdictionCountDto], description: 'every subdistrict and community within the reader’s jurisdiction that has observations, for the filters' })
  jurisdictions!: JurisdictionCountDto[];
  @ApiProperty({ type: [RoutingGapDto], description: 'roles nobody holds where a message needed them, within the reader’s subdistrict, longest open first' })
  routingGaps!: RoutingGapDto[];
  @ApiProperty({ type: () => GuardPostGapsDto, description: 'guard posts ("guard posted") nobody can staff, within the counts\' scope' })
  guardPostGaps!: GuardPostGapsDto;
}

/** A row of the dashboard's list: the observation, its person's name and document number masked. */
export class MaskedObservationDto extends OmitType(ObservationDto, ['personId'] as const) {
  @ApiProperty({ nullable: true, type: String, example: '张*' }) name!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '1101**********002X' }) documentNumber!: string | null;
}
