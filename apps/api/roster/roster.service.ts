import type { Principal } from '../../../libs/auth/roles';
import { Inject, Injectable } from '@nestjs/common';
import { Client, ScheduleAlreadyRunning, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import { AppConfig } from '../../../libs/config/config';
import { APP_CONFIG } from '../../../libs/config/config.module';
import { utcOffsetMinutes } from '../../../libs/config/time-zone';
import { conflict, FieldProblem, invalidAll, notFound } from '../../../libs/domain/errors';
import { pageOf, Page } from '../../../libs/nest/paging';
import { RosterPost, RosterPostRepository } from '../../../libs/persistence/roster/roster-post.repository';
import { RosterShift, RosterShiftRepository, ShiftEvent, ShownShift } from '../../../libs/persistence/roster/roster-shift.repository';
import { RosterStaffRepository, StaffMember } from '../../../libs/persistence/roster/roster-staff.repository';
import { RosterPlanner } from '../../../libs/roster/roster-planner';
import type { HardViolationKind } from '../../../libs/roster/roster-solver';
import { DEFAULT_PATTERN, PostRequirements, ShiftSlot, validatePostPlan } from '../../../libs/roster/roster-seats';
import { TEMPORAL_CLIENT } from '../../../libs/temporal/temporal.module';
import { unlessGone } from '../../../libs/temporal/workflow-calls';
import { rosterDailyWorkflow } from '../../../workflows/roster/roster-daily.workflow';
import { CheckInCommand, checkInUpdate, IncidentCommand, logIncidentUpdate, shiftStateQuery, ShiftView, shiftWorkflowId } from '../../../workflows/roster/shift.messages';
import { PostDto, ShiftListQuery, StaffDto } from './roster.dto';
import { OnDutyResponse, ScheduleResponse, ShiftStateResponse, StaffResponse } from './roster.responses';

/** The roll-forward schedule's id: one per namespace. */
export const ROSTER_SCHEDULE_ID = 'roster-daily';

/**
 * What someone covering a gap must be: a known staff member with the seat's skill, on no other shift
 * then, and rested. Contract limits (hours, days in a row) and planned leave do not keep a person who
 * is at the post from covering it: nobody leaves a post uncovered.
 */
const COVER_RULES: ReadonlySet<HardViolationKind> = new Set(['unknown_staff', 'skill', 'overlap', 'rest']);

/** Posts, staff, shifts and their commands, the roll-forward schedule and the daily reports. */
@Injectable()
export class RosterService {
  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly posts: RosterPostRepository,
    private readonly staff: RosterStaffRepository,
    private readonly shifts: RosterShiftRepository,
    private readonly planner: RosterPlanner,
  ) {}

  /** `subdistrict`: who runs the post (null: the district command). */
  async upsertPost(dto: PostDto, subdistrict: string | null): Promise<RosterPost> {
    const pattern = dto.pattern ?? DEFAULT_PATTERN;
    const problems = validatePostPlan(dto.requirements, pattern);
    if (problems.length) throw invalidAll(problems);
    return this.posts.upsert({
      id: dto.id,
      kind: dto.kind,
      name: dto.name,
      location: dto.location ?? '',
      jurisdiction: dto.jurisdiction,
      subdistrict,
      requirements: dto.requirements as PostRequirements,
      pattern: pattern as ShiftSlot[],
      supervisor: dto.supervisor,
      onCall: dto.onCall ?? [],
    });
  }

  async post(id: string): Promise<RosterPost> {
    const post = await this.posts.get(id);
    if (!post) throw notFound('post', id);
    return post;
  }

  /** Who is on post now: the seats whose shift someone has checked in to and not yet handed over. */
  async onDuty(postId: string, now = Date.now()): Promise<OnDutyResponse> {
    await this.post(postId);
    const current = await this.shifts.current(postId, new Date(now));
    const onPost = (s: RosterShift) => s.dutyState === 'on_duty' || s.dutyState === 'handing_over';
    return {
      postId,
      at: new Date(now).toISOString(),
      onPost: current.filter(onPost).map((s) => ({ shiftId: s.id, seatNo: s.seatNo, staffId: s.checkedInBy!, since: s.checkedInAt!.toISOString(), handingOver: s.dutyState === 'handing_over' })),
      gaps: current.filter((s) => !onPost(s)).map((s) => ({ shiftId: s.id, seatNo: s.seatNo, staffId: s.staffId, state: s.dutyState, since: (s.gapSince ?? s.startAt).toISOString() })),
    };
  }

  async upsertStaff(dto: StaffDto): Promise<StaffResponse> {
    const problems: FieldProblem[] = [];
    const unavailable = (dto.unavailable ?? []).map((interval, i) => {
      const start = Date.parse(interval.start);
      const end = Date.parse(interval.end);
      if (Number.isNaN(start)) problems.push({ field: `unavailable[${i}].start`, reason: 'must be an ISO date-time' });
      if (Number.isNaN(end)) problems.push({ field: `unavailable[${i}].end`, reason: 'must be an ISO date-time' });
      else if (!(end > start)) problems.push({ field: `unavailable[${i}].end`, reason: 'must be after start' });
      return { start, end };
    });
    if (problems.length) throw invalidAll(problems);
    const { id, role, ...rest } = dto;
    await this.staff.upsert({ ...rest, staffId: id, role: role as StaffMember['role'], unavailable }).catch((error: { code?: string; constraint?: string }) => {
      if (error.code === '23503') throw invalidAll([{ field: 'accountId', reason: `no account ${dto.accountId}` }]);
      if (error.code === '23505' && error.constraint?.includes('account')) throw conflict(`account ${dto.accountId} is another staff member's`, {}, [{ field: 'accountId', reason: 'is linked to another staff member' }]);
      throw error;
    });
    return staffResponse((await this.staff.get(id))!);
  }

  /** Shifts, narrowed to the actor's jurisdiction (the post's subdistrict, the shift's community), a page at a time. */
  async list(query: ShiftListQuery, actor: Principal): Promise<Page<ShownShift>> {
    const { page, pageSize, offset } = pageOf(query);
    const { items, total } = await this.shifts.page(
      {
        subdistrict: actor.subdistrict ?? undefined,
        community: actor.community ?? undefined,
        postId: query.postId,
        jurisdiction: query.jurisdiction,
        date: query.date,
        dutyState: query.dutyState,
        accountId: query.mine === 'true' ? actor.userId : undefined,
      },
      { offset, limit: pageSize },
    );
    return { items, page, pageSize, total };
  }

  async shiftRecord(id: string): Promise<ShownShift> {
    const shift = await this.shifts.get(id);
    if (!shift) throw notFound('shift', id);
    return shift;
  }

  /** The row, the live workflow state (query) and the event log. */
  async shift(id: string): Promise<{ shift: ShownShift; state?: ShiftStateResponse; events: ShiftEvent[] }> {
    const shift = await this.shiftRecord(id);
    const [state, events] = await Promise.all([
      shift.workflowStarted ? unlessGone(this.client.workflow.getHandle(shiftWorkflowId(id)).query(shiftStateQuery), () => undefined) : undefined,
      this.shifts.events(id),
    ]);
    return { shift, state: state && shiftState(state), events };
  }

  /**
   * A check-in by the assignee, or by someone covering the seat, who must be allowed on it by the
   * roster's rules (422 naming the rule) before the workflow hears of it.
   */
  async checkIn(id: string, command: CheckInCommand): Promise<ShiftStateResponse> {
    const shift = await this.shiftRecord(id);
    if (command.staffId !== shift.staffId) {
      const violations = await this.planner.changeViolations([{ shiftId: id, staffId: command.staffId }]);
      // A clash is reported on the later of the two shifts, which may be the person's other one.
      const problems = violations.filter((v) => COVER_RULES.has(v.kind)).map((v) => ({ field: 'staffId', reason: `${v.kind}: ${v.seatId === id ? '' : `seat ${v.seatId}: `}${v.detail}` }));
      if (problems.length) throw invalidAll(problems);
    }
    return this.command(id, checkInUpdate, command, shift);
  }

  /**
   * Logs an incident under the client's idempotency key (its id): the same key again answers the
   * shift as it is, the incident logged once.
   */
  async logIncident(id: string, command: IncidentCommand): Promise<ShiftStateResponse> {
    try {
      return await this.command(id, logIncidentUpdate, command);
    } catch (error) {
      if (!isAlreadyLogged(error)) throw error;
      return shiftState(await this.client.workflow.getHandle(shiftWorkflowId(id)).query(shiftStateQuery));
    }
  }

  /** Sends a command (an update with a validator) to a shift's workflow; `loaded`: the row already read for this request. */
  async command<Arg>(id: string, update: UpdateDefinition<ShiftView, [Arg]>, arg: Arg, loaded?: RosterShift): Promise<ShiftStateResponse> {
    const shift = loaded ?? (await this.shiftRecord(id));
    if (shift.status !== 'published') throw conflict(`shift ${id} is ${shift.status}`, {}, [{ field: 'id', reason: `shift is ${shift.status}` }]);
    if (!shift.workflowStarted) throw conflict(`shift ${id} starts at ${shift.startAt.toISOString()}; it is not running yet`, {}, [{ field: 'id', reason: 'shift not started yet' }]);
    const view = await unlessGone(this.client.workflow.getHandle(shiftWorkflowId(id)).executeUpdate(update, { args: [arg] }), () => {
      throw conflict(`shift ${id} has ended`);
    });
    return shiftState(view);
  }

  /**
   * Creates or updates the roll-forward schedule (idempotent; called explicitly, not at API start,
   * so several API replicas and test runs never fight over it).
   */
  async ensureSchedule(options: { hour?: number; minute?: number; horizonHours?: number }): Promise<ScheduleResponse> {
    const hour = options.hour ?? 0;
    const minute = options.minute ?? 30;
    const spec = { calendars: [{ hour, minute }], timezone: this.config.timeZone };
    const action = {
      type: 'startWorkflow' as const,
      workflowType: rosterDailyWorkflow,
      workflowId: 'roster-daily-run',
      taskQueue: this.config.temporal.taskQueue,
      args: [{ utcOffsetMinutes: utcOffsetMinutes(this.config.timeZone), horizonHours: options.horizonHours ?? 48 }] as [Parameters<typeof rosterDailyWorkflow>[0]],
    };
    try {
      await this.client.schedule.create({ scheduleId: ROSTER_SCHEDULE_ID, spec, action, policies: { overlap: 'SKIP', catchupWindow: '1 day' } });
      return { scheduleId: ROSTER_SCHEDULE_ID, created: true, hour, minute, timeZone: this.config.timeZone };
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      await this.client.schedule.getHandle(ROSTER_SCHEDULE_ID).update((previous) => ({ ...previous, spec, action }));
      return { scheduleId: ROSTER_SCHEDULE_ID, created: false, hour, minute, timeZone: this.config.timeZone };
    }
  }
}

/** The workflow's view with every instant an ISO string (incidents keep epoch ms in the workflow's state). */
function shiftState(view: ShiftView): ShiftStateResponse {
  return { ...view, incidents: view.incidents.map((incident) => ({ ...incident, at: new Date(incident.at).toISOString() })) };
}

/** The workflow refused the incident because one with its id is logged already: a repeated request. */
function isAlreadyLogged(error: unknown): boolean {
  const failure = error instanceof WorkflowUpdateFailedError ? error.cause : undefined;
  if (!(failure instanceof ApplicationFailure) || failure.type !== 'conflict') return false;
  const [problems] = (failure.details ?? []) as [FieldProblem[] | undefined];
  return problems?.some((p) => p.field === 'incidentId') ?? false;
}

function staffResponse(member: StaffMember): StaffResponse {
  const { staffId, unavailable, ...rest } = member;
  return {
    ...rest,
    id: staffId,
    unavailable: unavailable.map((interval) => ({ start: new Date(interval.start).toISOString(), end: new Date(interval.end).toISOString() })),
    avoidNights: member.avoidNights ?? false,
    preferredPostIds: member.preferredPostIds ?? [],
  };
}
