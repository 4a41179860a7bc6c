import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsISO8601, IsNumber, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateIf, ValidateNested } from 'class-validator';
import { Public } from '../../../libs/auth/roles.decorator';
import { DISPATCH_EVENT_KINDS, DispatchEvent, DispatchEventAnswer, DispatchEventKind } from '../../../libs/persistence/transfer/dispatch.repository';
import type { TripLeg } from '../../../workflows/transfer/transfer.messages';
import type { AuditedRequest } from '../../../libs/audit/audit.service';
import { DispatchEventsService } from './dispatch-events.service';
import { TRIP_LEGS } from './transfer-views';
import { DispatchSignatureGuard, SIGNATURE_HEADER, SIGNATURE_TOLERANCE_SECONDS, TIMESTAMP_HEADER } from './dispatch-signature.guard';

class PositionDto {
  @ApiProperty({ example: 39.9903 }) @IsNumber() @Min(-90) @Max(90) lat!: number;
  @ApiProperty({ example: 116.3461 }) @IsNumber() @Min(-180) @Max(180) lon!: number;
}

class DispatchEventDto implements DispatchEvent {
  // The dispatch system's own identity of the event, not a key of ours: it names the event in both systems, and a repeat of it is answered as the first.
  @ApiProperty({ example: 'evt-20261126-000123', description: 'the dispatch system’s id of this event: a repeat is answered as the first and taken once' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  eventId!: string;

  @ApiProperty({ enum: DISPATCH_EVENT_KINDS }) @IsIn(DISPATCH_EVENT_KINDS) kind!: DispatchEventKind;

  @ApiProperty({ example: '6f1c2a84-0d7e-4d55-9a43-2b8e6f0a9c11/trip-01', description: 'the order id the trip was sent with (its Idempotency-Key)' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  orderId!: string;

  @ApiProperty({ example: '6f1c2a84-0d7e-4d55-9a43-2b8e6f0a9c11' }) @IsString() @MinLength(1) @MaxLength(100) runId!: string;
  @ApiProperty({ example: 'trip-01' }) @IsString() @MinLength(1) @MaxLength(100) tripId!: string;

  @ApiProperty({ example: '2026-11-26T11:05:00+08:00', description: 'when it happened, with its offset' })
  @IsISO8601({ strict: true })
  @Matches(/(Z|[+-]\d{2}:?\d{2})$/, { message: 'at must carry its offset (Z or +08:00)' })
  at!: string;

  @ApiPropertyOptional({ type: PositionDto, description: 'the vehicle’s position at `at`: required for a position event, and kept from any event that carries one' })
  @ValidateIf((event: DispatchEventDto) => event.kind === 'position' || event.position !== undefined)
  @IsDefined({ message: 'a position event carries position {lat, lon}' })
  @ValidateNested()
  @Type(() => PositionDto)
  position?: PositionDto;
}

class DispatchEventAnswerDto implements DispatchEventAnswer {
  @ApiProperty() eventId!: string;
  @ApiProperty({ enum: DISPATCH_EVENT_KINDS }) kind!: DispatchEventKind;
  @ApiProperty() orderId!: string;
  @ApiProperty() runId!: string;
  @ApiProperty() tripId!: string;
  @ApiProperty({ enum: TRIP_LEGS, description: 'the trip’s leg once the event was taken' }) leg!: TripLeg;
}

/** The dispatch system's side of a trip: the leg events it posts back for the orders it was sent. */
@ApiTags('transfer runs')
@Controller('dispatch')
export class DispatchEventsController {
  constructor(private readonly events: DispatchEventsService) {}

  @Post('events')
  // No login: the dispatch system signs each request, and DispatchSignatureGuard checks it.
  @Public()
  @UseGuards(DispatchSignatureGuard)
  @HttpCode(200)
  @ApiOperation({
    summary: 'The dispatch system reports a trip’s leg: departed, arrived, or the vehicle’s position',
    description:
      `Signed, not logged in: ${TIMESTAMP_HEADER} is the time of sending in Unix seconds (within ${SIGNATURE_TOLERANCE_SECONDS} s of ours) and ` +
      `${SIGNATURE_HEADER} is \`sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">\` with DISPATCH_WEBHOOK_SECRET. ` +
      'departed and arrived move the trip as the escort’s own commands do, recorded by `dispatch-system`; a position is shown on the trip.',
  })
  @ApiHeader({ name: TIMESTAMP_HEADER, required: true, description: 'Unix seconds when the request was signed' })
  @ApiHeader({ name: SIGNATURE_HEADER, required: true, description: 'sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">' })
  @ApiOkResponse({ type: DispatchEventAnswerDto, description: 'taken (or a repeat of an event taken before, answered alike and taken once)' })
  @ApiBadRequestResponse({ description: 'a field is missing or malformed: `problems` names it' })
  @ApiUnauthorizedResponse({ description: 'missing, stale or wrong signature: nothing is recorded' })
  @ApiConflictResponse({ description: 'not this trip’s event: no such trip, another order, a leg the trip is not in, or an event id used for another event; `problems` says why' })
  @ApiServiceUnavailableResponse({ description: 'DISPATCH_WEBHOOK_SECRET is not set, or Temporal or PostgreSQL is down: send it again later' })
  receive(@Body() event: DispatchEventDto, @Req() request: AuditedRequest): Promise<DispatchEventAnswer> {
    return this.events.receive(event, request.auditRecord!);
  }
}
