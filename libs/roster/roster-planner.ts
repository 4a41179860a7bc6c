import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../libs/config/config';
import { APP_CONFIG } from '../../libs/config/config.module';
import { utcOffsetMinutes } from '../../libs/config/time-zone';
import { FieldProblem, invalidAll } from '../../libs/domain/errors';
import { checkRoster, solveRoster, type RosterAssignment, type RosterSeat, type RosterStaff, type UnfilledSeat } from '../../libs/roster/roster-solver';
import { PlannedSeat, PostPlan, RosterMode, seatsOf } from '../../libs/roster/roster-seats';
import { MINUTE, addDays, localDate } from '../../libs/domain/local-time';

/** Published shifts this far before a plan's first day count for rest, consecutive days and weekly hours. */
export const CONTEXT_DAYS = 7;

export interface Pin {
  shiftId: string;
  staffId: string;
}

export interface PublishedRow {
  id: string;
  post_id: string;
  jurisdiction: string;
  start_at: Date;
  end_at: Date;
  required_skill: string | null;
  /** Who holds the shift: whoever checked in (the assignee or a cover), else the assignee. */
  staff_id: string | null;
  duty_state: string;
  workflow_started: boolean;
  mode: RosterMode;
}

export const PUBLISHED_COLUMNS = 'id, post_id, jurisdiction, start_at, end_at, required_skill, COALESCE(checked_in_by, staff_id) AS staff_id, duty_state, workflow_started, mode';

export interface PostRow extends PostPlan {
  supervisor: string;
}

/** The solver's instance: the seats to fill, the published shifts around them, the staff. */
export interface RosterInstance {
  target: PlannedSeat[];
  context: RosterSeat[];
  previous: RosterAssignment[];
  staff: RosterStaff[];
  /** Published seats of the plan's posts and dates that the target no longer has and that may still go. */
  removable: PublishedRow[];
}

export interface SolvedPlan {
  assignments: RosterAssignment[];
  unfilled: UnfilledSeat[];
  stats: Record<string, number>;
}

/**
 * What planning a roster reads and checks, shared by the API (which validates a request and
 * publishes a plan) and the worker (which solves it, off the API's event loop): the posts and
 * modes, the published shifts around a plan's dates, the staff, and the one hard-rule checker run
 * over them. The solver (workflows/roster) is pure; this feeds it the published shifts so that
 * minimal change and every hard rule hold across what is already on the roster.
 */
@Injectable()
export class RosterPlanner {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  offset(at = Date.now()): number {
    return utcOffsetMinutes(this.config.timeZone, at);
  }

  /** The posts by id; unknown ones are refused (422 naming `postIds`). */
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

  async instance(posts: PostRow[], from: string, to: string, modeOf: (jurisdiction: string) => RosterMode, now: number): Promise<RosterInstance> {
    const offset = this.offset(now);
    const target = seatsOf(posts, from, to, modeOf, offset, now);
    const windowStart = Date.parse(`${addDays(from, -CONTEXT_DAYS)}T00:00:00Z`) - offset * MINUTE;
    const windowEnd = Date.parse(`${addDays(to, 2)}T00:00:00Z`) - offset * MINUTE;
    const published: PublishedRow[] = await this.dataSource.query(`SELECT ${PUBLISHED_COLUMNS} FROM roster_shift WHERE status = 'published' AND end_at > $1 AND start_at < $2`, [
      new Date(windowStart),
      new Date(windowEnd),
    ]);
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
      context: fixed.filter((row) => row.staff_id).map((row) => publishedSeat(row, row.staff_id)),
      previous: published.filter((row) => row.staff_id && targetIds.has(row.id) && movable(row)).map((row) => ({ seatId: row.id, staffId: row.staff_id! })),
      staff: await this.staff(),
      removable: published.filter(
        (row) => postIds.has(row.post_id) && dates.has(localDate(new Date(row.start_at).getTime(), offset)) && !targetIds.has(row.id) && ['scheduled', 'no_show'].includes(row.duty_state),
      ),
    };
  }

  /** Pins that name no open seat of the instance, an unknown person, or break a hard rule (each naming `pins[i]`). */
  pinProblems(instance: RosterInstance, pins: Pin[], at: number): FieldProblem[] {
    const problems: FieldProblem[] = [];
    const bySeat = new Map(instance.target.map((s) => [s.seatId, s]));
    const staffIds = new Set(instance.staff.map((s) => s.staffId));
    pins.forEach((pin, i) => {
      if (!bySeat.has(pin.shiftId)) problems.push({ field: `pins[${i}].shiftId`, reason: `no open seat ${pin.shiftId} in this plan's posts and dates` });
      if (!staffIds.has(pin.staffId)) problems.push({ field: `pins[${i}].staffId`, reason: `unknown staff member ${pin.staffId}` });
    });
    if (problems.length) return problems;
    const pinned = pins.map((pin) => ({ ...bySeat.get(pin.shiftId)!, pinnedStaffId: pin.staffId }));
    return this.newViolations(instance.context, pinned, instance.staff, at).map((v) => ({ field: `pins[${pins.findIndex((p) => p.shiftId === v.seatId)}]`, reason: `${v.kind}: ${v.detail}` }));
  }

  /** Solves the instance with the pins (already checked by pinProblems); the result covers the target seats only. */
  solve(instance: RosterInstance, pins: Pin[], seed: number | undefined, at: number): SolvedPlan {
    const pinBySeat = new Map(pins.map((pin) => [pin.shiftId, pin.staffId]));
    const seats: RosterSeat[] = [...instance.context, ...instance.target.map((s) => ({ ...s, pinnedStaffId: pinBySeat.get(s.seatId) }))];
    const solution = solveRoster({ seats, staff: instance.staff, previous: instance.previous, seed, rules: { timeZoneOffsetMinutes: this.offset(at) } });
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
  newViolations(context: RosterSeat[], changed: RosterSeat[], staff: RosterStaff[], at = Date.now()) {
    const changedIds = new Set(changed.map((s) => s.seatId));
    const base = context.filter((s) => !changedIds.has(s.seatId));
    const assignmentsOf = (seats: RosterSeat[]) => seats.filter((s) => s.pinnedStaffId).map((s) => ({ seatId: s.seatId, staffId: s.pinnedStaffId! }));
    const key = (v: { kind: string; seatId: string; staffId: string }) => `${v.kind}/${v.seatId}/${v.staffId}`;
    const rules = { timeZoneOffsetMinutes: this.offset(at) };
    const before = new Set(checkRoster(base, staff, assignmentsOf(base), rules).map(key));
    const all = [...base, ...changed];
    return checkRoster(all, staff, assignmentsOf(all), rules).filter((v) => !before.has(key(v)));
  }
}

/** A published shift as the solver sees it, held by `staffId`. */
export function publishedSeat(row: PublishedRow, staffId: string | null): RosterSeat {
  return {
    seatId: row.id,
    postId: row.post_id,
    jurisdiction: row.jurisdiction,
    start: new Date(row.start_at).getTime(),
    end: new Date(row.end_at).getTime(),
    requiredSkill: row.required_skill ?? undefined,
    pinnedStaffId: staffId ?? undefined,
    mode: row.mode,
  };
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
