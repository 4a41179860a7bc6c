import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsNumber, IsString, MaxLength, MinLength } from 'class-validator';
import { MEASURES } from '../../../workflows/observation/observation.messages';
import { CATEGORIES, Category } from '../../../workflows/observation/observation-policy';
import { PageQuery } from '../../../libs/nest/paging';
import { IsCalendarDate, IsOptional } from '../../../libs/nest/validators';
import { REPORT_CHANNELS, type ObservationFilter, type ReportChannel } from './observation.service';

/** Documentation of `POST /persons`; the body is checked by validateEnrolment (422 naming each field). */
export class EnrolmentDto {
  @ApiProperty({ example: '张伟' }) name!: string;
  @ApiPropertyOptional({ enum: ['resident_id', 'passport'], default: 'resident_id', description: 'passport for category C only' }) documentType?: string;
  @ApiProperty({ example: '11010519491231002X', description: '18-digit resident ID with a valid check digit, or a passport number' }) documentNumber!: string;
  @ApiProperty({ example: '13800138000' }) mobile!: string;
  @ApiPropertyOptional({ enum: ['zh-CN', 'en'], description: 'the language of the person’s messages; default en for a passport, zh-CN otherwise' }) language?: string;
  @ApiProperty({ example: { subdistrict: 'XYL', community: '学院路社区', building: '3', unit: '2', detail: '301' } }) address!: Record<string, string>;
  @ApiProperty({ enum: ['A', 'B', 'C', 'D'], description: 'A close contact, B domestic arrival, C overseas arrival, D local' }) category!: string;
  @ApiProperty({ example: '2026-11-20', description: 'last exposure or arrival (local date)' }) anchorDate!: string;
  @ApiProperty({ example: '李娜' }) responsibleWorker!: string;
  @ApiPropertyOptional({ example: { doorSensorId: 'DS-1001' } }) devices?: Record<string, string>;
  @ApiPropertyOptional({ description: 'idempotency key (or the Idempotency-Key header): within the place enrolled in, the same key answers the same observation' }) requestId?: string;
}

/** Documentation of `POST /persons/move`; the body is checked by validateMove (422 naming each field). */
export class MoveDto {
  @ApiPropertyOptional({ enum: ['resident_id', 'passport'], default: 'resident_id' }) documentType?: string;
  @ApiProperty({ example: '11010519491231002X' }) documentNumber!: string;
  @ApiProperty({ example: { subdistrict: 'XYL', community: '学院路社区', building: '5', unit: '1', detail: '202' } }) address!: Record<string, string>;
}

export class ReportDto {
  @ApiProperty({ example: 36.6, description: '°C, 34.0-43.0' }) @Type(() => Number) @IsNumber() temperature!: number;
  @ApiPropertyOptional({ example: ['cough'] }) @IsOptional() @IsArray() @ArrayMaxSize(10) @IsString({ each: true }) @MaxLength(50, { each: true }) symptoms?: string[];
  @ApiPropertyOptional({ description: 'idempotency key of the report (or the Idempotency-Key header)' }) @IsOptional() @IsString() @MinLength(1) @MaxLength(100) requestId?: string;
  @ApiPropertyOptional({ enum: ['person', 'worker'] }) @IsOptional() @IsIn(['person', 'worker']) source?: 'person' | 'worker';
  @ApiPropertyOptional({ enum: REPORT_CHANNELS, description: 'how a worker took the reading (source worker, the default with a channel); kept in the tracking log' })
  @IsOptional()
  @IsIn([...REPORT_CHANNELS])
  channel?: ReportChannel;
}

export class DeviceEventDto {
  @ApiProperty({ example: 'DS-1001' }) @IsString() @MinLength(1) @MaxLength(64) deviceId!: string;
  @ApiProperty({ enum: ['door_opened', 'camera_motion', 'thermometer_reading'] }) @IsString() kind!: string;
  /**
   * The event's own id on the device platform, not a key this API asks for: the platform names each
   * event it sends, and the workflow takes an event once by that name however often it is delivered.
   */
  @ApiPropertyOptional({ description: 'the device platform’s id of the event: the same event delivered again is taken once' }) @IsOptional() @IsString() @MaxLength(100) eventId?: string;
  @ApiPropertyOptional({ description: 'ISO time of the event; default now' }) @IsOptional() @IsString() at?: string;
  @ApiPropertyOptional({ description: '°C for thermometer readings' }) @IsOptional() @IsNumber() value?: number;
}

class ByDto {
  @ApiProperty({ example: '王主任', description: 'who decides' }) @IsString() @MinLength(1) @MaxLength(50) by!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) note?: string;
}

export class EscalationActionDto extends ByDto {}

