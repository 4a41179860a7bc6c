import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { NotificationOutbox, NotificationRequest } from '../../../libs/notifications/notification-outbox';
import { CONTEXT_DAYS, Pin, PostRow, PUBLISHED_COLUMNS, publishedSeat, PublishedRow, RosterPlanner } from '../../../activities/roster/roster-planner';
import { addressStaffNotifications } from '../../../activities/roster/shift.activities';
import { ShiftLauncher, START_HORIZON_MS } from '../../../activities/roster/shift-launcher';
import { AppConfig } from '../../../libs/config/config';
import { APP_CONFIG } from '../../../libs/config/config.module';
import { conflict, FieldProblem, invalidAll, notFound } from '../../../libs/domain/errors';
import { TEMPORAL_CLIENT } from '../../../libs/temporal/temporal.module';
import { RosterPlanRequest, rosterPlanWorkflow, rosterPlanWorkflowId } from '../../../workflows/roster/roster-plan.workflow';
import type { HardViolationKind, RosterAssignment, UnfilledSeat } from '../../../workflows/roster/roster-solver';
import { PlannedSeat, RosterMode } from '../../../workflows/roster/roster-seats';
import { DAY, addDays, isDate, localDate } from '../../../libs/domain/local-time';
import { endShiftUpdate, reassignUpdate, shiftWorkflowId } from '../../../workflows/roster/shift.messages';
import { parseUuid } from '../../../libs/domain/ids';

/** The longest range one plan may cover. */
const MAX_PLAN_DAYS = 62;
/**
 * What someone covering a gap must be: a known staff member with the seat's skill, on no other shift
 * then, and rested. Contract limits (hours, days in a row) and planned leave do not keep a person who
 * is at the post from covering it: nobody leaves a post uncovered.
 */
const COVER_RULES: ReadonlySet<HardViolationKind> = new Set(['unknown_staff', 'skill', 'overlap', 'rest']);

export interface PlanRequest {
  from: string;
  to: string;
  postIds: string[];
  pins?: Pin[];
  seed?: number;
  by: string;
}

export type PlanState = 'solving' | 'draft' | 'published' | 'failed';

export interface PlanResult {
  id: string;
  state: PlanState;
  from: string;
  to: string;
  postIds: string[];
  /** Empty while solving. */
  seats: PlannedSeat[];
  assignments: RosterAssignment[];
  unfilled: UnfilledSeat[];
  stats: Record<string, number>;
  /** Why a failed plan could not be solved. */
  failure?: string;
}

export interface PublishResult {
  planId: string;
  published: number;
  added: string[];
  reassigned: Array<{ shiftId: string; from: string | null; to: string | null }>;
  cancelled: string[];
  unfilled: UnfilledSeat[];
  started: string[];
  /** Everyone whose shifts changed. */
  affectedStaff: string[];
}

/**
 * Roster plans and their publication, and the two things built on them: the peace/war switch and
 * the hard-rule check of a single change (swap, open shift, a check-in covering a gap). A plan is
 * solved by the worker (workflows/roster/roster-plan.workflow.ts), never on the API's event loop;
 * RosterPlanner holds what the two sides share.
 */
