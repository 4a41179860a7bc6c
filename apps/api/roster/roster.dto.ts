import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { POST_KINDS, ROSTER_MODES } from '../../../libs/roster/roster-seats';
import { RequestIdProperty } from '../../../libs/nest/idempotency';
import { PageQuery } from '../../../libs/nest/paging';
import { IsCalendarDate, IsOptional } from '../../../libs/nest/validators';

export const DUTY_STATES = ['scheduled', 'on_duty', 'no_show', 'handing_over', 'completed', 'missed', 'cancelled'];
const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const STAFF_ROLES = ['cadre', 'guard', 'volunteer', 'medical', 'police_liaison'];

class ByDto {
  @ApiProperty({ example: '赵主任', description: 'who acts' }) @IsString() @MinLength(1) @MaxLength(50) by!: string;
}

export class PostDto {
  @ApiProperty({ example: 'cp-g4', description: 'letters, digits, - and _' }) @Matches(ID, { message: 'must be 1-64 letters, digits, - or _' }) id!: string;
  @ApiProperty({ enum: POST_KINDS }) @IsIn([...POST_KINDS]) kind!: string;
  @ApiProperty({ example: 'G4 高速出口卡口' }) @IsString() @MinLength(1) @MaxLength(100) name!: string;
  @ApiPropertyOptional({ example: 'G4 exit 12' }) @IsOptional() @IsString() @MaxLength(200) location?: string;
  @ApiProperty({ example: 'XYL-1', description: 'the community whose peace/war mode applies' }) @IsString() @MinLength(1) @MaxLength(64) jurisdiction!: string;
  @ApiPropertyOptional({ example: 'XYL', description: 'the subdistrict that runs the post; default: yours (none for the district command)' }) @IsOptional() @IsString() @MinLength(1) @MaxLength(8) subdistrict?: string;
  @ApiProperty({ example: { peace: [{ skill: 'checkpoint', headcount: 1 }], war: [{ skill: 'checkpoint', headcount: 2 }, { skill: 'medical', headcount: 1 }] }, description: 'seats per shift, per mode' })
  @IsObject()
  requirements!: Record<string, unknown>;
  @ApiPropertyOptional({ example: [{ start: '00:00', hours: 8 }, { start: '08:00', hours: 8 }, { start: '16:00', hours: 8 }], description: 'the shifts of a day; default 3 × 8 h' })
  @IsOptional()
  @IsArray()
  pattern?: unknown[];
  @ApiProperty({ example: 'sup-zhao', description: 'told of no-shows, overdue hand-overs and gaps' }) @IsString() @MinLength(1) @MaxLength(64) supervisor!: string;
  @ApiPropertyOptional({ example: ['oncall-liu'], description: 'called in order on a no-show' }) @IsOptional() @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) onCall?: string[];
}

class IntervalDto {
  @ApiProperty({ example: '2026-12-01T00:00:00+08:00' }) @IsString() start!: string;
  @ApiProperty({ example: '2026-12-02T00:00:00+08:00' }) @IsString() end!: string;
}

export class StaffDto {
  @ApiProperty({ example: 'staff-li' }) @Matches(ID, { message: 'must be 1-64 letters, digits, - or _' }) id!: string;
  @ApiProperty({ example: '李强' }) @IsString() @MinLength(1) @MaxLength(50) name!: string;
  @ApiProperty({ enum: STAFF_ROLES }) @IsIn(STAFF_ROLES) role!: string;
  @ApiPropertyOptional({ example: 'XYL-1' }) @IsOptional() @IsString() @MaxLength(64) homeCommunity?: string;
  @ApiProperty({ example: ['checkpoint'] }) @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) skills!: string[];
  @ApiPropertyOptional({ example: '13800138000' }) @IsOptional() @IsString() @MaxLength(20) mobile?: string;
  @ApiPropertyOptional({ example: 'li@example.org' }) @IsOptional() @IsString() @MaxLength(200) email?: string;
  @ApiPropertyOptional({ type: [IntervalDto] }) @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => IntervalDto) unavailable?: IntervalDto[];
  @ApiPropertyOptional() @IsOptional() @IsBoolean() avoidNights?: boolean;
  @ApiPropertyOptional({ example: ['cp-g4'] }) @IsOptional() @IsArray() @IsString({ each: true }) preferredPostIds?: string[];
  @ApiPropertyOptional({ example: 8 }) @IsOptional() @IsInt() @Min(1) @Max(24) maxHoursPerDay?: number;
  @ApiPropertyOptional({ example: 48 }) @IsOptional() @IsInt() @Min(1) @Max(168) maxHoursPerWeek?: number;
  @ApiPropertyOptional({ example: 6 }) @IsOptional() @IsInt() @Min(1) @Max(62) maxConsecutiveDays?: number;
  @ApiPropertyOptional({ example: 1 }) @IsOptional() @IsInt() @Min(1) @Max(6) maxShiftsPerDay?: number;
  @ApiPropertyOptional({ format: 'uuid', description: 'the staff member’s login: their shifts are listed for it (GET /shifts?mine=true) and their messages reach its inbox' })
  @IsOptional()
  @IsUUID()
  accountId?: string;
}

class PinDto {
  @ApiProperty({ example: 'cp-g4-20261201-s1-1' }) @IsString() @MinLength(1) shiftId!: string;
  @ApiProperty({ example: 'staff-li' }) @IsString() @MinLength(1) staffId!: string;
}

