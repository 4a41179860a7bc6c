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
  IsPositive,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
  ValidateIf,
} from 'class-validator';
import { PageQuery } from '../../../libs/nest/paging';
import { IsOptional } from '../../../libs/nest/validators';
import { RECEIVER_ROLES, ReceiverRole, RunStatus } from '../../../workflows/transfer/transfer.messages';
import { DESTINATION_KINDS, DestinationKind } from '../../../workflows/transfer/transfer-planning';
import { RUN_STATUSES } from './transfer-views';

/** A command's optional idempotency key in the body, for a client that cannot send the Idempotency-Key header. */
class IdempotentDto {
  @ApiPropertyOptional({ description: 'idempotency key (or the Idempotency-Key header): a repeat is answered as the first and takes effect once' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  requestId?: string;
}

class MeetingDto {
  @ApiProperty({ example: 'G4 provincial checkpoint (京港澳高速杜家坎)' }) @IsString() @MinLength(1) @MaxLength(200) point!: string;
  @ApiProperty({ example: '2026-11-25T21:30:00+08:00' }) @IsString() at!: string;
}

class RunRulesDto {
  @ApiPropertyOptional({ default: 10 }) @IsOptional() @IsNumber() @Min(0) @Max(120) loadingMinutes?: number;
  @ApiPropertyOptional({ default: 10 }) @IsOptional() @IsNumber() @Min(0) @Max(120) unloadingMinutes?: number;
  @ApiPropertyOptional({ default: 360, description: 'batching window: fewer trips cost waiting' }) @IsOptional() @IsNumber() @IsPositive() maxWaitMinutes?: number;
  @ApiPropertyOptional({ default: 30 }) @IsOptional() @IsNumber() @IsPositive() @Max(1440) handOverTimeoutMinutes?: number;
  @ApiPropertyOptional({ default: 30, description: 'driver and escort are told this long before boarding' }) @IsOptional() @IsNumber() @Min(0) @Max(2880) dispatchLeadMinutes?: number;
  @ApiPropertyOptional({ description: "escorts on a key person's trip; default 1, in a key-person run every escort given" }) @IsOptional() @IsInt() @Min(1) @Max(20) keyPersonEscorts?: number;
}

/**
 * `POST /transfer-runs`. The shape is checked here (422); each traveller row by the manifest
 * reader (422 naming `travellers[i].field`), since a row's rules depend on its destination.
 */
export class RunRequestDto extends IdempotentDto {
  @ApiPropertyOptional({ enum: ['standard', 'key_person'], default: 'standard' }) @IsOptional() @IsIn(['standard', 'key_person']) kind?: 'standard' | 'key_person';
  @ApiProperty({ example: 'SP-SHUNYI' }) @IsString() @MinLength(1) sortingPointId!: string;
  @ApiProperty({ example: '赵调度' }) @IsString() @MinLength(1) @MaxLength(50) dispatcher!: string;
  @ApiProperty({ example: '王主任' }) @IsString() @MinLength(1) @MaxLength(50) supervisor!: string;
  @ApiProperty({ example: ['V001', 'V002'] }) @IsArray() @ArrayMinSize(1) @ArrayMaxSize(200) @IsString({ each: true }) vehicleIds!: string[];
  @ApiProperty({ example: ['E001', 'E002'] }) @IsArray() @ArrayMinSize(1) @ArrayMaxSize(400) @IsString({ each: true }) escortIds!: string[];
  @ApiPropertyOptional({ type: MeetingDto, description: 'key-person runs: where and when the escort meets the person' }) @IsOptional() @ValidateNested() @Type(() => MeetingDto) meeting?: MeetingDto;
  @ApiPropertyOptional({ type: RunRulesDto }) @IsOptional() @ValidateNested() @Type(() => RunRulesDto) rules?: RunRulesDto;
  @ApiPropertyOptional({ default: false, description: 'dispatch at once instead of showing the plan first' }) @IsOptional() @IsBoolean() dispatch?: boolean;
  @ApiProperty({
    description: 'one row per person; home-bound rows carry the enrolment fields (name, documentType, documentNumber, mobile, address)',
    example: [
      { name: '张伟', documentType: 'resident_id', documentNumber: '11010519491231002X', mobile: '13800138000', arrivalTime: '2026-11-25T08:10:00+08:00', destinationId: 'C-XYL', disposition: 'home_observation', address: { subdistrict: 'XYL', community: '学院路社区', building: '3', unit: '2' } },
      { name: 'John Smith', documentType: 'passport', documentNumber: 'E12345678', arrivalTime: '2026-11-25T08:40:00+08:00', destinationId: 'H-JINJIANG', disposition: 'centralized_quarantine', familyGroup: 'smith' },
    ],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(5000)
  @IsObject({ each: true })
  travellers!: Record<string, unknown>[];
}

class MoveDto {
  @ApiProperty() @IsString() travellerId!: string;
  @ApiProperty() @IsString() toTripId!: string;
}

export class PlanAdjustmentDto extends IdempotentDto {
  @ApiPropertyOptional({ type: [MoveDto] }) @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => MoveDto) moves?: MoveDto[];
  @ApiPropertyOptional({ example: ['trip-03'] }) @IsOptional() @IsArray() @IsString({ each: true }) pinTripIds?: string[];
  @ApiPropertyOptional({ description: 'plan everyone not on a pinned trip again' }) @IsOptional() @IsBoolean() replan?: boolean;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(50) by!: string;
}

export class ByDto extends IdempotentDto {
  @ApiProperty({ example: '随车人员 李' }) @IsString() @MinLength(1) @MaxLength(50) by!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) note?: string;
}

export class RiderDto extends ByDto {
  @ApiProperty({ example: 'T001' }) @IsString() @MinLength(1) travellerId!: string;
}

export class RefusalDto extends ByDto {
  @ApiProperty({ example: ['T007', 'T008'], description: 'the person and the family members refusing with them' }) @IsArray() @ArrayMinSize(1) @IsString({ each: true }) travellerIds!: string[];
}

export class PickUpDto extends RiderDto {
  @ApiProperty({ example: '张伟', description: "the person's name as the escort reads it at the door: must match the manifest" }) @IsString() @MinLength(1) @MaxLength(50) name!: string;
}

class ReceiverDto {
  @ApiProperty({ example: '李娜' }) @IsString() @MinLength(1) @MaxLength(50) name!: string;
  @ApiProperty({ enum: RECEIVER_ROLES }) @IsIn(RECEIVER_ROLES) role!: ReceiverRole;
  @ApiPropertyOptional({ example: '学院路社区' }) @IsOptional() @IsString() @MaxLength(100) organisation?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) contact?: string;
}

export class HandOverDto extends RiderDto {
  @ApiProperty({ example: '张伟', description: "the person's name as the receiver reads it: must match the manifest" }) @IsString() @MinLength(1) @MaxLength(50) name!: string;
  @ApiPropertyOptional({ type: ReceiverDto, description: 'who took the person over, when a dispatcher or supervisor records it (required then); a receiver or community worker is the receiver themselves' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ReceiverDto)
  receiver?: ReceiverDto;
}

export class RerouteDto extends ByDto {
  @ApiProperty({ example: 'H-JINJIANG-2' }) @IsString() @MinLength(1) destinationId!: string;
}

export class ExceptionDecisionDto extends ByDto {
  @ApiProperty({ enum: ['replan', 'close', 'key_person_transfer', 'acknowledge', 'resolve'] }) @IsIn(['replan', 'close', 'key_person_transfer', 'acknowledge', 'resolve'])
  decision!: 'replan' | 'close' | 'key_person_transfer' | 'acknowledge' | 'resolve';
  @ApiPropertyOptional({ example: 'did_not_arrive', description: 'close: the terminal disposition the supervisor approves' }) @IsOptional() @IsString() @MaxLength(100) closedAs?: string;
  @ApiPropertyOptional({ type: MeetingDto }) @IsOptional() @ValidateNested() @Type(() => MeetingDto) meeting?: MeetingDto;
}

export class RunListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: RUN_STATUSES }) @IsOptional() @IsIn(RUN_STATUSES) status?: RunStatus;
}

