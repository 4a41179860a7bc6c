/** What the self-report routes and the report-link routes answer (camelCase, instants ISO 8601 UTC). */
import { ApiProperty } from '@nestjs/swagger';
import { SYMPTOMS } from '../../../libs/domain/symptoms';

const INSTANT = { format: 'date-time', example: '2026-11-26T00:00:00.000Z' };

export class ReportSlotDto {
  @ApiProperty(INSTANT) opensAt!: string;
  @ApiProperty({ ...INSTANT, description: 'reports are taken until then (and through the grace time after it)' }) closesAt!: string;
}

export class TemperatureRangeDto {
  @ApiProperty({ example: 34.0 }) min!: number;
  @ApiProperty({ example: 43.0 }) max!: number;
}

/** What the page shows: nothing of the person but the masked name. */
export class SelfReportViewDto {
  @ApiProperty({ example: '张*', description: 'the person’s name, masked (first letter of each word)' }) maskedName!: string;
  @ApiProperty({ type: () => ReportSlotDto, nullable: true, description: 'the check-in slot open now, if any' }) openSlot!: ReportSlotDto | null;
  @ApiProperty({ ...INSTANT, type: String, nullable: true, description: 'when the next slot opens (null: none is left in the observation)' }) nextSlotOpensAt!: string | null;
  @ApiProperty({ type: () => TemperatureRangeDto, description: '°C a report may give' }) temperature!: TemperatureRangeDto;
  @ApiProperty({ enum: SYMPTOMS, isArray: true, description: 'the symptoms a report may tick' }) symptoms!: string[];
}

export class SelfReportAcceptedDto {
  @ApiProperty({ description: 'the report’s request id: the same id again answers this again, counted once' }) requestId!: string;
  @ApiProperty({ example: 36.6 }) temperature!: number;
  @ApiProperty({ description: 'at or above the fever threshold: the medical desk is told' }) fever!: boolean;
  @ApiProperty(INSTANT) recordedAt!: string;
  @ApiProperty({ ...INSTANT, type: String, nullable: true, description: 'when the next slot opens (null: none is left)' }) nextSlotOpensAt!: string | null;
}

export class ReportLinkDto {
  @ApiProperty({ example: 'XYL-C-000123' }) observationNumber!: string;
  @ApiProperty({ example: 'https://epi-ops.example/r/Q2hhbmdlIG1lIQ…', description: 'the person’s live report link' }) url!: string;
  @ApiProperty({ example: 1, description: 'each re-issue takes the next; the earlier links are revoked' }) generation!: number;
  @ApiProperty(INSTANT) issuedAt!: string;
}
