import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsInt, IsOptional, IsString, Max, MaxDate, MaxLength, Min, MinDate } from 'class-validator';
import { Actor } from '../../../libs/auth/actor.decorator';
import { Roles, ScopedInHandler } from '../../../libs/auth/roles.decorator';
import type { Principal } from '../../../libs/auth/roles';
import { AuditService } from '../../../libs/audit/audit.service';
import { IsBigintId } from '../../../libs/nest/validators';

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

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Roles('supervisor', 'admin')
  @ScopedInHandler()
  @ApiOperation({ summary: 'The audit log, newest first: who did what, when, on which record, from where' })
  list(@Actor() actor: Principal, @Query() query: AuditQuery) {
    return this.audit.list(actor, { ...query, limit: query.limit ?? 50 });
  }
}
