import { Body, Controller, Get, Header, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { AppConfig } from '../../../libs/config/config';
import { APP_CONFIG } from '../../../libs/config/config.module';
import { ApiAcceptedResponse, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Actor } from '../../../libs/auth/actor.decorator';
import { ObservationRecord } from '../../../libs/persistence/observation/observation.repository';
import { LoadedRecord } from '../../../libs/auth/loaded-record.decorator';
import { AuditedRead } from '../../../libs/audit/audit.interceptor';
import { narrowFilter } from '../../../libs/auth/jurisdiction';
import { forbidden } from '../../../libs/domain/errors';
import { DistrictLevel, Roles, Scoped, ScopedInHandler, SharedData } from '../../../libs/auth/roles.decorator';
import { ESCALATION_ROLES, Principal } from '../../../libs/auth/roles';
import { ApiIdempotencyKey, IdempotencyKey } from '../../../libs/nest/idempotency';
import { ApiPageResponse, pageModels, pageSchema } from '../../../libs/nest/paging';
import { ApiTableFileResponse, sendTable } from '../../../libs/nest/table-file';
import {
  acknowledgeEscalationUpdate,
  changePolicyUpdate,
  decideHealthEscalationUpdate,
  endEarlyUpdate,
  extendUpdate,
  liftGuardUpdate,
  resolveEscalationUpdate,
  takeMeasureUpdate,
} from '../../../workflows/observation/observation.messages';
import {
  DeviceEventDto,
  EarlyEndDto,
  EscalationActionDto,
  ExtensionDto,
  filterOf,
  HealthDecisionDto,
  LiftGuardDto,
  MeasureDto,
  NewPolicyDto,
  ObservationExportQuery,
  ObservationListQuery,
  PolicyListQuery,
  PolicyMoveDto,
  PolicyRolloutDto,
  PolicyRolloutPreviewDto,
  ReportDto,
  TrackingLogQuery,
  PlaceQuery,
  placeOf,
} from './observation.dto';
import { ObservationPolicyService } from '../../../libs/observation/observation-policy.service';
import { ObservationService } from './observation.service';
import {
  DeviceEventAcceptedDto,
  ObservationDetailDto,
  ObservationDto,
  ObservationPolicyDto,
  ObservationStateDto,
  ReportAcceptedDto,
  RolloutProgressDto,
  RolloutPreviewDto,
  RolloutStartedDto,
  TrackingLineDto,
  WorklistDto,
} from './observation.responses';

const INSTANTS = new Set(['startedAt', 'releaseDueAt', 'nextDueAt', 'lastReportAt', 'endedAt', 'at', 'slotStart']);
const columnsOf = (keys: string[]) => keys.map((key) => ({ key, header: key, instant: INSTANTS.has(key) }));
const OBSERVATION_COLUMNS = columnsOf(['number', 'category', 'status', 'subdistrict', 'community', 'responsibleWorker', 'anchorDate', 'policyId', 'startedAt', 'releaseDueAt', 'nextDueAt', 'lastReportAt', 'endedAt', 'endReason']);
const TRACKING_COLUMNS = columnsOf(['at', 'day', 'kind', 'slotStart', 'temperature', 'detail']);
/** What a command on an observation answers. */
const ApiStateResponse = () => ApiOkResponse({ type: ObservationStateDto, description: 'the observation’s live state after the command' });

@ApiTags('observations')
@Controller()
export class ObservationsController {
  constructor(
    private readonly observations: ObservationService,
    private readonly policies: ObservationPolicyService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('observations')
  @Roles('supervisor', 'community_worker')
  @ScopedInHandler()
  @ApiOperation({ summary: 'List observations, filtered and paged, newest first (from PostgreSQL)' })
  @ApiPageResponse(ObservationDto)
  list(@Actor() actor: Principal, @Query() query: ObservationListQuery) {
    return this.observations.list(narrowFilter(actor, filterOf(query)), query);
  }

  @Get('worklist')
  @Roles('supervisor', 'community_worker')
  @ScopedInHandler()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Today’s follow-ups in your jurisdiction (or the community asked): who is due in the open slot and not yet reported, missed reports, other open escalations' })
  @ApiOkResponse({ type: WorklistDto })
  worklist(@Actor() actor: Principal, @Query() query: PlaceQuery) {
    return this.observations.worklist(narrowFilter(actor, placeOf(query)), actor);
  }

  @Get('observations/export')
  @Roles('supervisor', 'community_worker')
  @ScopedInHandler()
  @ApiOperation({ summary: 'Export the filtered list as csv or xlsx (times in the jurisdiction’s local time)' })
  @ApiTableFileResponse('every observation the filters select, in number order')
  @AuditedRead()
  async export(@Actor() actor: Principal, @Query() query: ObservationExportQuery, @Res() response: Response) {
    const rows = await this.observations.listAll(narrowFilter(actor, filterOf(query)));
    await sendTable(response, 'observations', query.format ?? 'csv', OBSERVATION_COLUMNS, rows, { timeZone: this.config.timeZone });
  }

  @Get('observations/:number')
  @Roles('supervisor', 'community_worker')
  @Scoped('observation', 'param', 'number')
  @ApiOperation({ summary: 'The record, the person, the live workflow state, escalations and the tracking log' })
  @ApiOkResponse({ type: ObservationDetailDto })
  @AuditedRead()
  detail(@Param('number') number: string) {
    return this.observations.detail(number);
  }

  @Get('observations/:number/tracking-log')
  @Roles('supervisor', 'community_worker')
  @Scoped('observation', 'param', 'number')
  @ApiOperation({ summary: 'The day-by-day tracking log: a page of it as json, or all of it as csv or xlsx (local times)' })
  @ApiTableFileResponse('json: a page of the log, oldest first; csv, xlsx: the whole log', { schema: pageSchema(TrackingLineDto), models: pageModels(TrackingLineDto) })
  @AuditedRead()
  async trackingLog(@Param('number') number: string, @Query() query: TrackingLogQuery, @Res() response: Response) {
    if (!query.format || query.format === 'json') return void response.json(await this.observations.trackingLogPage(number, query));
    const rows = await this.observations.trackingLog(number);
    await sendTable(response, `tracking-log-${number}`, query.format, TRACKING_COLUMNS, rows.map((r) => ({ ...r, detail: JSON.stringify(r.detail) })), { timeZone: this.config.timeZone });
  }

  @Post('observations/:number/reports')
  @Roles('supervisor', 'community_worker')
  @Scoped('observation', 'param', 'number')
  @ApiOperation({ summary: 'A temperature report for the open check-in slot' })
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: ReportAcceptedDto, description: 'taken: signalled to the workflow and in the tracking log (a repeat of a request id answers alike and counts once)' })
  report(@Param('number') number: string, @Body() body: ReportDto, @IdempotencyKey() requestId: string | undefined, @LoadedRecord() row?: ObservationRecord) {
    return this.observations.report(number, body, requestId, Date.now(), row);
  }

  @Post('device-events')
  @Roles('supervisor', 'community_worker')
  @ScopedInHandler()
  @HttpCode(202)
  @ApiOperation({ summary: 'An event from a door sensor, camera or smart thermometer, routed by device id' })
  @ApiAcceptedResponse({ type: DeviceEventAcceptedDto, description: 'signalled to the observation of whoever carries the device' })
  deviceEvent(@Actor() actor: Principal, @Body() body: DeviceEventDto) {
    return this.observations.deviceEvent(body, actor);
  }

  @Post('observations/:number/escalations/:id/acknowledge')
  @Roles(...ESCALATION_ROLES)
  @Scoped('observation', 'param', 'number')
  @HttpCode(200)
  @ApiOperation({ summary: 'The escalation’s owner has seen it and is acting' })
  @ApiStateResponse()
  acknowledge(@Param('number') number: string, @Param('id') id: string, @Body() body: EscalationActionDto, @LoadedRecord() row?: ObservationRecord) {
    return this.observations.escalationCommand(number, acknowledgeEscalationUpdate, { escalationId: escalationId(number, id), ...body }, row);
  }

  @Post('observations/:number/escalations/:id/resolve')
  @Roles(...ESCALATION_ROLES)
  @Scoped('observation', 'param', 'number')
  @HttpCode(200)
  @ApiOperation({ summary: 'Close an escalation (a fever or symptom one is closed by a supervisor’s decision instead)' })
  @ApiStateResponse()
  resolve(@Param('number') number: string, @Param('id') id: string, @Body() body: EscalationActionDto, @LoadedRecord() row?: ObservationRecord) {
    return this.observations.escalationCommand(number, resolveEscalationUpdate, { escalationId: escalationId(number, id), ...body }, row);
  }

  @Post('observations/:number/escalations/:id/decision')
  @Roles('supervisor')
  @Scoped('observation', 'param', 'number')
  @HttpCode(200)
  @ApiOperation({ summary: 'A supervisor decides a fever or symptom escalation: continue, hospital or centralized quarantine' })
  @ApiStateResponse()
  decide(@Param('number') number: string, @Param('id') id: string, @Body() body: HealthDecisionDto, @LoadedRecord() row?: ObservationRecord) {
    return this.observations.escalationCommand(number, decideHealthEscalationUpdate, { escalationId: escalationId(number, id), ...body }, row);
  }

  @Post('observations/:number/measures')
  @Roles('supervisor', 'community_worker')
  @Scoped('observation', 'param', 'number')
  @HttpCode(200)
  @ApiOperation({ summary: 'The next step of the non-cooperation ladder: warning talk, guard posted, centralized quarantine (a supervisor’s: it ends the observation)' })
  @ApiStateResponse()
  measure(@Actor() actor: Principal, @Param('number') number: string, @Body() body: MeasureDto, @LoadedRecord() row?: ObservationRecord) {
    // The last step ends the observation: it needs the role that may end one (as early-end does).
    if (body.measure === 'centralized_quarantine' && actor.role !== 'supervisor') throw forbidden('centralized quarantine ends the observation and needs a supervisor, as early-end does');
    return this.observations.command(number, takeMeasureUpdate, body, row);
  }

  @Post('observations/:number/measures/guard/lift')
  @Roles('supervisor')
  @Scoped('observation', 'param', 'number')
  @HttpCode(200)
  @ApiOperation({ summary: 'Lift the posted guard: its post closes and its shifts not yet worked are cancelled (the observation goes on)' })
  @ApiStateResponse()
  liftGuard(@Param('number') number: string, @Body() body: LiftGuardDto, @LoadedRecord() row?: ObservationRecord) {
    return this.observations.command(number, liftGuardUpdate, body, row);
  }

  @Post('observations/:number/extension')
  @Roles('supervisor')
  @Scoped('observation', 'param', 'number')
  @HttpCode(200)
  @ApiOperation({ summary: 'A new exposure: the anchor date moves and with it the release' })
  @ApiStateResponse()
  extend(@Param('number') number: string, @Body() body: ExtensionDto, @LoadedRecord() row?: ObservationRecord) {
    return this.observations.command(number, extendUpdate, body, row);
  }

  @Post('observations/:number/early-end')
  @Roles('supervisor')
  @Scoped('observation', 'param', 'number')
  @HttpCode(200)
  @ApiOperation({ summary: 'End the observation before its release: moved away, hospital or centralized quarantine' })
  @ApiStateResponse()
  endEarly(@Param('number') number: string, @Body() body: EarlyEndDto, @LoadedRecord() row?: ObservationRecord) {
    return this.observations.command(number, endEarlyUpdate, body, row);
  }

  @Post('observations/:number/policy')
  @Roles('supervisor')
  @Scoped('observation', 'param', 'number')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move a running observation to another policy version of its category' })
  @ApiStateResponse()
  async movePolicy(@Param('number') number: string, @Body() body: PolicyMoveDto, @LoadedRecord() row?: ObservationRecord) {
    return this.observations.command(number, changePolicyUpdate, { policy: await this.policies.get(body.policyId), by: body.by }, row);
  }

  @Post('observation-policies/:id/rollouts')
  @Roles('supervisor')
  @DistrictLevel()
  @HttpCode(202)
  @ApiOperation({ summary: 'Move every running observation of the policy’s category (optionally of one subdistrict or community) onto it' })
  @ApiIdempotencyKey()
  @ApiAcceptedResponse({ type: RolloutStartedDto, description: 'the rollout runs as a workflow; follow it at GET /observation-policies/rollouts/:rolloutId' })
  startRollout(@Param('id') id: string, @Body() body: PolicyRolloutDto, @IdempotencyKey() requestId?: string) {
    const { by, subdistrict, community, previewId } = body;
    return this.observations.startPolicyRollout(id, { by, subdistrict, community, previewId }, requestId);
  }

  @Post('observation-policies/:id/rollouts/preview')
  @Roles('supervisor')
  @DistrictLevel()
  @HttpCode(200)
  @ApiOperation({ summary: 'What a rollout would do now, changing nothing: the running observations it moves, by community, and the notices (none); start it with the previewId to move exactly these' })
  @ApiOkResponse({ type: RolloutPreviewDto })
  previewRollout(@Param('id') id: string, @Body() body: PolicyRolloutPreviewDto) {
    return this.observations.previewPolicyRollout(id, body);
  }

  @Get('observation-policies/rollouts/:rolloutId')
  @Roles('supervisor')
  @DistrictLevel()
  @ApiOperation({ summary: 'A policy rollout: total, moved, skipped with reasons, done' })
  @ApiOkResponse({ type: RolloutProgressDto })
  rolloutProgress(@Param('rolloutId') rolloutId: string) {
    return this.observations.policyRolloutProgress(rolloutId);
  }

  @Get('observation-policies')
  @Roles('supervisor', 'community_worker')
  @SharedData()
  @ApiOperation({ summary: 'The policy versions, by category and version' })
  @ApiPageResponse(ObservationPolicyDto)
  listPolicies(@Query() query: PolicyListQuery) {
    return this.policies.list(query.category, query);
  }

  @Post('observation-policies')
  @Roles('supervisor')
  @DistrictLevel()
  @ApiBody({ type: NewPolicyDto })
  @ApiOperation({ summary: 'A new policy version for a category, applied to enrolments from its effective date' })
  @ApiCreatedResponse({ type: ObservationPolicyDto })
  createPolicy(@Body() body: Record<string, unknown>) {
    return this.observations.createPolicy(body as { category: unknown; effectiveFrom: unknown; rules: unknown });
  }
}

/** Escalation ids are `<number>/<seq>` (the clock's `<number>/missed:<slot>`); routes take the part after the number or the whole id. */
function escalationId(number: string, id: string): string {
  return id.includes('/') ? id : `${number}/${id}`;
}
