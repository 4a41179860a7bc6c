import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from '@temporalio/client';
import { DataSource, EntityManager } from 'typeorm';
import { NotificationActivities } from '../../../activities/notifications/notification.activities';
import { NotificationOutbox, NotificationRequest } from '../../../activities/notifications/notification-outbox';
import { addressStaffNotifications } from '../../../activities/roster/shift.activities';
import { ShiftLauncher, START_HORIZON_MS } from '../../../activities/roster/shift-launcher';
import { AppConfig } from '../../../libs/config/config';
import { APP_CONFIG } from '../../../libs/config/config.module';
import { utcOffsetMinutes } from '../../../libs/config/time-zone';
import { conflict, FieldProblem, invalidAll, notFound } from '../../../libs/domain/errors';
import { TEMPORAL_CLIENT } from '../../../libs/temporal/temporal.module';
import { checkRoster, solveRoster, type RosterAssignment, type RosterSeat, type RosterStaff, type UnfilledSeat } from '../../../workflows/roster/roster-solver';
import { addDays, isDate, localDateOf, PlannedSeat, PostPlan, RosterMode, seatsOf } from '../../../workflows/roster/roster-seats';
import { endShiftUpdate, reassignUpdate, shiftWorkflowId } from '../../../workflows/roster/shift.messages';
import { parseUuid } from '../../../libs/domain/ids';

/** Published shifts this far before a plan's first day count for rest, consecutive days and weekly hours. */
const CONTEXT_DAYS = 7;
/** The longest range one plan may cover. */
const MAX_PLAN_DAYS = 62;

export interface PlanRequest {
  from: string;
  to: string;
  postIds: string[];
  pins?: Array<{ shiftId: string; staffId: string }>;
  seed?: number;
  by: string;
}

