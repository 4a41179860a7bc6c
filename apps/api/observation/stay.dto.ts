import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsIn, IsObject, IsString, MaxLength, MinLength } from 'class-validator';
import { IsOptional } from '../../../libs/nest/validators';
import { PageQuery } from '../../../libs/nest/paging';
import type { StayRecord, StayStatus } from '../../../libs/persistence/observation/stay.repository';
import { PlaceQuery } from './observation.dto';

const STAY_STATUSES: StayStatus[] = ['in_room', 'released', 'handed_back', 'transferred_out'];
const INSTANT = { format: 'date-time', example: '2026-11-26T03:00:00.000Z' };
const ADDRESS = { type: 'object', additionalProperties: true, example: { subdistrict: 'XYL', community: '学院路社区', building: '3', unit: '2' } } as const;

export class StayListQuery extends IntersectionType(PlaceQuery, PageQuery) {
  @ApiPropertyOptional({ example: 'hotel-jinjiang', description: 'one hotel’s stays' }) @IsOptional() @IsString() @MaxLength(100) hotelId?: string;
  @ApiPropertyOptional({ enum: STAY_STATUSES }) @IsOptional() @IsIn(STAY_STATUSES) status?: StayStatus;
}

export class HandBackDto {
  @ApiProperty({ ...ADDRESS, description: 'the home (subdistrict, community, building, unit, detail), in your jurisdiction' }) @IsObject() address!: Record<string, unknown>;
  @ApiProperty({ example: '李娜', description: 'the community worker who follows the person at home' }) @IsString() @MinLength(1) @MaxLength(50) responsibleWorker!: string;
  @ApiProperty({ example: '王主任', description: 'who decides' }) @IsString() @MinLength(1) @MaxLength(50) by!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) note?: string;
}

export class StayDto {
  @ApiProperty({ format: 'uuid', description: 'the hotel admission’s id' }) id!: string;
  @ApiProperty() hotelId!: string;
  @ApiProperty({ example: '锦江隔离酒店' }) hotelName!: string;
  @ApiProperty({ example: 12, description: 'rooms are numbered 1 to the hotel’s capacity' }) room!: number;
  @ApiProperty({ nullable: true, type: String, example: 'XYL' }) subdistrict!: string | null;
  @ApiProperty({ nullable: true, type: String }) community!: string | null;
  @ApiProperty({ example: '2026-11-20', description: 'the arrival date: day 1 of the period' }) anchorDate!: string;
  @ApiProperty({ enum: STAY_STATUSES }) status!: StayStatus;
  @ApiProperty(INSTANT) checkedInAt!: string;
  @ApiProperty({ ...INSTANT, nullable: true, type: String }) checkedOutAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'the observation holding the daily health checks: its reports and tracking log are under /observations/{number}' })
  observationNumber!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'why the health checks could not be enrolled' }) healthChecksRefused!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'the home observation a hand-back enrolled' }) homeObservationNumber!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'why the stay ended: the period is over, handed back, or the reason of a transfer out (hospital, …)' }) endReason!: string | null;
  @ApiProperty({ nullable: true, type: String }) endedBy!: string | null;
  @ApiProperty({ example: '张伟' }) name!: string;
  @ApiProperty({ enum: ['resident_id', 'passport'] }) documentType!: string;
  @ApiProperty() documentNumber!: string;
  @ApiProperty({ nullable: true, type: String }) mobile!: string | null;
}

export function stayOf(r: StayRecord): StayDto {
  const { responsibleWorker: _hotelWorker, ...stay } = r;
  return { ...stay, checkedInAt: r.checkedInAt.toISOString(), checkedOutAt: r.checkedOutAt?.toISOString() ?? null };
}
