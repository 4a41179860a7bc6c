import type { Principal } from '../../../libs/auth/roles';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client, ScheduleAlreadyRunning } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../libs/config/config';
import { APP_CONFIG } from '../../../libs/config/config.module';
import { utcOffsetMinutes } from '../../../libs/config/time-zone';
import { conflict, FieldProblem, invalid, invalidAll, notFound } from '../../../libs/domain/errors';
import { TEMPORAL_CLIENT } from '../../../libs/temporal/temporal.module';
import { rosterDailyWorkflow } from '../../../workflows/roster/roster-daily.workflow';
import { DEFAULT_PATTERN, validatePostPlan } from '../../../libs/roster/roster-seats';
import { isDate } from '../../../libs/domain/local-time';
import { CheckInCommand, checkInUpdate, shiftStateQuery, ShiftView, shiftWorkflowId } from '../../../workflows/roster/shift.messages';
import { PostDto, ShiftListQuery, StaffDto } from './roster.dto';
import { RosterPlanningService } from './roster-planning.service';
import { unlessGone } from '../../../libs/temporal/workflow-calls';

/** The roll-forward schedule's id: one per namespace. */
export const ROSTER_SCHEDULE_ID = 'roster-daily';

const SHIFT_COLUMNS = `id, post_id AS "postId", jurisdiction, to_char(shift_date, 'YYYY-MM-DD') AS "shiftDate", slot, seat_no AS "seatNo", mode, start_at AS "startAt", end_at AS "endAt",
  required_skill AS "requiredSkill", staff_id AS "staffId", status, duty_state AS "dutyState", unfilled_reason AS "unfilledReason", workflow_started AS "workflowStarted",
  checked_in_by AS "checkedInBy", checked_in_at AS "checkedInAt", gap_since AS "gapSince", handover_note AS "handoverNote", handed_over_to AS "handedOverTo",
  handed_over_at AS "handedOverAt", ended_at AS "endedAt", end_reason AS "endReason"`;