export class HealthDecisionDto extends ByDto {
  @ApiProperty({ enum: ['continue', 'hospital', 'centralized_quarantine'] }) @IsIn(['continue', 'hospital', 'centralized_quarantine']) decision!: 'continue' | 'hospital' | 'centralized_quarantine';
}

export class MeasureDto extends ByDto {
  @ApiProperty({ enum: MEASURES }) @IsIn([...MEASURES]) measure!: (typeof MEASURES)[number];
}

export class LiftGuardDto extends ByDto {}

export class ExtensionDto {
  @ApiProperty({ example: '2026-11-24', description: 'date of the new exposure' }) @IsCalendarDate() newAnchorDate!: string;
  @ApiProperty({ example: 'household member tested positive' }) @IsString() @MinLength(1) @MaxLength(500) reason!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(50) by!: string;
}

export class EarlyEndDto extends ByDto {
  @ApiProperty({ enum: ['moved_away', 'hospital', 'centralized_quarantine'] }) @IsIn(['moved_away', 'hospital', 'centralized_quarantine']) reason!: 'moved_away' | 'hospital' | 'centralized_quarantine';
}

export class PolicyMoveDto {
  @ApiProperty({ example: 'C-v2' }) @IsString() @MinLength(1) policyId!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(50) by!: string;
}

export class PolicyRolloutDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(50) by!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() subdistrict?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() community?: string;
  @ApiPropertyOptional({ description: 'idempotency key (or the Idempotency-Key header): the same key answers the same rollout' }) @IsOptional() @IsString() @MinLength(1) @MaxLength(100) requestId?: string;
  @ApiPropertyOptional({ description: 'from POST …/rollouts/preview: the rollout moves exactly the observations it showed, or starts nothing (409 with the new preview)' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  previewId?: string;
}

export class PolicyRolloutPreviewDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(8) subdistrict?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(60) community?: string;
}

export class PolicyListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: CATEGORIES }) @IsOptional() @IsIn([...CATEGORIES]) category?: Category;
}

export class NewPolicyDto {
  @ApiProperty({ enum: ['A', 'B', 'C', 'D'] }) category!: string;
  @ApiProperty({ example: '2026-12-01' }) effectiveFrom!: string;
  @ApiProperty({ example: { periodDays: 14, slots: [{ start: '08:00', end: '10:00' }, { start: '14:00', end: '16:00' }], reminderMinutes: 0, graceMinutes: 60, feverThreshold: 37.3, doorAllowedWindows: [] } })
  rules!: Record<string, unknown>;
}

/** A place within the caller's jurisdiction (none given: all of it). */
export class PlaceQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() subdistrict?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() community?: string;
}

/** The place a query asks for, an empty parameter as none. */
export function placeOf({ subdistrict, community }: PlaceQuery): PlaceQuery {
  return { subdistrict: subdistrict || undefined, community: community || undefined };
}

/** Which observations a list, an export or a dashboard count selects. */
export class ObservationFilterQuery extends PlaceQuery {
  @ApiPropertyOptional({ enum: ['A', 'B', 'C', 'D'] }) @IsOptional() @IsIn(['A', 'B', 'C', 'D']) category?: string;
  @ApiPropertyOptional({ enum: ['active', 'escalated', 'awaiting_pickup', 'released', 'ended'] }) @IsOptional() @IsIn(['active', 'escalated', 'awaiting_pickup', 'released', 'ended']) status?: string;
  @ApiPropertyOptional({ description: 'a report is owed today' }) @IsOptional() @Type(() => String) @IsIn(['true', 'false']) dueToday?: string;
  @ApiPropertyOptional({ description: 'an open missed-report escalation' }) @IsOptional() @IsIn(['true', 'false']) overdue?: string;
}

export class ObservationListQuery extends IntersectionType(ObservationFilterQuery, PageQuery) {}

export class ObservationExportQuery extends ObservationFilterQuery {
  @ApiPropertyOptional({ enum: ['csv', 'xlsx'], default: 'csv' }) @IsOptional() @IsIn(['csv', 'xlsx']) format?: 'csv' | 'xlsx';
}

/** The tracking log: a page of it as JSON, or the whole log as a file. */
export class TrackingLogQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['json', 'csv', 'xlsx'], default: 'json', description: 'csv and xlsx: the whole log (paging is for json)' }) @IsOptional() @IsIn(['json', 'csv', 'xlsx']) format?: 'json' | 'csv' | 'xlsx';
}

/** The filters of a query, as the observation service takes them. */
export function filterOf({ subdistrict, community, category, status, dueToday, overdue }: ObservationFilterQuery): ObservationFilter {
  return { subdistrict, community, category, status, dueToday: dueToday === 'true', overdue: overdue === 'true' };
}
