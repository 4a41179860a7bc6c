import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Actor } from '../../../libs/auth/actor.decorator';
import { DistrictLevel, Roles, Scoped, ScopedInHandler } from '../../../libs/auth/roles.decorator';
import type { Principal } from '../../../libs/auth/roles';
import { postSubdistrict } from '../../../libs/auth/jurisdiction.resolver';
import { randomUUID } from 'node:crypto';
import { IdempotencyKey } from '../../../libs/nest/idempotency';
import { ApiPageResponse } from '../../../libs/nest/paging';
import {
  acknowledgeHandoverUpdate,
  endShiftUpdate,
  submitHandoverUpdate,
} from '../../../workflows/roster/shift.messages';
import {
  AcknowledgeDto,
  CheckInDto,
  DecisionDto,
  EndShiftDto,
  HandoverDto,
  IncidentDto,
  ModeSwitchDto,
  PlanDto,
  PostDto,
  PublishDto,
  ScheduleDto,
  ShiftListQuery,
  DailyReportRangeQuery,
  ShiftRequestDto,
  ShiftRequestListQuery,
  StaffDto,
} from './roster.dto';
import { RosterModeService } from './roster-mode.service';
import { RosterPlanningService } from '../../../libs/roster/roster-planning.service';
import {
  DailyReportResponse,
  DailyReportStatusResponse,
  ModeResponse,
  ModeSwitchResponse,
  ModeSwitchPreviewResponse,
  OnDutyResponse,
  PlanResponse,
  planResponse,
  PostResponse,
  PublishResponse,
  ScheduleResponse,
  ShiftCountsResponse,
  ShiftDetailResponse,
  ShiftRequestListedResponse,
  ShiftRequestResponse,
  ShiftResponse,
  ShiftStateResponse,
  StaffResponse,
} from './roster.responses';
import { RosterService } from './roster.service';
import { ShiftRequestService } from './shift-request.service';
import { DailyReportService } from './daily-report.service';

@ApiTags('rosters')
@ApiExtraModels(ShiftCountsResponse)
@Controller()
export class RosterController {
  constructor(
    private readonly roster: RosterService,
    private readonly planning: RosterPlanningService,
    private readonly modes: RosterModeService,
    private readonly requests: ShiftRequestService,
    private readonly reports: DailyReportService,
  ) {}