export interface PlanResult {
  id: string;
  state: string;
  from: string;
  to: string;
  postIds: string[];
  seats: PlannedSeat[];
  assignments: RosterAssignment[];
  unfilled: UnfilledSeat[];
  stats: Record<string, number>;
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

interface PublishedRow {
  id: string;
  post_id: string;
  jurisdiction: string;
  start_at: Date;
  end_at: Date;
  required_skill: string | null;
  staff_id: string | null;
  duty_state: string;
  workflow_started: boolean;
}

interface PostRow {
  id: string;
  jurisdiction: string;
  requirements: PostPlan['requirements'];
  pattern: PostPlan['pattern'];
  supervisor: string;
}

/** The solver's instance: the seats to fill, the published shifts around them, the staff. */
interface Instance {
  target: PlannedSeat[];
  context: RosterSeat[];
  previous: RosterAssignment[];
  staff: RosterStaff[];
  /** Published seats of the plan's posts and dates that the target no longer has and that may still go. */
  removable: PublishedRow[];
}

/**
 * Roster generation and publication, and the two things built on them: the peace/war switch and
 * the hard-rule check of a single change (swap, open shift). The solver (workflows/roster) is pure;
 * this service feeds it the published shifts around a plan so that minimal change and every hard
 * rule hold across what is already on the roster.
 */
@Injectable()
export class RosterPlanningService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    private readonly launcher: ShiftLauncher,
    private readonly outbox: NotificationOutbox,
    private readonly delivery: NotificationActivities,
  ) {}

  offset(at = Date.now()): number {
    return utcOffsetMinutes(this.config.timeZone, at);
  }

  async posts(postIds: string[]): Promise<PostRow[]> {
    const rows: PostRow[] = await this.dataSource.query(`SELECT id, jurisdiction, requirements, pattern, supervisor FROM roster_post WHERE id = ANY($1) ORDER BY id`, [postIds]);
    const known = new Set(rows.map((r) => r.id));
    const unknown = postIds.filter((id) => !known.has(id));
    if (unknown.length) throw invalidAll(unknown.map((id) => ({ field: 'postIds', reason: `unknown post ${id}` })));
    return rows;
  }

  async modes(): Promise<Map<string, RosterMode>> {
    const rows: Array<{ jurisdiction: string; mode: RosterMode }> = await this.dataSource.query(`SELECT jurisdiction, mode FROM roster_mode`);
    return new Map(rows.map((r) => [r.jurisdiction, r.mode]));
  }

  async staff(): Promise<RosterStaff[]> {
    const rows = await this.dataSource.query(`SELECT * FROM roster_staff ORDER BY id`);
    return rows.map((r: Record<string, unknown>) => toRosterStaff(r));
  }

  private async instance(posts: PostRow[], from: string, to: string, modeOf: (jurisdiction: string) => RosterMode, now: number): Promise<Instance> {
    const offset = this.offset(now);
    const target = seatsOf(posts, from, to, modeOf, offset, now);
    const windowStart = Date.parse(`${addDays(from, -CONTEXT_DAYS)}T00:00:00Z`) - offset * 60_000;
    const windowEnd = Date.parse(`${addDays(to, 2)}T00:00:00Z`) - offset * 60_000;
    const published: PublishedRow[] = await this.dataSource.query(
      `SELECT id, post_id, jurisdiction, start_at, end_at, required_skill, staff_id, duty_state, workflow_started FROM roster_shift
       WHERE status = 'published' AND end_at > $1 AND start_at < $2`,
      [new Date(windowStart), new Date(windowEnd)],
    );
    const targetIds = new Set(target.map((s) => s.seatId));
    const movable = (row: PublishedRow) => row.duty_state === 'scheduled' && new Date(row.start_at).getTime() > now;
    const fixed = published.filter((row) => !(targetIds.has(row.id) && movable(row)));
    const fixedIds = new Set(fixed.map((row) => row.id));
    const postIds = new Set(posts.map((p) => p.id));
    const dates = new Set<string>();
    for (let date = from; date <= to; date = addDays(date, 1)) dates.add(date);
    return {
      target: target.filter((seat) => !fixedIds.has(seat.seatId)),
      // Worked, running and other posts' shifts stay as they are: the solver sees them as pins.
      context: fixed
        .filter((row) => row.staff_id)
        .map((row) => ({ seatId: row.id, postId: row.post_id, jurisdiction: row.jurisdiction, start: new Date(row.start_at).getTime(), end: new Date(row.end_at).getTime(), requiredSkill: row.required_skill ?? undefined, pinnedStaffId: row.staff_id! })),
      previous: published.filter((row) => row.staff_id && targetIds.has(row.id) && movable(row)).map((row) => ({ seatId: row.id, staffId: row.staff_id! })),
      staff: await this.staff(),
      removable: published.filter(
        (row) => postIds.has(row.post_id) && dates.has(localDateOf(new Date(row.start_at).getTime(), offset)) && !targetIds.has(row.id) && ['scheduled', 'no_show'].includes(row.duty_state),
      ),
    };
  }

  /** Solves the instance with the pins; a pin that breaks a hard rule is bad input (422), not an unfilled seat. */
  private solve(instance: Instance, pins: PlanRequest['pins'] = [], seed?: number) {
    const problems: FieldProblem[] = [];
    const bySeat = new Map(instance.target.map((s) => [s.seatId, s]));
    const staffIds = new Set(instance.staff.map((s) => s.staffId));
    pins.forEach((pin, i) => {
      if (!bySeat.has(pin.shiftId)) problems.push({ field: `pins[${i}].shiftId`, reason: `no open seat ${pin.shiftId} in this plan's posts and dates` });
      if (!staffIds.has(pin.staffId)) problems.push({ field: `pins[${i}].staffId`, reason: `unknown staff member ${pin.staffId}` });
    });
    if (problems.length) throw invalidAll(problems);
    const pinned = pins.map((pin) => ({ ...bySeat.get(pin.shiftId)!, pinnedStaffId: pin.staffId }));
    problems.push(...this.newViolations(instance.context, pinned, instance.staff).map((v) => ({ field: `pins[${pins.findIndex((p) => p.shiftId === v.seatId)}]`, reason: `${v.kind}: ${v.detail}` })));
    if (problems.length) throw invalidAll(problems);
    const pinBySeat = new Map(pins.map((pin) => [pin.shiftId, pin.staffId]));
    const seats: RosterSeat[] = [...instance.context, ...instance.target.map((s) => ({ ...s, pinnedStaffId: pinBySeat.get(s.seatId) }))];
    const solution = solveRoster({ seats, staff: instance.staff, previous: instance.previous, seed, rules: { timeZoneOffsetMinutes: this.offset() } });
    const targetIds = new Set(instance.target.map((s) => s.seatId));
    const assignments = solution.assignments.filter((a) => targetIds.has(a.seatId));
    const unfilled = solution.unfilled.filter((u) => targetIds.has(u.seatId));
    return {
      assignments,
      unfilled,
      stats: { seats: instance.target.length, filled: assignments.length, unfilled: unfilled.length, keptFromPrevious: solution.stats.keptFromPrevious, changedFromPrevious: solution.stats.changedFromPrevious },
    };
  }

  /**
   * Hard-rule violations that `changed` (seats with pinnedStaffId as the new holder) bring on top of
   * the fixed `context`: the one checker, checkRoster, run with and without the change.
   */
  newViolations(context: RosterSeat[], changed: RosterSeat[], staff: RosterStaff[]) {
    const changedIds = new Set(changed.map((s) => s.seatId));
    const base = context.filter((s) => !changedIds.has(s.seatId));
    const assignmentsOf = (seats: RosterSeat[]) => seats.filter((s) => s.pinnedStaffId).map((s) => ({ seatId: s.seatId, staffId: s.pinnedStaffId! }));
    const key = (v: { kind: string; seatId: string; staffId: string }) => `${v.kind}/${v.seatId}/${v.staffId}`;
    const rules = { timeZoneOffsetMinutes: this.offset() };
    const before = new Set(checkRoster(base, staff, assignmentsOf(base), rules).map(key));
    const all = [...base, ...changed];
    return checkRoster(all, staff, assignmentsOf(all), rules).filter((v) => !before.has(key(v)));
  }

  /** `POST /rosters`: a draft roster for the dates and posts, re-planned against what is published. */
  async createPlan(request: PlanRequest, now = Date.now()): Promise<PlanResult> {
    const problems: FieldProblem[] = [];
    if (!isDate(request.from)) problems.push({ field: 'from', reason: 'must be a date YYYY-MM-DD' });
    if (!isDate(request.to)) problems.push({ field: 'to', reason: 'must be a date YYYY-MM-DD' });
    if (!problems.length && request.to < request.from) problems.push({ field: 'to', reason: 'must not be before from' });
    if (!problems.length && request.to > addDays(request.from, MAX_PLAN_DAYS - 1)) problems.push({ field: 'to', reason: `a plan covers at most ${MAX_PLAN_DAYS} days` });
    if (!problems.length && request.to < localDateOf(now, this.offset(now))) problems.push({ field: 'to', reason: 'the whole range is in the past' });
    if (problems.length) throw invalidAll(problems);
    const posts = await this.posts([...new Set(request.postIds)]);
    const modes = await this.modes();
    return this.solvePlan({ from: request.from, to: request.to, posts, modeOf: (j) => modes.get(j) ?? 'peace', pins: request.pins, seed: request.seed, by: request.by, now });
  }

  /** Solves and stores a draft plan for the posts and dates in the given modes. */
  async solvePlan(args: { from: string; to: string; posts: PostRow[]; modeOf: (jurisdiction: string) => RosterMode; pins?: PlanRequest['pins']; seed?: number; by: string; now: number }): Promise<PlanResult> {
    const instance = await this.instance(args.posts, args.from, args.to, args.modeOf, args.now);
    const solved = this.solve(instance, args.pins, args.seed);
    const [row] = await this.dataSource.query(
      `INSERT INTO roster_plan (from_date, to_date, post_ids, state, seats, assignments, unfilled, stats, created_by) VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8) RETURNING id`,
      [args.from, args.to, args.posts.map((p) => p.id), JSON.stringify(instance.target), JSON.stringify(solved.assignments), JSON.stringify(solved.unfilled), JSON.stringify(solved.stats), args.by],
    );
    return this.plan(row.id);
  }

  async plan(id: string): Promise<PlanResult> {
    const rows = parseUuid(id)
      ? await this.dataSource.query(`SELECT id, state, to_char(from_date, 'YYYY-MM-DD') AS "from", to_char(to_date, 'YYYY-MM-DD') AS "to", post_ids, seats, assignments, unfilled, stats FROM roster_plan WHERE id = $1`, [id])
      : [];
    if (!rows.length) throw notFound('roster', id);
    const r = rows[0];
    return { id: r.id, state: r.state, from: r.from, to: r.to, postIds: r.post_ids, seats: r.seats, assignments: r.assignments, unfilled: r.unfilled, stats: r.stats };
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
    const posts = await this.posts(plan.postIds);
    const modes = await this.modes();
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
    const instance = await this.instance(posts, plan.from, plan.to, modeOf, now);
    const wanted = new Map(instance.target.map((s) => [s.seatId, s]));
    const seats = plan.seats.filter((s) => wanted.has(s.seatId));
    const seatIds = new Set(seats.map((s) => s.seatId));
    const assignments = plan.assignments.filter((a) => seatIds.has(a.seatId));
    const changed = seats.map((s) => ({ ...s, pinnedStaffId: assignments.find((a) => a.seatId === s.seatId)?.staffId }));
    const violations = this.newViolations(instance.context, changed, instance.staff);
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
  async checkChange(changes: Array<{ shiftId: string; staffId: string }>) {
    const rows: PublishedRow[] = await this.dataSource.query(
      `SELECT id, post_id, jurisdiction, start_at, end_at, required_skill, staff_id, duty_state, workflow_started FROM roster_shift WHERE id = ANY($1)`,
      [changes.map((c) => c.shiftId)],
    );
    const starts = rows.map((r) => new Date(r.start_at).getTime());
    const from = Math.min(...starts) - (CONTEXT_DAYS + 1) * 86_400_000;
    const to = Math.max(...starts) + (CONTEXT_DAYS + 1) * 86_400_000;
    const around: PublishedRow[] = await this.dataSource.query(
      `SELECT id, post_id, jurisdiction, start_at, end_at, required_skill, staff_id, duty_state, workflow_started FROM roster_shift
       WHERE status = 'published' AND staff_id IS NOT NULL AND end_at > $1 AND start_at < $2`,
      [new Date(from), new Date(to)],
    );
    const seat = (row: PublishedRow, staffId: string | null): RosterSeat => ({
      seatId: row.id,
      postId: row.post_id,
      jurisdiction: row.jurisdiction,
      start: new Date(row.start_at).getTime(),
      end: new Date(row.end_at).getTime(),
      requiredSkill: row.required_skill ?? undefined,
      pinnedStaffId: staffId ?? undefined,
    });
    const changed = changes.map((c) => seat(rows.find((r) => r.id === c.shiftId)!, c.staffId));
    return this.newViolations(around.map((r) => seat(r, r.staff_id)), changed, await this.staff());
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
    for (const id of toDeliver) await this.delivery.deliverNotification({ id }).catch(() => undefined);
    return value;
  }
}

function toRosterStaff(r: Record<string, unknown>): RosterStaff {
  const limit = (v: unknown) => (v === null || v === undefined ? undefined : Number(v));
  return {
    staffId: r.id as string,
    role: r.role as RosterStaff['role'],
    homeCommunity: (r.home_community as string | null) ?? undefined,
    skills: r.skills as string[],
    unavailable: r.unavailable as RosterStaff['unavailable'],
    avoidNights: r.avoid_nights as boolean,
    preferredPostIds: r.preferred_post_ids as string[],
    maxHoursPerDay: limit(r.max_hours_per_day),
    maxHoursPerWeek: limit(r.max_hours_per_week),
    maxConsecutiveDays: limit(r.max_consecutive_days),
    maxShiftsPerDay: limit(r.max_shifts_per_day),
  };
}
