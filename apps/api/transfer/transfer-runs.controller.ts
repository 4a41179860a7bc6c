import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { AppConfig } from '../../../libs/config/config';
import { APP_CONFIG } from '../../../libs/config/config.module';
import { ApiConflictResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { Actor } from '../../../libs/auth/actor.decorator';
import { Roles, Scoped, ScopedInHandler } from '../../../libs/auth/roles.decorator';
import type { Principal } from '../../../libs/auth/roles';
import {
  adjustPlanUpdate,
  arriveUpdate,
  boardUpdate,
  breakdownUpdate,
  decideExceptionUpdate,
  departUpdate,
  dispatchRunUpdate,
  hotelFullUpdate,
  noShowUpdate,
  refuseUpdate,
  rerouteUpdate,
} from '../../../workflows/transfer/transfer.messages';
import { forbidden, invalid } from '../../../libs/domain/errors';
import { sendTable, TableColumn } from '../observation/ledger/ledger-writer';
import { ByDto, ExceptionDecisionDto, HandOverDto, PlanAdjustmentDto, RefusalDto, RerouteDto, RiderDto, RunListQuery, RunRequestDto, SheetQuery } from './transfer.dto';
import { HandOverSheetRow, TransferRunService } from './transfer-run.service';
import { AuditedRead } from '../../../libs/audit/audit.interceptor';

const SHEET_COLUMNS: Array<TableColumn & { key: keyof HandOverSheetRow }> = [
  { key: 'row', header: '序号 row' },
  { key: 'name', header: '姓名 name' },
  { key: 'document', header: '证件 document' },
  { key: 'mobile', header: '电话 mobile' },
  { key: 'disposition', header: '去向 disposition' },
  { key: 'destination', header: '目的地 destination' },
  { key: 'tripId', header: '车次 trip' },
  { key: 'plate', header: '车牌 plate' },
  { key: 'escorts', header: '随车人员 escorts' },
  { key: 'status', header: '状态 status' },
  { key: 'handedOverAt', header: '交接时间 handed over at', instant: true },
  { key: 'receiver', header: '接收人 receiver' },
  { key: 'observationNumber', header: '观察编号 observation' },
  { key: 'quarantineRecordId', header: '隔离记录 quarantine record' },
  { key: 'closedAs', header: '终结处置 closed as' },
];

@ApiTags('transfer runs')
@Controller('transfer-runs')
@Roles('dispatcher', 'supervisor')
@Scoped('transfer-run', 'param', 'runId')
export class TransferRunsController {
  constructor(
    private readonly runs: TransferRunService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @ScopedInHandler()
  @HttpCode(201)
  @ApiOperation({ summary: 'Start a run from a manifest: planned at once, dispatched now or after the dispatcher adjusts the plan' })
  @ApiUnprocessableEntityResponse({ description: 'a row is wrong: `errors` names `travellers[i].field` and the reason' })
  @ApiConflictResponse({ description: 'someone cannot be carried at all (e.g. more people than seats and no second trip possible)' })
  async start(@Actor() actor: Principal, @Body() body: RunRequestDto, @Res({ passthrough: true }) response: Response) {
    const result = await this.runs.start({ ...body, subdistrict: actor.subdistrict });
    if (result.status === 'existing') response.status(200);
    return result;
  }

  @Get()
  @ScopedInHandler()
  list(@Actor() actor: Principal, @Query() query: RunListQuery) {
    return this.runs.list({ ...query, subdistrict: actor.subdistrict });
  }

  @Get(':runId')
  @ApiOperation({ summary: 'The run: plan, live counts, each trip and its leg, exceptions, and every person by name' })
  @AuditedRead()
  detail(@Param('runId') runId: string) {
    return this.runs.detail(runId);
  }

  @Get(':runId/hand-over-sheet')
  @ApiOperation({ summary: 'The hand-over sheet (交接单): one row per person, as json, csv or xlsx' })
  @AuditedRead()
  async sheet(@Param('runId') runId: string, @Query() query: SheetQuery, @Res() response: Response) {
    const rows = await this.runs.handOverSheet(runId);
    if (!query.format || query.format === 'json') return void response.json(rows);
    await sendTable(response, `hand-over-${runId}`, query.format, SHEET_COLUMNS, rows as unknown as Record<string, unknown>[], { sheetName: '交接单', timeZone: this.config.timeZone });
  }

  @Post(':runId/plan')
  @HttpCode(200)
  @ApiOperation({ summary: 'Before dispatch: move people between trips, pin trips, re-plan the rest' })
  adjust(@Param('runId') runId: string, @Body() body: PlanAdjustmentDto) {
    return this.runs.runCommand(runId, adjustPlanUpdate, body);
  }

  @Post(':runId/dispatch')
  @HttpCode(200)
  dispatch(@Param('runId') runId: string, @Body() body: ByDto) {
    return this.runs.runCommand(runId, dispatchRunUpdate, { by: body.by });
  }

  @Post(':runId/exceptions/:exceptionId/decision')
  @HttpCode(200)
  @ApiOperation({ summary: 'Decide an exception: replan, close (terminal disposition), key_person_transfer, acknowledge, resolve' })
  decide(@Actor() actor: Principal, @Param('runId') runId: string, @Param('exceptionId') exceptionId: string, @Body() body: ExceptionDecisionDto) {
    if (body.decision === 'close' && actor.role !== 'supervisor') throw forbidden('closing a person’s transfer with a terminal disposition needs a supervisor');
    const meetingAt = body.meeting ? Date.parse(body.meeting.at) : undefined;
    if (meetingAt !== undefined && !Number.isFinite(meetingAt)) throw invalid('meeting.at', 'must be an ISO date-time');
    const id = exceptionId.includes('/') ? exceptionId : `${runId}/${exceptionId}`;
    return this.runs.runCommand(runId, decideExceptionUpdate, { ...body, exceptionId: id, meeting: body.meeting ? { point: body.meeting.point, at: meetingAt! } : undefined });
  }

  @Get(':runId/trips/:tripId')
  trip(@Param('runId') runId: string, @Param('tripId') tripId: string) {
    return this.runs.tripState(runId, tripId);
  }

  @Post(':runId/trips/:tripId/boarded')
  @HttpCode(200)
  @ApiOperation({ summary: 'A person boards: only someone on this trip list, not yet reported' })
  board(@Param('runId') runId: string, @Param('tripId') tripId: string, @Body() body: RiderDto) {
    return this.runs.tripCommand(runId, tripId, boardUpdate, body);
  }

  @Post(':runId/trips/:tripId/no-show')
  @HttpCode(200)
  noShow(@Param('runId') runId: string, @Param('tripId') tripId: string, @Body() body: RiderDto) {
    return this.runs.tripCommand(runId, tripId, noShowUpdate, body);
  }

  @Post(':runId/trips/:tripId/refusal')
  @HttpCode(200)
  @ApiOperation({ summary: 'A person (and family) refuse: escalates to the supervisor for a key-person transfer' })
  refuse(@Param('runId') runId: string, @Param('tripId') tripId: string, @Body() body: RefusalDto) {
    return this.runs.tripCommand(runId, tripId, refuseUpdate, body);
  }

  @Post(':runId/trips/:tripId/departed')
  @HttpCode(200)
  depart(@Param('runId') runId: string, @Param('tripId') tripId: string, @Body() body: ByDto) {
    return this.runs.tripCommand(runId, tripId, departUpdate, body);
  }

  @Post(':runId/trips/:tripId/arrived')
  @HttpCode(200)
  arrive(@Param('runId') runId: string, @Param('tripId') tripId: string, @Body() body: ByDto) {
    return this.runs.tripCommand(runId, tripId, arriveUpdate, body);
  }

  @Post(':runId/trips/:tripId/handed-over')
  @HttpCode(200)
  @ApiOperation({ summary: 'The receiver takes a person over by name; starts their home observation or quarantine record once' })
  handOver(@Param('runId') runId: string, @Param('tripId') tripId: string, @Body() body: HandOverDto) {
    return this.runs.handOver(runId, tripId, { ...body, receiver: { ...body.receiver } });
  }

  @Post(':runId/trips/:tripId/breakdown')
  @HttpCode(200)
  @ApiOperation({ summary: 'The vehicle broke down: the people not handed over are re-planned onto another trip' })
  breakdown(@Param('runId') runId: string, @Param('tripId') tripId: string, @Body() body: ByDto) {
    return this.runs.tripCommand(runId, tripId, breakdownUpdate, body);
  }

  @Post(':runId/trips/:tripId/hotel-full')
  @HttpCode(200)
  hotelFull(@Param('runId') runId: string, @Param('tripId') tripId: string, @Body() body: ByDto) {
    return this.runs.tripCommand(runId, tripId, hotelFullUpdate, body);
  }

  @Post(':runId/trips/:tripId/reroute')
  @HttpCode(200)
  reroute(@Param('runId') runId: string, @Param('tripId') tripId: string, @Body() body: RerouteDto) {
    return this.runs.tripCommand(runId, tripId, rerouteUpdate, body);
  }
}
