import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNumber, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { MEASURES } from '../../../workflows/observation/observation.messages';
import { IsCalendarDate, IsOptional, MAX_PAGE } from '../../../libs/nest/validators';

/** Documentation of `POST /persons`; the body is checked by validateEnrolment (422 naming each field). */
export class EnrolmentDto {
  @ApiProperty({ example: '张伟' }) name!: string;
  @ApiPropertyOptional({ enum: ['resident_id', 'passport'], default: 'resident_id', description: 'passport for category C only' }) documentType?: string;
  @ApiProperty({ example: '11010519491231002X', description: '18-digit resident ID with a valid check digit, or a passport number' }) documentNumber!: string;
  @ApiProperty({ example: '13800138000' }) mobile!: string;
  @ApiProperty({ example: { subdistrict: 'XYL', community: '学院路社区', building: '3', unit: '2', detail: '301' } }) address!: Record<string, string>;
  @ApiProperty({ enum: ['A', 'B', 'C', 'D'], description: 'A close contact, B domestic arrival, C overseas arrival, D local' }) category!: string;
  @ApiProperty({ example: '2026-11-20', description: 'last exposure or arrival (local date)' }) anchorDate!: string;
  @ApiProperty({ example: '李娜' }) responsibleWorker!: string;
  @ApiPropertyOptional({ example: { doorSensorId: 'DS-1001' } }) devices?: Record<string, string>;
  @ApiPropertyOptional({ description: 'idempotency key: the same key returns the same observation' }) clientRequestId?: string;
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
  @ApiPropertyOptional({ description: 'idempotency key of the report' }) @IsOptional() @IsString() @MinLength(1) @MaxLength(100) requestId?: string;
  @ApiPropertyOptional({ enum: ['person', 'worker'] }) @IsOptional() @IsIn(['person', 'worker']) source?: 'person' | 'worker';
}

export class DeviceEventDto {
  @ApiProperty({ example: 'DS-1001' }) @IsString() @MinLength(1) @MaxLength(64) deviceId!: string;
  @ApiProperty({ enum: ['door_opened', 'camera_motion', 'thermometer_reading'] }) @IsString() kind!: string;
  @ApiPropertyOptional({ description: 'the platform event id (idempotency)' }) @IsOptional() @IsString() @MaxLength(100) eventId?: string;
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
}

export class PolicyDto {
  @ApiProperty({ enum: ['A', 'B', 'C', 'D'] }) category!: string;
  @ApiProperty({ example: '2026-12-01' }) effectiveFrom!: string;
  @ApiProperty({ example: { periodDays: 14, slots: [{ start: '08:00', end: '10:00' }, { start: '14:00', end: '16:00' }], reminderMinutes: 0, graceMinutes: 60, feverThreshold: 37.3, doorAllowedWindows: [] } })
  rules!: Record<string, unknown>;
}

export class ObservationListQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() subdistrict?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() community?: string;
  @ApiPropertyOptional({ enum: ['A', 'B', 'C', 'D'] }) @IsOptional() @IsIn(['A', 'B', 'C', 'D']) category?: string;
  @ApiPropertyOptional({ enum: ['active', 'escalated', 'released', 'ended'] }) @IsOptional() @IsIn(['active', 'escalated', 'released', 'ended']) status?: string;
  @ApiPropertyOptional({ description: 'a report is owed today' }) @IsOptional() @Type(() => String) @IsIn(['true', 'false']) dueToday?: string;
  @ApiPropertyOptional({ description: 'an open missed-report escalation' }) @IsOptional() @IsIn(['true', 'false']) overdue?: string;
  @ApiPropertyOptional({ default: 1, maximum: MAX_PAGE }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PAGE) page?: number;
  @ApiPropertyOptional({ default: 50, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) pageSize?: number;
  @ApiPropertyOptional({ enum: ['csv', 'xlsx'], description: 'export only' }) @IsOptional() @IsIn(['csv', 'xlsx']) format?: 'csv' | 'xlsx';
}

export class FormatQuery {
  @ApiPropertyOptional({ enum: ['json', 'csv', 'xlsx'] }) @IsOptional() @IsIn(['json', 'csv', 'xlsx']) format?: 'json' | 'csv' | 'xlsx';
}

export const isTrue = (value?: string) => value === 'true';
