import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsInt, IsOptional, IsString, Max, MaxDate, MaxLength, Min, MinDate } from 'class-validator';
import { Actor } from '../../../libs/auth/actor.decorator';
import { Roles, ScopedInHandler } from '../../../libs/auth/roles.decorator';
import type { Principal } from '../../../libs/auth/roles';
import { AuditService } from '../../../libs/audit/audit.service';
import { IsBigintId } from '../../../libs/nest/validators';
import type { AuditEntry } from '../../../libs/persistence/platform/audit.repository';

/** Instants PostgreSQL and JavaScript both hold. */
const EARLIEST = new Date('1900-01-01T00:00:00Z');
const LATEST = new Date('9999-12-31T23:59:59Z');

export class AuditQuery {
  @ApiPropertyOptional({ description: 'username' }) @IsOptional() @IsString() @MaxLength(60) actor?: string;
  @ApiPropertyOptional({ example: 'early-end', description: 'part of "METHOD /route"' }) @IsOptional() @IsString() @MaxLength(200) action?: string;
  @ApiPropertyOptional({ example: 'observation' }) @IsOptional() @IsString() @MaxLength(40) recordType?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) recordId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(8) subdistrict?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(60) community?: string;
  @ApiPropertyOptional({ type: String, format: 'date-time' }) @IsOptional() @Type(() => Date) @IsDate() @MinDate(EARLIEST) @MaxDate(LATEST) from?: Date;
  @ApiPropertyOptional({ type: String, format: 'date-time' }) @IsOptional() @Type(() => Date) @IsDate() @MinDate(EARLIEST) @MaxDate(LATEST) to?: Date;
  @ApiPropertyOptional({ description: 'the previous page’s nextBefore' }) @IsOptional() @IsBigintId() before?: string;
  @ApiPropertyOptional({ default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

export class AuditEntryDto implements AuditEntry {
  @ApiProperty({ description: 'orders the log: a later row has a greater id', example: '1024' }) id!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null before a login' }) actorId!: string | null;
  @ApiProperty({ description: 'the username, the name a login tried, or "anonymous"' }) actor!: string;
  @ApiProperty({ type: String, nullable: true }) actorRole!: string | null;
  @ApiProperty({ type: String, nullable: true }) actorSubdistrict!: string | null;
  @ApiProperty({ example: 'POST /observations/:number/early-end' }) action!: string;
  @ApiProperty({ type: String, nullable: true, example: 'observation' }) recordType!: string | null;
  @ApiProperty({ type: String, nullable: true }) recordId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'where the record lies' }) subdistrict!: string | null;
  @ApiProperty({ type: String, nullable: true }) community!: string | null;
  @ApiProperty({ description: 'the HTTP status answered', example: 200 }) status!: number;
  @ApiProperty({ type: String, nullable: true }) ip!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'the request id, as in the logs' }) requestId!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the route parameters and query, and the error if it failed' }) detail!: Record<string, unknown>;
}

/**
 * A page of the log, newest first. Paged by id rather than by page number: rows are appended all
 * the time, and a page number would shift under the reader.
 */
export class AuditPageDto {
  @ApiProperty({ type: [AuditEntryDto] }) items!: AuditEntryDto[];
  @ApiProperty({ type: String, nullable: true, description: 'the next page’s `before`; null on the last page' }) nextBefore!: string | null;
}

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Roles('supervisor', 'admin')
  @ScopedInHandler()
  @ApiOperation({ summary: 'The audit log, newest first: who did what, when, on which record, from where' })
  @ApiOkResponse({ type: AuditPageDto })
  list(@Actor() actor: Principal, @Query() query: AuditQuery): Promise<AuditPageDto> {
    return this.audit.list(actor, { ...query, limit: query.limit ?? 50 });
  }
}
