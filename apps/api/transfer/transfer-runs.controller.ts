/// <reference types="multer" />
import { applyDecorators, Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res, UploadedFile } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiBody,
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiTags,
  ApiUnprocessableEntityResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { UpdateDefinition } from '@temporalio/common';
import type { Response } from 'express';
import { Actor } from '../../../libs/auth/actor.decorator';
import { LoadedRecord } from '../../../libs/auth/loaded-record.decorator';
import { Principal, RECEIVING_ROLES, TRANSFER_ROLES } from '../../../libs/auth/roles';
import { NoJurisdiction, OrTripCrew, Roles, Scoped, ScopedInHandler } from '../../../libs/auth/roles.decorator';
import { AppConfig } from '../../../libs/config/config';
import { APP_CONFIG } from '../../../libs/config/config.module';
import { forbidden, invalid } from '../../../libs/domain/errors';
import { FileUpload, readUpload } from '../../../libs/nest/file-upload';
import { IDEMPOTENCY_HEADER, IdempotencyKey } from '../../../libs/nest/idempotency';
import { readSheet } from '../../../libs/observation/ledger/ledger-reader';
import { ApiPageResponse } from '../../../libs/nest/paging';
import {
  adjustPlanUpdate,
  arriveUpdate,
  boardUpdate,
  pickUpUpdate,
  breakdownUpdate,
  decideExceptionUpdate,
  departUpdate,
  dispatchRunUpdate,
  handOverUpdate,
  hotelFullUpdate,
  noShowUpdate,
  refuseUpdate,
  rerouteUpdate,
  Receiver,
  RECEIVER_ROLE_AT,
  RunView,
  TripView,
} from '../../../workflows/transfer/transfer.messages';
import type { TripDestination } from '../../../libs/persistence/transfer/transfer-run.repository';
import { AuditedRead } from '../../../libs/audit/audit.interceptor';
import { ApiTableFileResponse, sendTable, TABLE_CONTENT_TYPE, TableColumn } from '../../../libs/nest/table-file';
import { MANIFEST_COLUMNS, MANIFEST_LAYOUT } from '../../../libs/transfer/manifest';
import { manifestRowsOf } from './manifest-file';
import {
  ByDto,
  ExceptionDecisionDto,
  HandOverDto,
  PickUpDto,
  ManifestTemplateQuery,
  ManifestUploadDto,
  PlanAdjustmentDto,
  RefusalDto,
  RerouteDto,
  RiderDto,
  RunListQuery,
  RunRequestDto,
  SheetQuery,
} from './transfer.dto';
import { TransferRunService } from './transfer-run.service';
import { TransferRunStarter } from '../../../libs/transfer/run-starter';
import {
  HandOverSheetRowView,
  ManifestFileView,
  RunDetailView,
  RunStartedView,
  runStartedView,
  RunStateView,
  runStateView,
  RunSummaryView,
  TrackedTripView,
  TripStateView,
  tripStateView,
} from './transfer-views';

