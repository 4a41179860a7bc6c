import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { DashboardScope, DashboardSummary } from './dashboard.service';

const COUNTS = { type: 'object', additionalProperties: { type: 'integer' } } as const;

class DashboardScopeDto implements DashboardScope {
  @ApiPropertyOptional({ description: 'absent: every subdistrict within the reader’s jurisdiction' }) subdistrict?: string;
  @ApiPropertyOptional({ description: 'absent: every community of the subdistrict' }) community?: string;
}

class ObservationCountsDto {
  @ApiProperty({ description: 'active + escalated' }) underObservation!: number;
  @ApiProperty({ ...COUNTS, example: { active: 12, escalated: 1, released: 40, ended: 2 } }) byStatus!: Record<string, number>;
  @ApiProperty({ ...COUNTS, example: { A: 3, B: 10, C: 0, D: 0 }, description: 'of those under observation' }) byCategory!: Record<string, number>;
  @ApiProperty() dueToday!: number;
  @ApiProperty({ description: 'with an open missed-report escalation (the list’s `overdue` filter)' }) overdue!: number;
}

class EscalationCountsDto {
  @ApiProperty() unresolved!: number;
  @ApiProperty(COUNTS) byState!: Record<string, number>;
  @ApiProperty(COUNTS) byKind!: Record<string, number>;
}

class JurisdictionCountDto {
  @ApiProperty() subdistrict!: string;
  @ApiProperty() community!: string;
  @ApiProperty() underObservation!: number;
}

/** The supervisors' counts. */
export class DashboardSummaryDto implements DashboardSummary {
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
  @ApiProperty({ example: 'Asia/Shanghai' }) timeZone!: string;
  @ApiProperty({ format: 'date', description: 'the jurisdiction’s local date, the day "due today" refers to' }) today!: string;
  @ApiProperty({ type: DashboardScopeDto }) scope!: DashboardScopeDto;
  @ApiProperty({ type: ObservationCountsDto }) observations!: ObservationCountsDto;
  @ApiProperty({ type: EscalationCountsDto }) escalations!: EscalationCountsDto;
  @ApiProperty({ type: [JurisdictionCountDto], description: 'every subdistrict and community within the reader’s jurisdiction that has observations, for the filters' })
  jurisdictions!: JurisdictionCountDto[];
}