@Injectable()
export class RosterPlanningService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    private readonly planner: RosterPlanner,
    private readonly launcher: ShiftLauncher,
    private readonly outbox: NotificationOutbox,
  ) {}

  /**
   * `POST /rosters`: checks the request (dates, posts, pins: 422 naming the field), records it and
   * starts its solve in the worker. Answers at once with the plan in state `solving`; `plan(id)`
   * shows it as a draft once solved.
   */
  async createPlan(request: PlanRequest, now = Date.now()): Promise<PlanResult> {
    const problems: FieldProblem[] = [];
    const offset = this.planner.offset(now);
    if (!isDate(request.from)) problems.push({ field: 'from', reason: 'must be a date YYYY-MM-DD' });
    if (!isDate(request.to)) problems.push({ field: 'to', reason: 'must be a date YYYY-MM-DD' });
    if (!problems.length && request.to < request.from) problems.push({ field: 'to', reason: 'must not be before from' });
    if (!problems.length && request.to > addDays(request.from, MAX_PLAN_DAYS - 1)) problems.push({ field: 'to', reason: `a plan covers at most ${MAX_PLAN_DAYS} days` });
    if (!problems.length && request.to < localDate(now, offset)) problems.push({ field: 'to', reason: 'the whole range is in the past' });
    if (problems.length) throw invalidAll(problems);
    const posts = await this.planner.posts([...new Set(request.postIds)]);
    const modes = await this.planner.modes();
    const modeOf = (j: string) => modes.get(j) ?? 'peace';
    const pins = request.pins ?? [];
    if (pins.length) {
      const pinProblems = this.planner.pinProblems(await this.planner.instance(posts, request.from, request.to, modeOf, now), pins, now);
      if (pinProblems.length) throw invalidAll(pinProblems);
    }
    return this.startPlan({ from: request.from, to: request.to, posts, modeOf, pins, seed: request.seed, by: request.by, now });
  }

  /** Records a plan for the posts and dates in the given modes and starts its solve; the plan as recorded (solving). */
  private async startPlan(args: { from: string; to: string; posts: PostRow[]; modeOf: (jurisdiction: string) => RosterMode; pins?: Pin[]; seed?: number; by: string; now: number }): Promise<PlanResult> {
    const id = randomUUID();
    const request: RosterPlanRequest = { pins: args.pins, seed: args.seed, modes: Object.fromEntries(args.posts.map((p) => [p.jurisdiction, args.modeOf(p.jurisdiction)])) };
    await this.dataSource.query(
      `INSERT INTO roster_plan (id, from_date, to_date, post_ids, state, seats, assignments, unfilled, stats, created_by, request, as_of) VALUES ($1, $2, $3, $4, 'solving', '[]', '[]', '[]', '{}', $5, $6, $7)`,
      [id, args.from, args.to, args.posts.map((p) => p.id), args.by, JSON.stringify(request), new Date(args.now)],
    );
    try {
      await this.client.workflow.start(rosterPlanWorkflow, { workflowId: rosterPlanWorkflowId(id), taskQueue: this.config.temporal.taskQueue, args: [{ planId: id }] });
    } catch (error) {
      // Nothing will solve it: say so on the plan rather than leave it solving.
      await this.dataSource.query(`UPDATE roster_plan SET state = 'failed', failure = $2 WHERE id = $1`, [id, `the solve could not be started: ${(error as Error).message}`]);
      throw error;
    }
    return this.plan(id);
  }

  /** Plans and solves in one go (the mode switch): answers once the worker has solved the plan. */
  async solvePlan(args: { from: string; to: string; posts: PostRow[]; modeOf: (jurisdiction: string) => RosterMode; by: string; now: number }): Promise<PlanResult> {
    return this.whenSolved((await this.startPlan(args)).id);
  }

  /** The plan once its solve has finished; a plan that could not be solved is a conflict naming why. */
  async whenSolved(id: string): Promise<PlanResult> {
    await this.client.workflow.getHandle(rosterPlanWorkflowId(id)).result();
    const plan = await this.plan(id);
    if (plan.state === 'failed') throw conflict(`roster ${id} could not be planned: ${plan.failure}`, {}, [{ field: 'id', reason: plan.failure! }]);
    return plan;
  }

  async plan(id: string): Promise<PlanResult> {
    const rows = parseUuid(id)
      ? await this.dataSource.query(`SELECT id, state, to_char(from_date, 'YYYY-MM-DD') AS "from", to_char(to_date, 'YYYY-MM-DD') AS "to", post_ids, seats, assignments, unfilled, stats, failure FROM roster_plan WHERE id = $1`, [id])
      : [];
    if (!rows.length) throw notFound('roster', id);
    const r = rows[0];
    return { id: r.id, state: r.state, from: r.from, to: r.to, postIds: r.post_ids, seats: r.seats, assignments: r.assignments, unfilled: r.unfilled, stats: r.stats, ...(r.failure ? { failure: r.failure } : {}) };
  }

  /**
   * `POST /rosters/:id/publish`: writes the plan into roster_shift (new seats, changed people, seats
   * no longer needed cancelled; worked or running shifts are never touched), tells the running shift
   * workflows, starts those within START_HORIZON_MS and notifies everyone whose shifts changed.
   * The plan is re-checked against the roster as it is now: if it no longer holds, 409.
   */
  async publish(planId: string, by: string, now = Date.now()): Promise<PublishResult> {
    const plan = await this.plan(planId);
    if (plan.state !== 'draft') throw conflict(`roster ${planId} is ${plan.state}`, {}, [{ field: 'id', reason: `roster is ${plan.state}` }]);
    const posts = await this.planner.posts(plan.postIds);
    const modes = await this.planner.modes();
    const notices = async (_manager: EntityManager, published: PublishResult): Promise<NotificationRequest[]> =>
      published.affectedStaff.map((staff) => ({
        id: `roster-published:${plan.id}:${staff}`,
        recipient: { staff },
        template: 'roster_published',
        params: { from: plan.from, to: plan.to },
      }));
    return this.apply(plan, posts, (j) => modes.get(j) ?? 'peace', by, now, notices);
  }

  /**
   * Applies a plan: `modeOf` tells which seats the plan's dates should have now, so seats the plan
   * solved that are no longer wanted are dropped; `during` runs inside the transaction and returns
   * the notices to send, stored with it and sent after the commit.
   */
  async apply(
    plan: PlanResult,
    posts: PostRow[],
    modeOf: (jurisdiction: string) => RosterMode,
    by: string,
    now: number,
    during?: (manager: EntityManager, result: PublishResult) => Promise<NotificationRequest[]>,
  ): Promise<PublishResult> {
    const instance = await this.planner.instance(posts, plan.from, plan.to, modeOf, now);
    const wanted = new Map(instance.target.map((s) => [s.seatId, s]));
    const seats = plan.seats.filter((s) => wanted.has(s.seatId));
    const seatIds = new Set(seats.map((s) => s.seatId));
    const assignments = plan.assignments.filter((a) => seatIds.has(a.seatId));
    const changed = seats.map((s) => ({ ...s, pinnedStaffId: assignments.find((a) => a.seatId === s.seatId)?.staffId }));
    const violations = this.planner.newViolations(instance.context, changed, instance.staff, now);
    if (violations.length) {
      throw conflict(`the roster changed since roster ${plan.id} was planned; plan again`, { violations }, violations.map((v) => ({ field: v.seatId, reason: `${v.kind}: ${v.detail}` })));
    }
    const holder = new Map(assignments.map((a) => [a.seatId, a.staffId]));
    const unfilledReason = new Map(plan.unfilled.map((u) => [u.seatId, u.reason]));
    const result: PublishResult = { planId: plan.id, published: seats.length, added: [], reassigned: [], cancelled: [], unfilled: plan.unfilled.filter((u) => seatIds.has(u.seatId)), started: [], affectedStaff: [] };
    const toReassign: Array<{ shiftId: string; staffId: string }> = [];
    const toEnd: string[] = [];
    const affected = new Set<string>();

    await this.transactionNotifying(async (manager) => {
      for (const seat of seats) {
        const staffId = holder.get(seat.seatId) ?? null;
        const [before] = await manager.query(`SELECT staff_id, status, duty_state, workflow_started FROM roster_shift WHERE id = $1 FOR UPDATE`, [seat.seatId]);
        if (before && before.status === 'published' && before.duty_state !== 'scheduled') continue;
        const revived = before && before.status === 'cancelled';
        await manager.query(
          `INSERT INTO roster_shift (id, post_id, jurisdiction, shift_date, slot, seat_no, mode, start_at, end_at, required_skill, staff_id, status, duty_state, unfilled_reason, plan_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'published', 'scheduled', $12, $13)
           ON CONFLICT (id) DO UPDATE SET mode = EXCLUDED.mode, start_at = EXCLUDED.start_at, end_at = EXCLUDED.end_at, required_skill = EXCLUDED.required_skill,
             staff_id = EXCLUDED.staff_id, status = 'published', duty_state = 'scheduled', unfilled_reason = EXCLUDED.unfilled_reason, plan_id = EXCLUDED.plan_id,
             workflow_started = CASE WHEN roster_shift.status = 'cancelled' THEN false ELSE roster_shift.workflow_started END, ended_at = NULL, end_reason = NULL, updated_at = now()`,
          [seat.seatId, seat.postId, seat.jurisdiction, seat.shiftDate, seat.slot, seat.seatNo, seat.mode, new Date(seat.start), new Date(seat.end), seat.requiredSkill ?? null, staffId, unfilledReason.get(seat.seatId) ?? null, plan.id],
        );
        if (!before || revived) {
          result.added.push(seat.seatId);
          if (staffId) affected.add(staffId);
        } else if (before.staff_id !== staffId) {
          result.reassigned.push({ shiftId: seat.seatId, from: before.staff_id, to: staffId });
          for (const id of [before.staff_id, staffId]) if (id) affected.add(id);
          if (before.workflow_started && staffId) toReassign.push({ shiftId: seat.seatId, staffId });
        }
      }
      for (const row of instance.removable) {
        await manager.query(`UPDATE roster_shift SET status = 'cancelled', duty_state = 'cancelled', ended_at = $2, end_reason = 'not needed by the roster', updated_at = now() WHERE id = $1`, [row.id, new Date(now)]);
        result.cancelled.push(row.id);
        if (row.staff_id) affected.add(row.staff_id);
        if (row.workflow_started) toEnd.push(row.id);
      }
      await manager.query(`UPDATE roster_plan SET state = 'published', published_by = $2, published_at = now() WHERE id = $1`, [plan.id, by]);
      result.affectedStaff = [...affected].sort();
      return { value: undefined, notices: (await during?.(manager, result)) ?? [] };
    });

    // After the commit: the running workflows follow the rows (an update each, validated there).
    for (const { shiftId, staffId } of toReassign) {
      await this.client.workflow.getHandle(shiftWorkflowId(shiftId)).executeUpdate(reassignUpdate, { args: [{ staffId, by, reason: `roster ${plan.id} published` }] }).catch(() => undefined);
    }
    for (const shiftId of toEnd) {
      await this.client.workflow.getHandle(shiftWorkflowId(shiftId)).executeUpdate(endShiftUpdate, { args: [{ by, reason: 'not needed by the roster' }] }).catch(() => undefined);
    }
    result.started = await this.launcher.startDue(this.client, { now, until: now + START_HORIZON_MS });
    return result;
  }

  /**
   * Hard-rule violations a set of reassignments (swap, open shift) would bring, checked against the
   * published shifts around them with the one checker.
   */
  async checkChange(changes: Array<{ shiftId: string; staffId: string }>, now = Date.now()) {
    const rows: PublishedRow[] = await this.dataSource.query(`SELECT ${PUBLISHED_COLUMNS} FROM roster_shift WHERE id = ANY($1)`, [changes.map((c) => c.shiftId)]);
    const starts = rows.map((r) => new Date(r.start_at).getTime());
    const from = Math.min(...starts) - (CONTEXT_DAYS + 1) * DAY;
    const to = Math.max(...starts) + (CONTEXT_DAYS + 1) * DAY;
    const around: PublishedRow[] = await this.dataSource.query(
      `SELECT ${PUBLISHED_COLUMNS} FROM roster_shift WHERE status = 'published' AND COALESCE(checked_in_by, staff_id) IS NOT NULL AND end_at > $1 AND start_at < $2`,
      [new Date(from), new Date(to)],
    );
    const changed = changes.map((c) => publishedSeat(rows.find((r) => r.id === c.shiftId)!, c.staffId));
    return this.planner.newViolations(around.map((r) => publishedSeat(r, r.staff_id)), changed, await this.planner.staff(), now);
  }

  /**
   * Why `staffId` may not check in to cover the shift (422 problems naming `staffId`): the rules a
   * cover keeps (COVER_RULES), checked against their other shifts with the one checker.
   */
  async coverProblems(shiftId: string, staffId: string, now = Date.now()): Promise<FieldProblem[]> {
    const violations = await this.checkChange([{ shiftId, staffId }], now);
    // A clash is reported on the later of the two shifts, which may be the person's other one.
    return violations.filter((v) => COVER_RULES.has(v.kind)).map((v) => ({ field: 'staffId', reason: `${v.kind}: ${v.seatId === shiftId ? '' : `seat ${v.seatId}: `}${v.detail}` }));
  }

  /**
   * Runs `work` in one transaction; the notices it returns are stored in that transaction's outbox
   * and sent right after the commit (best effort: failures stay pending for the outbox's retries).
   */
  async transactionNotifying<T>(work: (manager: EntityManager) => Promise<{ value: T; notices: NotificationRequest[] }>): Promise<T> {
    const { value, toDeliver } = await this.dataSource.transaction(async (manager) => {
      const done = await work(manager);
      return { value: done.value, toDeliver: await this.outbox.enqueue(manager, await addressStaffNotifications(manager, done.notices)) };
    });
    for (const id of toDeliver) await this.outbox.deliver(id).catch(() => undefined);
    return value;
  }
}