const SHEET_COLUMNS: Array<TableColumn & { key: keyof HandOverSheetRowView }> = [
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

/** A manifest upload: ample for 5,000 rows with full addresses, as the JSON route's limit. */
const MAX_MANIFEST_BYTES = 5 * 1024 * 1024;

/** The Idempotency-Key header of a command to a run or a trip (or the body's requestId): a repeat is one update, answered as the first. */
const IdempotencyHeader = () => ApiHeader({ name: IDEMPOTENCY_HEADER, required: false, description: 'a repeat under the same key takes effect once and is answered as the first' });

/** A route of one trip that its crew (escorts and driver linked to accounts) may use too, whatever their role. */
const CrewRoute = () => applyDecorators(Scoped('trip', 'param', 'runId'), OrTripCrew());

/** A run's or trip's command as its update takes it: the idempotency key names the update instead (see updateIdOf). */
function commandOf<T extends { requestId?: string }>(body: T): Omit<T, 'requestId'> {
  const { requestId: _key, ...command } = body;
  return command;
}

/** The Temporal update id of a command under an idempotency key; the update's name keeps one key from standing for two kinds of command. */
function updateIdOf(update: { name: string }, key: string | undefined): string | undefined {
  return key === undefined ? undefined : `${update.name}:${key}`;
}

/**
 * Who took a person over: the logged-in receiver or community worker themselves (name from their
 * account, role from the destination, the account named), else the receiver the body names.
 */
function receiverOf(actor: Principal, named: HandOverDto['receiver'], destination: TripDestination | undefined): Receiver {
  if (RECEIVING_ROLES.includes(actor.role) && destination) {
    const role = actor.role === 'receiver' ? RECEIVER_ROLE_AT[destination.kind] : 'community_worker';
    return { name: actor.displayName, role, organisation: destination.name, account: actor.username };
  }
  if (!named) throw invalid('receiver', 'is required when a dispatcher or supervisor records the hand-over: who took the person over');
  return { ...named };
}

@ApiTags('transfer runs')
@Controller('transfer-runs')
@Roles(...TRANSFER_ROLES)
@Scoped('transfer-run', 'param', 'runId')
export class TransferRunsController {
  constructor(
    private readonly runs: TransferRunService,
    private readonly starter: TransferRunStarter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @ScopedInHandler()
  @HttpCode(201)
  @ApiOperation({ summary: 'Start a run from a manifest: planned at once, dispatched now or after the dispatcher adjusts the plan' })
  @IdempotencyHeader()
  @ApiCreatedResponse({ type: RunStartedView, description: 'recorded and planned; its workflow runs' })
  @ApiOkResponse({ type: RunStartedView, description: 'a repeat of a request taken before (same idempotency key): that run' })
  @ApiUnprocessableEntityResponse({ description: 'a row is wrong: `errors` names `travellers[i].field` and the reason' })
  @ApiConflictResponse({ description: 'someone cannot be carried at all (e.g. more people than seats and no second trip possible)' })
  async start(@Actor() actor: Principal, @Body() body: RunRequestDto, @IdempotencyKey() requestId: string | undefined, @Res({ passthrough: true }) response: Response): Promise<RunStartedView> {
    const result = await this.starter.start({ ...body, requestId, subdistrict: actor.subdistrict });
    if (result.status === 'existing') response.status(200);
    return runStartedView(result);
  }

  @Get()
  @ScopedInHandler()
  @ApiOperation({ summary: 'Runs, newest first: the district command’s see every run, a subdistrict’s its own' })
  @ApiPageResponse(RunSummaryView)
  list(@Actor() actor: Principal, @Query() query: RunListQuery) {
    return this.runs.list({ ...query, subdistrict: actor.subdistrict });
  }

  @Get('manifest-template')
  @NoJurisdiction()
  @ApiOperation({ summary: 'An empty manifest to fill in (.csv or .xlsx): the columns POST /transfer-runs/manifest reads' })
  @ApiTableFileResponse('the header row only; Chinese headers unless `headers=en` (either is read)')
  async manifestTemplate(@Query() query: ManifestTemplateQuery, @Res() response: Response) {
    const language = query.headers ?? 'zh';
    const columns = MANIFEST_COLUMNS.map((column) => ({ key: column.path, header: column[language] }));
    await sendTable(response, 'transfer-manifest', query.format ?? 'xlsx', columns, [], { sheetName: language === 'zh' ? '转运名单' : 'manifest' });
  }

  @Post('manifest')
  @NoJurisdiction()
  @HttpCode(200)
  @FileUpload(MAX_MANIFEST_BYTES, 'manifest')
  @ApiBody({ type: ManifestUploadDto })
  @ApiOperation({ summary: 'Read a manifest file (.csv or .xlsx, at most 5 MiB and 5,000 rows) into the rows POST /transfer-runs takes; nothing is recorded' })
  @ApiOkResponse({ type: ManifestFileView })
  @ApiUnprocessableEntityResponse({ description: 'the file is not a readable .csv or .xlsx, or misses a required column (`errors` names `file`)' })
  @ApiPayloadTooLargeResponse({ description: 'the file, or the workbook unpacked, is larger than its limit; `errors` names it' })
  async readManifestFile(@UploadedFile() file: Express.Multer.File | undefined): Promise<ManifestFileView> {
    if (!file) throw invalid('file', 'is required: a .csv or .xlsx manifest as multipart field "file"');
    return manifestRowsOf(await readUpload(readSheet(file.buffer, file.originalname, MANIFEST_LAYOUT)), this.config.timeZone);
  }

  @Get(':runId')
  @ApiOperation({ summary: 'The run: plan, live counts, each trip and its leg, exceptions, and every person by name' })
  @ApiOkResponse({ type: RunDetailView })
  @AuditedRead()
  detail(@Param('runId') runId: string): Promise<RunDetailView> {
    return this.runs.detail(runId);
  }

  @Get(':runId/hand-over-sheet')
  @ApiOperation({ summary: 'The hand-over sheet (交接单): one row per person, as json, csv or xlsx' })
  @ApiExtraModels(HandOverSheetRowView)
  @ApiProduces('application/json', TABLE_CONTENT_TYPE.csv, TABLE_CONTENT_TYPE.xlsx)
  @ApiOkResponse({
    description: 'every person of the run in manifest order; csv and xlsx as a file to download, times in the jurisdiction’s zone',
    content: {
      'application/json': { schema: { type: 'array', items: { $ref: getSchemaPath(HandOverSheetRowView) } } },
      [TABLE_CONTENT_TYPE.csv]: { schema: { type: 'string' } },
      [TABLE_CONTENT_TYPE.xlsx]: { schema: { type: 'string', format: 'binary' } },
    },
  })
  @AuditedRead()
  async sheet(@Param('runId') runId: string, @Query() query: SheetQuery, @Res() response: Response) {
    const rows = await this.runs.handOverSheet(runId);
    if (!query.format || query.format === 'json') return void response.json(rows);
    await sendTable(response, `hand-over-${runId}`, query.format, SHEET_COLUMNS, rows as unknown as Record<string, unknown>[], { sheetName: '交接单', timeZone: this.config.timeZone });
  }

  @Post(':runId/plan')
  @HttpCode(200)
  @ApiOperation({ summary: 'Before dispatch: move people between trips, pin trips, re-plan the rest' })
  @IdempotencyHeader()
  @ApiOkResponse({ type: RunStateView, description: 'the run with the plan adjusted' })
  adjust(@Param('runId') runId: string, @Body() body: PlanAdjustmentDto, @IdempotencyKey() key?: string): Promise<RunStateView> {
    return this.run(runId, adjustPlanUpdate, commandOf(body), key);
  }

  @Post(':runId/dispatch')
  @HttpCode(200)
  @ApiOperation({ summary: 'Dispatch the planned run: each trip’s driver and escorts are called before its boarding' })
  @IdempotencyHeader()
  @ApiOkResponse({ type: RunStateView, description: 'the run, running' })
  dispatch(@Param('runId') runId: string, @Body() body: ByDto, @IdempotencyKey() key?: string): Promise<RunStateView> {
    return this.run(runId, dispatchRunUpdate, { by: body.by }, key);
  }

  @Post(':runId/exceptions/:exceptionId/decision')
  @HttpCode(200)
  @ApiOperation({ summary: 'Decide an exception: replan, close (terminal disposition), key_person_transfer, acknowledge, resolve' })
  @IdempotencyHeader()
  @ApiOkResponse({ type: RunStateView, description: 'the run with the decision taken' })
  decide(@Actor() actor: Principal, @Param('runId') runId: string, @Param('exceptionId') exceptionId: string, @Body() body: ExceptionDecisionDto, @IdempotencyKey() key?: string): Promise<RunStateView> {
    if (body.decision === 'close' && actor.role !== 'supervisor') throw forbidden('closing a person’s transfer with a terminal disposition needs a supervisor');
    const meetingAt = body.meeting ? Date.parse(body.meeting.at) : undefined;
    if (meetingAt !== undefined && !Number.isFinite(meetingAt)) throw invalid('meeting.at', 'must be an ISO date-time');
    const id = exceptionId.includes('/') ? exceptionId : `${runId}/${exceptionId}`;
    return this.run(runId, decideExceptionUpdate, { ...commandOf(body), exceptionId: id, meeting: body.meeting ? { point: body.meeting.point, at: meetingAt! } : undefined }, key);
  }

  @Get(':runId/trips/:tripId')
  @CrewRoute()
  @ApiOperation({ summary: 'A dispatched trip: its leg and riders, its order in the dispatch system and the vehicle’s latest position' })
  @ApiOkResponse({ type: TrackedTripView })
  trip(@Param('runId') runId: string, @Param('tripId') tripId: string): Promise<TrackedTripView> {
    return this.runs.tripState(runId, tripId);
  }

  @Post(':runId/trips/:tripId/boarded')
  @CrewRoute()
  @HttpCode(200)
  @ApiOperation({ summary: 'A person boards: only someone on this trip list, not yet reported' })
  @IdempotencyHeader()
  @ApiOkResponse({ type: TripStateView })
  board(@Param('runId') runId: string, @Param('tripId') tripId: string, @Body() body: RiderDto, @IdempotencyKey() key?: string): Promise<TripStateView> {
    return this.onTrip(runId, tripId, boardUpdate, commandOf(body), key);
  }

  @Post(':runId/trips/:tripId/picked-up')
  @CrewRoute()
  @HttpCode(200)
  @ApiOperation({ summary: 'A pick-up trip: the escort confirms the person at their door by name (the boarding of a trip that fetches people from home)' })
  @IdempotencyHeader()
  @ApiOkResponse({ type: TripStateView })
  async pickUp(@Param('runId') runId: string, @Param('tripId') tripId: string, @Body() body: PickUpDto, @IdempotencyKey() key?: string): Promise<TripStateView> {
    return tripStateView(await this.runs.pickUp(runId, tripId, commandOf(body), updateIdOf(pickUpUpdate, key)));
  }

  @Post(':runId/trips/:tripId/no-show')
  @CrewRoute()
  @HttpCode(200)
  @ApiOperation({ summary: 'A person on the list did not come: an exception for the dispatcher' })
  @IdempotencyHeader()
  @ApiOkResponse({ type: TripStateView })
  noShow(@Param('runId') runId: string, @Param('tripId') tripId: string, @Body() body: RiderDto, @IdempotencyKey() key?: string): Promise<TripStateView> {
    return this.onTrip(runId, tripId, noShowUpdate, commandOf(body), key);
  }

  @Post(':runId/trips/:tripId/refusal')
  @CrewRoute()
  @HttpCode(200)
  @ApiOperation({ summary: 'A person (and family) refuse: escalates to the supervisor for a key-person transfer' })
  @IdempotencyHeader()
  @ApiOkResponse({ type: TripStateView })
  refuse(@Param('runId') runId: string, @Param('tripId') tripId: string, @Body() body: RefusalDto, @IdempotencyKey() key?: string): Promise<TripStateView> {
    return this.onTrip(runId, tripId, refuseUpdate, commandOf(body), key);
  }

  @Post(':runId/trips/:tripId/departed')
  @CrewRoute()
  @HttpCode(200)
  @ApiOperation({ summary: 'The vehicle leaves the sorting point (or the meeting point): everyone on the list boarded or reported' })
  @IdempotencyHeader()
  @ApiOkResponse({ type: TripStateView })
  depart(@Param('runId') runId: string, @Param('tripId') tripId: string, @Body() body: ByDto, @IdempotencyKey() key?: string): Promise<TripStateView> {
    return this.onTrip(runId, tripId, departUpdate, commandOf(body), key);
  }

  @Post(':runId/trips/:tripId/arrived')
  @CrewRoute()
  @HttpCode(200)
  @ApiOperation({ summary: 'The vehicle is at its destination: hand-overs may begin' })
  @IdempotencyHeader()
  @ApiOkResponse({ type: TripStateView })
  arrive(@Param('runId') runId: string, @Param('tripId') tripId: string, @Body() body: ByDto, @IdempotencyKey() key?: string): Promise<TripStateView> {
    return this.onTrip(runId, tripId, arriveUpdate, commandOf(body), key);
  }

  @Post(':runId/trips/:tripId/handed-over')
  @Roles(...TRANSFER_ROLES, ...RECEIVING_ROLES)
  @Scoped('trip', 'param', 'runId')
  @HttpCode(200)
  @ApiOperation({
    summary: 'The receiver takes a person over by name; starts their home observation or quarantine record once',
    description:
      'A receiver of the trip’s destination, or a community worker of its community, confirms with their own login: the account is recorded as the receiver (the body’s `receiver` is not used). A dispatcher or supervisor recording it for someone names the receiver in `receiver`.',
  })
  @IdempotencyHeader()
  @ApiOkResponse({ type: TripStateView })
  async handOver(
    @Actor() actor: Principal,
    @Param('runId') runId: string,
    @Param('tripId') tripId: string,
    @Body() body: HandOverDto,
    @IdempotencyKey() key?: string,
    @LoadedRecord() place?: TripDestination,
  ): Promise<TripStateView> {
    const { receiver: named, ...command } = commandOf(body);
    return tripStateView(await this.runs.handOver(runId, tripId, { ...command, receiver: receiverOf(actor, named, place) }, updateIdOf(handOverUpdate, key)));
  }

  @Post(':runId/trips/:tripId/breakdown')
  @CrewRoute()
  @HttpCode(200)
  @ApiOperation({ summary: 'The vehicle broke down: the people not handed over are re-planned onto another trip' })
  @IdempotencyHeader()
  @ApiOkResponse({ type: TripStateView })
  breakdown(@Param('runId') runId: string, @Param('tripId') tripId: string, @Body() body: ByDto, @IdempotencyKey() key?: string): Promise<TripStateView> {
    return this.onTrip(runId, tripId, breakdownUpdate, commandOf(body), key);
  }

  @Post(':runId/trips/:tripId/hotel-full')
  @HttpCode(200)
  @ApiOperation({ summary: 'The hotel has no room: an exception for the dispatcher to re-route the trip' })
  @IdempotencyHeader()
  @ApiOkResponse({ type: TripStateView })
  hotelFull(@Param('runId') runId: string, @Param('tripId') tripId: string, @Body() body: ByDto, @IdempotencyKey() key?: string): Promise<TripStateView> {
    return this.onTrip(runId, tripId, hotelFullUpdate, commandOf(body), key);
  }

  @Post(':runId/trips/:tripId/reroute')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send the trip to another destination of the same kind (home or hotel)' })
  @IdempotencyHeader()
  @ApiOkResponse({ type: TripStateView })
  reroute(@Param('runId') runId: string, @Param('tripId') tripId: string, @Body() body: RerouteDto, @IdempotencyKey() key?: string): Promise<TripStateView> {
    return this.onTrip(runId, tripId, rerouteUpdate, commandOf(body), key);
  }

  /** A dispatcher's or supervisor's command to the run, as the API answers it. */
  private async run<Arg>(runId: string, update: UpdateDefinition<RunView, [Arg]>, command: Arg, key: string | undefined): Promise<RunStateView> {
    return runStateView(await this.runs.runCommand(runId, update, command, updateIdOf(update, key)));
  }

  /** An escort's or receiver's command to a trip, as the API answers it. */
  private async onTrip<Arg>(runId: string, tripId: string, update: UpdateDefinition<TripView, [Arg]>, command: Arg, key: string | undefined): Promise<TripStateView> {
    return tripStateView(await this.runs.tripCommand(runId, tripId, update, command, { updateId: updateIdOf(update, key) }));
  }
}