export class ManifestTemplateQuery {
  @ApiPropertyOptional({ enum: ['csv', 'xlsx'], default: 'xlsx' }) @IsOptional() @IsIn(['csv', 'xlsx']) format?: 'csv' | 'xlsx';
  @ApiPropertyOptional({ enum: ['zh', 'en'], default: 'zh', description: 'the headers’ language; a manifest is read by either' }) @IsOptional() @IsIn(['zh', 'en']) headers?: 'zh' | 'en';
}

export class ManifestUploadDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'a .csv or .xlsx manifest, its columns as the template has them' }) file!: unknown;
}

export class SheetQuery {
  @ApiPropertyOptional({ enum: ['json', 'csv', 'xlsx'] }) @IsOptional() @IsIn(['json', 'csv', 'xlsx']) format?: 'json' | 'csv' | 'xlsx';
}

// ---------------------------------------------------------------------------------------------
// Resources

export class SortingPointDto {
  @ApiProperty({ example: 'SP-SHUNYI' }) @IsString() @MinLength(1) @MaxLength(40) id!: string;
  @ApiProperty({ example: '顺义新国展分拣点' }) @IsString() @MinLength(1) @MaxLength(100) name!: string;
  @ApiProperty({ example: '北京市顺义区天竺地区裕翔路88号' }) @IsString() @MinLength(1) @MaxLength(200) address!: string;
}

