import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Actor } from '../../../libs/auth/actor.decorator';
import { DistrictLevel, Roles, Scoped, ScopedInHandler } from '../../../libs/auth/roles.decorator';
import type { Principal } from '../../../libs/auth/roles';
import { postSubdistrict } from '../../../libs/auth/jurisdiction.resolver';
import { randomUUID } from 'node:crypto';
import {
  acknowledgeHandoverUpdate,
  endShiftUpdate,
  logIncidentUpdate,
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
  ShiftRequestDto,
  StaffDto,
} from './roster.dto';
import { RosterModeService } from './roster-mode.service';
import { RosterPlanningService } from './roster-planning.service';
import { RosterService } from './roster.service';
import { ShiftRequestService } from './shift-request.service';

@ApiTags('rosters')
@Controller()
export class RosterController {
  constructor(
    private readonly roster: RosterService,
    private readonly planning: RosterPlanningService,
    private readonly modes: RosterModeService,
    private readonly requests: ShiftRequestService,
  ) {}

  @Post('roster/posts')
  @Roles('supervisor')
  @Scoped('post-upsert', 'body', 'id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create or update a post: kind, jurisdiction, seats per mode, shift pattern, supervisor, on-call list' })
  upsertPost(@Actor() actor: Principal, @Body() body: PostDto) {
    return this.roster.upsertPost(body, postSubdistrict(actor, { ...body }));
  }

  @Get('roster/posts/:id')
  @Roles('supervisor', 'duty_staff')
  @Scoped('post', 'param', 'id')
  post(@Param('id') id: string) {
    return this.roster.post(id);
  }

  @Get('roster/posts/:id/on-duty')
  @Roles('supervisor', 'duty_staff')
  @Scoped('post', 'param', 'id')
  @ApiOperation({ summary: 'Who is on post now, and the seats with nobody on them' })
  onDuty(@Param('id') id: string) {
    return this.roster.onDuty(id);
  }

  @Post('roster/staff')
  @Roles('supervisor')
  @DistrictLevel()
  @HttpCode(200)
  @ApiOperation({ summary: 'Create or update a staff member: role, skills, contact, unavailability, preferences, contract limits' })
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
  async plan(@Body() body: PlanDto, @Res({ passthrough: true }) response: Response) {
    const plan = await this.planning.createPlan(body);
    response.location(`/rosters/${plan.id}`);
    return plan;
  }

  @Get('rosters/:id')
  @Roles('supervisor')
  @Scoped('plan', 'param', 'id')
  @ApiOperation({ summary: 'A plan and its state: solving, draft, published, or failed with the reason' })
  getPlan(@Param('id') id: string) {
    return this.planning.plan(id);
  }

  @Post('rosters/:id/publish')
  @Roles('supervisor')
  @Scoped('plan', 'param', 'id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Publish a draft: shifts written, changed people told via their workflows, shifts of the next 48 h started' })
  publish(@Param('id') id: string, @Body() body: PublishDto) {
    return this.planning.publish(id, body.by);
  }

  @Get('shifts')
  @Roles('supervisor', 'duty_staff')
  @ScopedInHandler()
  shifts(@Actor() actor: Principal, @Query() query: ShiftListQuery) {
    return this.roster.shifts(query, actor);
  }

  @Get('shifts/:id')
  @Roles('supervisor', 'duty_staff')
  @Scoped('shift', 'param', 'id')
  @ApiOperation({ summary: 'A shift: its row, live workflow state (what is pending) and event log' })
  shift(@Param('id') id: string) {
    return this.roster.shift(id);
  }

  @Post('shifts/:id/check-in')
  @Roles('supervisor', 'duty_staff')
  @Scoped('shift', 'param', 'id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check in: the assignee, or someone covering a no-show who must be a known staff member allowed on the seat (skill, no overlapping shift, rest), else 422 naming the rule' })
  checkIn(@Param('id') id: string, @Body() body: CheckInDto) {
    return this.roster.checkIn(id, body);
  }

  @Post('shifts/:id/handover')
  @Roles('supervisor', 'duty_staff')
  @Scoped('shift', 'param', 'id')
  @HttpCode(200)
  @ApiOperation({ summary: 'The outgoing person hands over with a note' })
  handover(@Param('id') id: string, @Body() body: HandoverDto) {
    return this.roster.command(id, submitHandoverUpdate, body);
  }

  @Post('shifts/:id/handover/acknowledge')
  @Roles('supervisor', 'duty_staff')
  @Scoped('shift', 'param', 'id')
  @HttpCode(200)
  @ApiOperation({ summary: 'The incoming shift takes over; the outgoing shift ends then' })
  acknowledge(@Param('id') id: string, @Body() body: AcknowledgeDto) {
    return this.roster.command(id, acknowledgeHandoverUpdate, body);
  }

  @Post('shifts/:id/incidents')
  @Roles('supervisor', 'duty_staff')
  @Scoped('shift', 'param', 'id')
  @HttpCode(200)
  incident(@Param('id') id: string, @Body() body: IncidentDto) {
    return this.roster.command(id, logIncidentUpdate, { ...body, incidentId: body.incidentId ?? randomUUID() });
  }

  @Post('shifts/:id/end')
  @Roles('supervisor')
  @Scoped('shift', 'param', 'id')
  @HttpCode(200)
  @ApiOperation({ summary: 'A supervisor ends a shift: cancelled if not worked, else completed' })
  end(@Param('id') id: string, @Body() body: EndShiftDto) {
    return this.roster.command(id, endShiftUpdate, body);
  }

  @Get('jurisdictions/:jurisdiction/mode')
  @Roles('supervisor', 'duty_staff', 'community_worker', 'dispatcher')
  @Scoped('mode-jurisdiction', 'param', 'jurisdiction')
  mode(@Param('jurisdiction') jurisdiction: string) {
    return this.modes.current(jurisdiction);
  }

  @Post('jurisdictions/:jurisdiction/mode')
  @Roles('supervisor')
  @Scoped('mode-jurisdiction', 'param', 'jurisdiction')
  @HttpCode(200)
  @ApiOperation({ summary: 'Switch peace-time/war-time at once: headcounts change, the window is re-planned with minimal change, people told, audited' })
  switchMode(@Param('jurisdiction') jurisdiction: string, @Body() body: ModeSwitchDto) {
    return this.modes.switchMode(jurisdiction, body);
  }

  @Post('shift-requests')
  @Roles('supervisor', 'duty_staff')
  @Scoped('shift-request-body', 'body', 'shiftId')
  @ApiOperation({ summary: 'A swap or open-shift request, checked against the hard rules (422 naming the rule)' })
  request(@Body() body: ShiftRequestDto) {
    return this.requests.create(body);
  }

  @Get('shift-requests/:id')
  @Roles('supervisor', 'duty_staff')
  @Scoped('shift-request', 'param', 'id')
  getRequest(@Param('id') id: string) {
    return this.requests.get(id);
  }

  @Post('shift-requests/:id/approve')
  @Roles('supervisor')
  @Scoped('shift-request', 'param', 'id')
  @HttpCode(200)
  approve(@Param('id') id: string, @Body() body: DecisionDto) {
    return this.requests.approve(id, body.by, body.note);
  }

  @Post('shift-requests/:id/reject')
  @Roles('supervisor')
  @Scoped('shift-request', 'param', 'id')
  @HttpCode(200)
  reject(@Param('id') id: string, @Body() body: DecisionDto) {
    return this.requests.reject(id, body.by, body.note);
  }

  @Post('schedules/roster')
  @Roles('supervisor')
  @DistrictLevel()
  @HttpCode(200)
  @ApiOperation({ summary: 'Create or update the daily roll-forward schedule (start coming shifts, flag gaps, write the daily report)' })
  schedule(@Body() body: ScheduleDto) {
    return this.roster.ensureSchedule(body);
  }

  @Get('reports/daily/:date')
  @Roles('supervisor')
  @DistrictLevel()
  @ApiOperation({ summary: 'The daily report (日报) of a local date' })
  dailyReport(@Param('date') date: string) {
    return this.roster.dailyReport(date);
  }
}