export class PlanDto extends ByDto {
  @ApiProperty({ example: '2026-12-01' }) @IsCalendarDate() from!: string;
  @ApiProperty({ example: '2026-12-14' }) @IsCalendarDate() to!: string;
  @ApiProperty({ example: ['cp-g4'] }) @IsArray() @ArrayMinSize(1) @ArrayMaxSize(500) @IsString({ each: true }) postIds!: string[];
  @ApiPropertyOptional({ type: [PinDto], description: 'seats that must go to a person; one breaking a hard rule is refused (422)' })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => PinDto)
  pins?: PinDto[];
  @ApiPropertyOptional({ description: 'tie-breaking seed (same seed, same roster)' }) @IsOptional() @IsInt() seed?: number;
  @RequestIdProperty() requestId?: string;
}

export class PublishDto extends ByDto {}

export class CheckInDto {
  @ApiProperty({ example: 'staff-li', description: 'the assignee, or whoever covers a gap' }) @IsString() @MinLength(1) @MaxLength(64) staffId!: string;
}

export class HandoverDto extends ByDto {
  @ApiProperty({ example: '夜间车辆 12 辆，均已登记；测温枪电量低' }) @IsString() @MinLength(1) @MaxLength(2000) note!: string;
}

export class AcknowledgeDto extends ByDto {}

export class IncidentDto extends ByDto {
  /** The incident's id; without one, the incident gets a new id (a repeated request logs it again). */
  @RequestIdProperty() requestId?: string;
  @ApiProperty({ example: 'refused_check' }) @IsString() @MinLength(1) @MaxLength(50) kind!: string;
  @ApiProperty({ example: 'a driver refused a temperature check' }) @IsString() @MinLength(1) @MaxLength(2000) description!: string;
}

export class EndShiftDto extends ByDto {
  @ApiProperty({ example: 'post closed by the subdistrict' }) @IsString() @MinLength(1) @MaxLength(500) reason!: string;
}

export class ModeSwitchDto extends ByDto {
  @ApiProperty({ enum: ROSTER_MODES }) @IsIn([...ROSTER_MODES]) mode!: 'peace' | 'war';
  @ApiProperty({ example: '出现本地病例' }) @IsString() @MinLength(1) @MaxLength(500) reason!: string;
  @ApiPropertyOptional({ description: 'from POST …/mode/preview: the switch does exactly what that preview showed, or changes nothing (409 with the new preview)' })
  @IsOptional()
  @IsString()
  @MaxLength(80)
  previewId?: string;
}

export class ShiftRequestDto {
  @ApiProperty({ enum: ['swap', 'open_shift'], description: 'swap: two rostered people exchange shifts; open_shift: someone takes an unfilled seat' })
  @IsIn(['swap', 'open_shift'])
  kind!: 'swap' | 'open_shift';
  @ApiProperty({ example: 'cp-g4-20261201-s1-1' }) @IsString() @MinLength(1) shiftId!: string;
  @ApiPropertyOptional({ description: 'swap: the shift given in exchange' }) @IsOptional() @IsString() @MinLength(1) otherShiftId?: string;
  @ApiPropertyOptional({ description: 'open_shift: who takes the seat' }) @IsOptional() @IsString() @MinLength(1) staffId?: string;
  @ApiProperty({ example: 'staff-li' }) @IsString() @MinLength(1) @MaxLength(64) requestedBy!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) note?: string;
  @RequestIdProperty() requestId?: string;
}

export const SHIFT_REQUEST_STATES = ['pending', 'approved', 'rejected'] as const;

export class ShiftRequestListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: SHIFT_REQUEST_STATES, default: 'pending' }) @IsOptional() @IsIn(SHIFT_REQUEST_STATES) state?: (typeof SHIFT_REQUEST_STATES)[number];
}

export class DecisionDto extends ByDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) note?: string;
}

export class ScheduleDto {
  @ApiPropertyOptional({ default: 0, description: 'local hour of the daily run' }) @IsOptional() @IsInt() @Min(0) @Max(23) hour?: number;
  @ApiPropertyOptional({ default: 30 }) @IsOptional() @IsInt() @Min(0) @Max(59) minute?: number;
  @ApiPropertyOptional({ default: 48, description: 'shifts starting within this many hours are started' }) @IsOptional() @IsNumber() @Min(24) @Max(24 * 14) horizonHours?: number;
}

export class DailyReportRangeQuery {
  @ApiPropertyOptional({ example: '2026-11-25', description: 'default: 6 days before `to`' }) @IsOptional() @IsCalendarDate() from?: string;
  @ApiPropertyOptional({ example: '2026-12-01', description: 'default: yesterday (local)' }) @IsOptional() @IsCalendarDate() to?: string;
}

export class ShiftListQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() postId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() jurisdiction?: string;
  @ApiPropertyOptional({ example: '2026-12-01' }) @IsOptional() @IsCalendarDate() date?: string;
  @ApiPropertyOptional({ enum: DUTY_STATES })
  @IsOptional()
  @IsIn(DUTY_STATES)
  dutyState?: string;
  @ApiPropertyOptional({ description: 'true: only my shifts (the staff member linked to my account)' }) @IsOptional() @IsIn(['true', 'false']) mine?: 'true' | 'false';
}