  @Post('roster/posts')
  @Roles('supervisor')
  @Scoped('post-upsert', 'body', 'id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create or update a post: kind, jurisdiction, seats per mode, shift pattern, supervisor, on-call list' })
  @ApiOkResponse({ type: PostResponse, description: 'the post as stored' })
  upsertPost(@Actor() actor: Principal, @Body() body: PostDto) {
    return this.roster.upsertPost(body, postSubdistrict(actor, { ...body }));
  }

  @Get('roster/posts/:id')
  @Roles('supervisor', 'duty_staff')
  @Scoped('post', 'param', 'id')
  @ApiOkResponse({ type: PostResponse })
  post(@Param('id') id: string) {
    return this.roster.post(id);
  }

  @Get('roster/posts/:id/on-duty')
  @Roles('supervisor', 'duty_staff')
  @Scoped('post', 'param', 'id')
  @ApiOperation({ summary: 'Who is on post now, and the seats with nobody on them' })
  @ApiOkResponse({ type: OnDutyResponse })
  onDuty(@Param('id') id: string) {
    return this.roster.onDuty(id);
  }

  @Post('roster/staff')
  @Roles('supervisor')
  @DistrictLevel()
  @HttpCode(200)
  @ApiOperation({ summary: 'Create or update a staff member: role, skills, contact, unavailability, preferences, contract limits' })
  @ApiOkResponse({ type: StaffResponse, description: 'the staff member as stored' })
  upsertStaff(@Body() body: StaffDto) {
    return this.roster.upsertStaff(body);
  }

  @Post('rosters')
  @Roles('supervisor')
  @Scoped('posts', 'body', 'postIds')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Ask for a roster for dates and posts: 202 with the plan id (state solving); the worker solves it and GET /rosters/:id shows the draft, every seat filled or reported unfilled with the reason',
  })
  @ApiAcceptedResponse({ type: PlanResponse, description: 'the plan, solving (asked again with the same request id: the plan it made, as it is now)' })
  async plan(@Body() body: PlanDto, @IdempotencyKey() requestId: string | undefined, @Res({ passthrough: true }) response: Response) {
    const plan = await this.planning.createPlan({ ...body, requestId });
    response.location(`/rosters/${plan.id}`);
    return planResponse(plan);
  }

  @Get('rosters/:id')
  @Roles('supervisor')
  @Scoped('plan', 'param', 'id')
  @ApiOperation({ summary: 'A plan and its state: solving, draft, published, or failed with the reason' })
  @ApiOkResponse({ type: PlanResponse })
  async getPlan(@Param('id') id: string) {
    return planResponse(await this.planning.plan(id));
  }

  @Post('rosters/:id/publish')
  @Roles('supervisor')
  @Scoped('plan', 'param', 'id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Publish a draft: shifts written, changed people told via their workflows, shifts of the next 48 h started' })
  @ApiOkResponse({ type: PublishResponse })
  publish(@Param('id') id: string, @Body() body: PublishDto) {
    return this.planning.publish(id, body.by);
  }

  @Get('shifts')
  @Roles('supervisor', 'duty_staff')
  @ScopedInHandler()
  @ApiOperation({ summary: "Shifts in time order, within the reader's jurisdiction, a page at a time" })
  @ApiPageResponse(ShiftResponse)
  shifts(@Actor() actor: Principal, @Query() query: ShiftListQuery) {
    return this.roster.list(query, actor);
  }

  @Get('shifts/:id')
  @Roles('supervisor', 'duty_staff')
  @Scoped('shift', 'param', 'id')
  @ApiOperation({ summary: 'A shift: its row, live workflow state (what is pending) and event log' })
  @ApiOkResponse({ type: ShiftDetailResponse })
  shift(@Param('id') id: string) {
    return this.roster.shift(id);
  }

  @Post('shifts/:id/check-in')
  @Roles('supervisor', 'duty_staff')
  @Scoped('shift', 'param', 'id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check in: the assignee, or someone covering a no-show who must be a known staff member allowed on the seat (skill, no overlapping shift, rest), else 422 naming the rule' })
  @ApiOkResponse({ type: ShiftStateResponse, description: 'the shift as its workflow holds it now' })
  checkIn(@Param('id') id: string, @Body() body: CheckInDto) {
    return this.roster.checkIn(id, body);
  }

  @Post('shifts/:id/handover')
  @Roles('supervisor', 'duty_staff')
  @Scoped('shift', 'param', 'id')
  @HttpCode(200)
  @ApiOperation({ summary: 'The outgoing person hands over with a note' })
  @ApiOkResponse({ type: ShiftStateResponse, description: 'the shift as its workflow holds it now' })
  handover(@Param('id') id: string, @Body() body: HandoverDto) {
    return this.roster.command(id, submitHandoverUpdate, body);
  }

  @Post('shifts/:id/handover/acknowledge')
  @Roles('supervisor', 'duty_staff')
  @Scoped('shift', 'param', 'id')
  @HttpCode(200)
  @ApiOperation({ summary: 'The incoming shift takes over; the outgoing shift ends then' })
  @ApiOkResponse({ type: ShiftStateResponse, description: 'the shift as its workflow holds it now' })
  acknowledge(@Param('id') id: string, @Body() body: AcknowledgeDto) {
    return this.roster.command(id, acknowledgeHandoverUpdate, body);
  }

  @Post('shifts/:id/incidents')
  @Roles('supervisor', 'duty_staff')
  @Scoped('shift', 'param', 'id')
  @HttpCode(200)
  @ApiOperation({ summary: "Log an incident on a shift under way; its id is the request id (asked again with it: logged once, the shift as it is now)" })
  @ApiOkResponse({ type: ShiftStateResponse, description: 'the shift as its workflow holds it now' })
  incident(@Param('id') id: string, @Body() body: IncidentDto, @IdempotencyKey() requestId: string | undefined) {
    return this.roster.logIncident(id, { by: body.by, kind: body.kind, description: body.description, incidentId: requestId ?? randomUUID() });
  }

  @Post('shifts/:id/end')
  @Roles('supervisor')
  @Scoped('shift', 'param', 'id')
  @HttpCode(200)
  @ApiOperation({ summary: 'A supervisor ends a shift: cancelled if not worked, else completed' })
  @ApiOkResponse({ type: ShiftStateResponse, description: 'the shift as its workflow holds it now' })
  end(@Param('id') id: string, @Body() body: EndShiftDto) {
    return this.roster.command(id, endShiftUpdate, body);
  }

  @Get('jurisdictions/:jurisdiction/mode')
  @Roles('supervisor', 'duty_staff', 'community_worker', 'dispatcher')
  @Scoped('mode-jurisdiction', 'param', 'jurisdiction')
  @ApiOperation({ summary: "A community's peace/war mode, its posts and its latest switches" })
  @ApiOkResponse({ type: ModeResponse })
  mode(@Param('jurisdiction') jurisdiction: string) {
    return this.modes.current(jurisdiction);
  }

  @Post('jurisdictions/:jurisdiction/mode/preview')
  @Roles('supervisor')
  @Scoped('mode-jurisdiction', 'param', 'jurisdiction')
  @HttpCode(200)
  @ApiOperation({ summary: 'What a peace/war switch would do now, changing nothing: shifts added, cancelled, reassigned, left unfilled, the people affected and the notices; confirm with its previewId' })
  @ApiOkResponse({ type: ModeSwitchPreviewResponse })
  previewMode(@Param('jurisdiction') jurisdiction: string, @Body() body: ModeSwitchDto) {
    return this.modes.previewSwitch(jurisdiction, body);
  }

  @Post('jurisdictions/:jurisdiction/mode')
  @Roles('supervisor')
  @Scoped('mode-jurisdiction', 'param', 'jurisdiction')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Switch peace-time/war-time at once: headcounts change, the window is re-planned with minimal change, people told, audited. With a previewId: exactly what that preview showed, or 409 with the new preview',
  })
  @ApiOkResponse({ type: ModeSwitchResponse })
  switchMode(@Param('jurisdiction') jurisdiction: string, @Body() body: ModeSwitchDto) {
    return this.modes.switchMode(jurisdiction, body);
  }

  @Post('shift-requests')
  @Roles('supervisor', 'duty_staff')
  @Scoped('shift-request-body', 'body', 'shiftId')
  @ApiOperation({ summary: 'A swap or open-shift request, checked against the hard rules (422 naming the rule)' })
  @ApiCreatedResponse({ type: ShiftRequestResponse, description: 'the request, pending (asked again with the same request id: the request it made, as it is now)' })
  request(@Body() body: ShiftRequestDto, @IdempotencyKey() requestId: string | undefined) {
    return this.requests.create({ ...body, requestId });
  }

  @Get('shift-requests')
  @Roles('supervisor', 'duty_staff')
  @ScopedInHandler()
  @ApiOperation({
    summary: "Swap and open-shift requests in a state (pending unless asked), oldest first: a supervisor's within their jurisdiction (what they decide), duty staff's those naming them (either side of a swap)",
  })
  @ApiPageResponse(ShiftRequestListedResponse)
  shiftRequests(@Actor() actor: Principal, @Query() query: ShiftRequestListQuery) {
    return this.requests.list(query, actor);
  }

  @Get('shift-requests/:id')
  @Roles('supervisor', 'duty_staff')
  @Scoped('shift-request', 'param', 'id')
  @ApiOkResponse({ type: ShiftRequestResponse })
  getRequest(@Param('id') id: string) {
    return this.requests.get(id);
  }

  @Post('shift-requests/:id/approve')
  @Roles('supervisor')
  @Scoped('shift-request', 'param', 'id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve a pending request: checked against the hard rules again (409 naming what changed), then applied to the shifts and their workflows' })
  @ApiOkResponse({ type: ShiftRequestResponse })
  approve(@Param('id') id: string, @Body() body: DecisionDto) {
    return this.requests.approve(id, body.by, body.note);
  }

  @Post('shift-requests/:id/reject')
  @Roles('supervisor')
  @Scoped('shift-request', 'param', 'id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reject a pending request' })
  @ApiOkResponse({ type: ShiftRequestResponse })
  reject(@Param('id') id: string, @Body() body: DecisionDto) {
    return this.requests.reject(id, body.by, body.note);
  }

  @Post('schedules/roster')
  @Roles('supervisor')
  @DistrictLevel()
  @HttpCode(200)
  @ApiOperation({ summary: 'Create or update the daily roll-forward schedule (start coming shifts, flag gaps, write the daily report)' })
  @ApiOkResponse({ type: ScheduleResponse })
  schedule(@Body() body: ScheduleDto) {
    return this.roster.ensureSchedule(body);
  }

  @Get('reports/daily')
  @Roles('supervisor')
  @DistrictLevel()
  @ApiOperation({ summary: 'Where each day’s report is on its way up: pending, missing, sent, received, late (default: the last 7 days)' })
  @ApiOkResponse({ type: [DailyReportStatusResponse] })
  dailyReports(@Query() query: DailyReportRangeQuery) {
    return this.reports.statuses(query);
  }

  @Get('reports/daily/:date')
  @Roles('supervisor')
  @DistrictLevel()
  @ApiOperation({ summary: 'The daily report (日报) of a local date' })
  @ApiOkResponse({ type: DailyReportResponse })
  dailyReport(@Param('date') date: string) {
    return this.reports.get(date);
  }

  @Post('reports/daily/:date/received')
  @HttpCode(200)
  @Roles('supervisor')
  @DistrictLevel()
  @ApiOperation({ summary: 'A district account confirms the day’s report has arrived (the first confirmation counts)' })
  @ApiOkResponse({ type: DailyReportStatusResponse })
  dailyReportReceived(@Param('date') date: string, @Actor() actor: Principal) {
    return this.reports.received(date, actor.username);
  }
}