/** Posts, staff, shifts and their commands, the roll-forward schedule and the daily reports. */
@Injectable()
export class RosterService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly planning: RosterPlanningService,
  ) {}

  /** `subdistrict`: who runs the post (null: the district command). */
  async upsertPost(dto: PostDto, subdistrict: string | null) {
    const pattern = dto.pattern ?? DEFAULT_PATTERN;
    const problems = validatePostPlan(dto.requirements, pattern);
    if (problems.length) throw invalidAll(problems);
    await this.dataSource.query(
      `INSERT INTO roster_post (id, kind, name, location, jurisdiction, requirements, pattern, supervisor, on_call, subdistrict) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, location = EXCLUDED.location, jurisdiction = EXCLUDED.jurisdiction, subdistrict = EXCLUDED.subdistrict,
         requirements = EXCLUDED.requirements, pattern = EXCLUDED.pattern, supervisor = EXCLUDED.supervisor, on_call = EXCLUDED.on_call, updated_at = now()`,
      [dto.id, dto.kind, dto.name, dto.location ?? '', dto.jurisdiction, JSON.stringify(dto.requirements), JSON.stringify(pattern), dto.supervisor, dto.onCall ?? [], subdistrict],
    );
    return this.post(dto.id);
  }

  async post(id: string) {
    const rows = await this.dataSource.query(`SELECT id, kind, name, location, jurisdiction, requirements, pattern, supervisor, on_call AS "onCall" FROM roster_post WHERE id = $1`, [id]);
    if (!rows.length) throw notFound('post', id);
    return rows[0];
  }

  /** Who is on post now: the seats whose shift someone has checked in to and not yet handed over. */
  async onDuty(postId: string, now = Date.now()) {
    await this.post(postId);
    const rows = await this.dataSource.query(
      `SELECT ${SHIFT_COLUMNS} FROM roster_shift WHERE post_id = $1 AND status = 'published' AND start_at <= $2 AND (duty_state IN ('on_duty', 'handing_over', 'no_show') OR (duty_state = 'scheduled' AND end_at > $2))
       ORDER BY seat_no, start_at`,
      [postId, new Date(now)],
    );
    return {
      postId,
      at: new Date(now).toISOString(),
      onPost: rows.filter((r: { dutyState: string }) => r.dutyState === 'on_duty' || r.dutyState === 'handing_over').map((r: Record<string, unknown>) => ({ shiftId: r.id, seatNo: r.seatNo, staffId: r.checkedInBy, since: r.checkedInAt, handingOver: r.dutyState === 'handing_over' })),
      gaps: rows.filter((r: { dutyState: string }) => r.dutyState === 'no_show' || r.dutyState === 'scheduled').map((r: Record<string, unknown>) => ({ shiftId: r.id, seatNo: r.seatNo, staffId: r.staffId, state: r.dutyState, since: r.gapSince ?? r.startAt })),
    };
  }

  async upsertStaff(dto: StaffDto) {
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
    await this.dataSource.query(
      `INSERT INTO roster_staff (id, name, role, home_community, skills, mobile, email, unavailable, avoid_nights, preferred_post_ids, max_hours_per_day, max_hours_per_week, max_consecutive_days, max_shifts_per_day)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, role = EXCLUDED.role, home_community = EXCLUDED.home_community, skills = EXCLUDED.skills, mobile = EXCLUDED.mobile,
         email = EXCLUDED.email, unavailable = EXCLUDED.unavailable, avoid_nights = EXCLUDED.avoid_nights, preferred_post_ids = EXCLUDED.preferred_post_ids,
         max_hours_per_day = EXCLUDED.max_hours_per_day, max_hours_per_week = EXCLUDED.max_hours_per_week, max_consecutive_days = EXCLUDED.max_consecutive_days,
         max_shifts_per_day = EXCLUDED.max_shifts_per_day, updated_at = now()`,
      [
        dto.id, dto.name, dto.role, dto.homeCommunity ?? null, dto.skills, dto.mobile ?? null, dto.email ?? null, JSON.stringify(unavailable), dto.avoidNights ?? false,
        dto.preferredPostIds ?? [], dto.maxHoursPerDay ?? null, dto.maxHoursPerWeek ?? null, dto.maxConsecutiveDays ?? null, dto.maxShiftsPerDay ?? null,
      ],
    );
    return { ...dto, unavailable: dto.unavailable ?? [] };
  }

  /** Shifts, narrowed to the actor's jurisdiction (the post's subdistrict, the shift's community). */
  async shifts(query: ShiftListQuery, actor: Principal) {
    const clauses: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      clauses.push(sql.replace('?', `$${params.length}`));
    };
    if (actor.subdistrict !== null) add('post_id IN (SELECT id FROM roster_post WHERE subdistrict = ?)', actor.subdistrict);
    if (actor.community !== null) add('jurisdiction = ?', actor.community);
    if (query.postId) add('post_id = ?', query.postId);
    if (query.jurisdiction) add('jurisdiction = ?', query.jurisdiction);
    if (query.date) add('shift_date = ?', query.date);
    if (query.dutyState) add('duty_state = ?', query.dutyState);
    const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    return this.dataSource.query(`SELECT ${SHIFT_COLUMNS} FROM roster_shift ${where} ORDER BY start_at, post_id, seat_no LIMIT 2000`, params);
  }

  async shiftRow(id: string) {
    const rows = await this.dataSource.query(`SELECT ${SHIFT_COLUMNS} FROM roster_shift WHERE id = $1`, [id]);
    if (!rows.length) throw notFound('shift', id);
    return rows[0];
  }

  /** The row, the live workflow state (query) and the event log. */
  async shift(id: string) {
    const row = await this.shiftRow(id);
    const [state, events] = await Promise.all([
      row.workflowStarted ? unlessGone(this.client.workflow.getHandle(shiftWorkflowId(id)).query(shiftStateQuery), () => undefined) : undefined,
      this.dataSource.query(`SELECT at, kind, detail FROM roster_shift_event WHERE shift_id = $1 ORDER BY at, id`, [id]),
    ]);
    return { shift: row, state, events };
  }

  /**
   * A check-in by the assignee, or by someone covering the seat, who must be allowed on it by the
   * roster's rules (422 naming the rule) before the workflow hears of it.
   */
  async checkIn(id: string, command: CheckInCommand): Promise<ShiftView> {
    const row = await this.shiftRow(id);
    if (command.staffId !== row.staffId) {
      const problems = await this.planning.coverProblems(id, command.staffId);
      if (problems.length) throw invalidAll(problems);
    }
    return this.command(id, checkInUpdate, command, row);
  }

  /** Sends a command (an update with a validator) to a shift's workflow; `loaded`: the row already read for this request. */
  async command<Arg>(id: string, update: UpdateDefinition<ShiftView, [Arg]>, arg: Arg, loaded?: { status: string; workflowStarted: boolean; startAt: string }): Promise<ShiftView> {
    const row = loaded ?? (await this.shiftRow(id));
    if (row.status !== 'published') throw conflict(`shift ${id} is ${row.status}`, {}, [{ field: 'id', reason: `shift is ${row.status}` }]);
    if (!row.workflowStarted) throw conflict(`shift ${id} starts at ${new Date(row.startAt).toISOString()}; it is not running yet`, {}, [{ field: 'id', reason: 'shift not started yet' }]);
    return unlessGone(this.client.workflow.getHandle(shiftWorkflowId(id)).executeUpdate(update, { args: [arg] }), () => {
      throw conflict(`shift ${id} has ended`);
    });
  }

  /**
   * Creates or updates the roll-forward schedule (idempotent; called explicitly, not at API start,
   * so several API replicas and test runs never fight over it).
   */
  async ensureSchedule(options: { hour?: number; minute?: number; horizonHours?: number }) {
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

  async dailyReport(date: string) {
    if (!isDate(date)) throw invalid('date', 'must be a date YYYY-MM-DD');
    const rows = await this.dataSource.query(`SELECT content, generated_at FROM daily_report WHERE report_date = $1`, [date]);
    if (!rows.length) throw notFound('daily report for', date);
    return rows[0].content;
  }
}
