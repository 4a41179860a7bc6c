import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { utcOffsetMinutes } from '../config/time-zone';
import { FieldProblem, invalidAll } from '../domain/errors';
import { DAY, MINUTE, addDays, localDate } from '../domain/local-time';
import { RosterModeRepository } from '../persistence/roster/roster-mode.repository';
import { RosterPost, RosterPostRepository } from '../persistence/roster/roster-post.repository';
import { RosterShift, RosterShiftRepository } from '../persistence/roster/roster-shift.repository';
import { RosterStaffRepository } from '../persistence/roster/roster-staff.repository';
import { checkRoster, type RosterAssignment, type RosterSeat, type RosterStaff, type UnfilledSeat } from './roster-solver';
import { PlannedSeat, RosterMode, seatsOf } from './roster-seats';
import { solveRosterOffThread } from './roster-solve-thread';

/** Published shifts this far before a plan's first day count for rest, consecutive days and weekly hours. */
export const CONTEXT_DAYS = 7;

export interface Pin {
  shiftId: string;
  staffId: string;
}

/** The solver's instance: the seats to fill, the published shifts around them, the staff. */
export interface RosterInstance {
  target: PlannedSeat[];
  context: RosterSeat[];
  previous: RosterAssignment[];
  staff: RosterStaff[];
  /** Published seats of the plan's posts and dates that the target no longer has and that may still go. */
  removable: RosterShift[];
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
 * over them. The solver (roster-solver.ts) is pure; this feeds it the published shifts so that
 * minimal change and every hard rule hold across what is already on the roster.
 */
@Injectable()
export class RosterPlanner {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly postRepository: RosterPostRepository,
    private readonly modeRepository: RosterModeRepository,
    private readonly staffRepository: RosterStaffRepository,
    private readonly shifts: RosterShiftRepository,
  ) {}

  offset(at = Date.now()): number {
    return utcOffsetMinutes(this.config.timeZone, at);
  }

  /** The posts by id; unknown ones are refused (422 naming `postIds`). */
  async posts(postIds: string[]): Promise<RosterPost[]> {
    const posts = await this.postRepository.getMany(postIds);
    const known = new Set(posts.map((p) => p.id));
    const unknown = postIds.filter((id) => !known.has(id));
    if (unknown.length) throw invalidAll(unknown.map((id) => ({ field: 'postIds', reason: `unknown post ${id}` })));
    return posts;
  }

  /** The mode of each jurisdiction ever switched; the others are in peace time. */
  modes(): Promise<Map<string, RosterMode>> {
    return this.modeRepository.all();
  }

  staff(): Promise<RosterStaff[]> {
    return this.staffRepository.all();
  }

  async instance(posts: RosterPost[], from: string, to: string, modeOf: (jurisdiction: string) => RosterMode, now: number): Promise<RosterInstance> {
    const offset = this.offset(now);
    const target = seatsOf(posts, from, to, modeOf, offset, now);
    const windowStart = Date.parse(`${addDays(from, -CONTEXT_DAYS)}T00:00:00Z`) - offset * MINUTE;
    const windowEnd = Date.parse(`${addDays(to, 2)}T00:00:00Z`) - offset * MINUTE;
    const published = await this.shifts.published(new Date(windowStart), new Date(windowEnd));
    const targetIds = new Set(target.map((s) => s.seatId));
    const movable = (shift: RosterShift) => shift.dutyState === 'scheduled' && shift.startAt.getTime() > now;
    const fixed = published.filter((shift) => !(targetIds.has(shift.id) && movable(shift)));
    const fixedIds = new Set(fixed.map((shift) => shift.id));
    const postIds = new Set(posts.map((p) => p.id));
    const dates = new Set<string>();
    for (let date = from; date <= to; date = addDays(date, 1)) dates.add(date);
    return {
      target: target.filter((seat) => !fixedIds.has(seat.seatId)),
      // Worked, running and other posts' shifts stay as they are: the solver sees them as pins.
      context: fixed.filter((shift) => holderOf(shift)).map((shift) => publishedSeat(shift, holderOf(shift))),
      previous: published.filter((shift) => shift.staffId && targetIds.has(shift.id) && movable(shift)).map((shift) => ({ seatId: shift.id, staffId: shift.staffId! })),
      staff: await this.staff(),
      removable: published.filter(
        (shift) => postIds.has(shift.postId) && dates.has(localDate(shift.startAt.getTime(), offset)) && !targetIds.has(shift.id) && ['scheduled', 'no_show'].includes(shift.dutyState),
      ),
    };
  }

  /**
   * Hard-rule violations a set of reassignments (swap, open shift, a check-in covering a gap) would
   * bring, checked against the published shifts around them with the one checker.
   */
  async changeViolations(changes: Array<{ shiftId: string; staffId: string }>, now = Date.now()) {
    const shifts = await this.shifts.getMany(changes.map((c) => c.shiftId));
    const starts = shifts.map((s) => s.startAt.getTime());
    const from = Math.min(...starts) - (CONTEXT_DAYS + 1) * DAY;
    const to = Math.max(...starts) + (CONTEXT_DAYS + 1) * DAY;
    const around = await this.shifts.published(new Date(from), new Date(to), { held: true });
    const changed = changes.map((c) => publishedSeat(shifts.find((s) => s.id === c.shiftId)!, c.staffId));
    return this.newViolations(around.map((s) => publishedSeat(s, holderOf(s))), changed, await this.staff(), now);
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

  /** Solves the instance with the pins (already checked by pinProblems), off the event loop; the result covers the target seats only. */
  async solve(instance: RosterInstance, pins: Pin[], seed: number | undefined, at: number): Promise<SolvedPlan> {
    const pinBySeat = new Map(pins.map((pin) => [pin.shiftId, pin.staffId]));
    const seats: RosterSeat[] = [...instance.context, ...instance.target.map((s) => ({ ...s, pinnedStaffId: pinBySeat.get(s.seatId) }))];
    const solution = await solveRosterOffThread({ seats, staff: instance.staff, previous: instance.previous, seed, rules: { timeZoneOffsetMinutes: this.offset(at) } });
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

/** Who holds a shift: whoever checked in (the assignee or a cover), else the assignee. */
function holderOf(shift: RosterShift): string | null {
  return shift.checkedInBy ?? shift.staffId;
}

/** A published shift as the solver sees it, held by `staffId`. */
function publishedSeat(shift: RosterShift, staffId: string | null): RosterSeat {
  return {
    seatId: shift.id,
    postId: shift.postId,
    jurisdiction: shift.jurisdiction,
    start: shift.startAt.getTime(),
    end: shift.endAt.getTime(),
    requiredSkill: shift.requiredSkill ?? undefined,
    pinnedStaffId: staffId ?? undefined,
    mode: shift.mode,
  };
}