export class DestinationDto {
  @ApiProperty({ example: 'H-JINJIANG' }) @IsString() @MinLength(1) @MaxLength(40) id!: string;
  @ApiProperty({ enum: DESTINATION_KINDS }) @IsIn(DESTINATION_KINDS) kind!: DestinationKind;
  @ApiProperty({ example: '锦江之星隔离酒店' }) @IsString() @MinLength(1) @MaxLength(100) name!: string;
  @ApiProperty({ example: 35, description: 'one way from the sorting point' }) @IsInt() @Min(1) @Max(600) travelMinutes!: number;
  @ApiPropertyOptional({ example: 120, description: 'hotels: rooms, numbered 1 to capacity (planning counts those taken)' }) @IsOptional() @IsInt() @Min(0) capacity?: number;
  @ApiProperty({ example: '前台 刘经理', description: 'who takes people over on arrival' }) @IsString() @MinLength(1) @MaxLength(100) receiver!: string;
  @ApiPropertyOptional({ example: '李娜', description: 'communities: the worker responsible for the home observations' }) @IsOptional() @IsString() @MaxLength(50) worker?: string;
}

export class VehicleDto {
  @ApiProperty({ example: 'V001' }) @IsString() @MinLength(1) @MaxLength(40) id!: string;
  @ApiProperty({ example: '京B·12345' }) @IsString() @MinLength(1) @MaxLength(20) plate!: string;
  @ApiProperty({ example: 14 }) @IsInt() @Min(1) @Max(80) seats!: number;
  @ApiProperty({ example: '孙师傅' }) @IsString() @MinLength(1) @MaxLength(50) driverName!: string;
  @ApiProperty({ example: '13900000000' }) @IsString() @MinLength(1) @MaxLength(30) driverContact!: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'the driver’s login: they see this vehicle’s dispatched trips (GET /my-trips) and record its legs' })
  @IsOptional()
  @IsUUID()
  driverAccountId?: string;
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() available?: boolean;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'XYL', description: 'the subdistrict whose vehicle it is: its pick-ups from home take it (null: the district’s)' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(8)
  subdistrict?: string | null;
}

export class EscortDto {
  @ApiProperty({ example: 'E001' }) @IsString() @MinLength(1) @MaxLength(40) id!: string;
  @ApiProperty({ example: '周干部' }) @IsString() @MinLength(1) @MaxLength(50) name!: string;
  @ApiProperty({ example: '13700000000' }) @IsString() @MinLength(1) @MaxLength(30) contact!: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'the escort’s login: they see the dispatched trips they ride (GET /my-trips) and record boarding and legs' })
  @IsOptional()
  @IsUUID()
  accountId?: string;
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() available?: boolean;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'XYL', description: 'the subdistrict whose staff they are: they escort its pick-ups from home (null: the district’s)' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(8)
  subdistrict?: string | null;
}
