import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApplicationFailure } from '@temporalio/common';
import { DataSource } from 'typeorm';
import { localDate } from '../../libs/domain/local-time';
import { ObservationRepository } from '../../libs/persistence/observation/observation.repository';
import { PersonRepository } from '../../libs/persistence/observation/person.repository';
import { RosterPlanRepository } from '../../libs/persistence/roster/roster-plan.repository';
import { RosterPostRepository } from '../../libs/persistence/roster/roster-post.repository';
import { RosterShiftRepository, UntoldShift } from '../../libs/persistence/roster/roster-shift.repository';
import { RosterPlanner } from '../../libs/roster/roster-planner';
import { publishedNotices, RosterPlanningService } from '../../libs/roster/roster-planning.service';
import { DEFAULT_PATTERN, GUARD_POST_KIND } from '../../libs/roster/roster-seats';
import { ShiftFollower } from '../../libs/roster/shift-follower';
import { guardPostId } from '../../workflows/observation/observation.messages';

export interface GuardPostRequest {
  number: string;
  by: string;
}

/** What posting a guard did: the post, its plan, its shifts and those nobody could stand (with why). */
export interface GuardPostOutcome {
  postId: string;
  planId: string;
  shifts: number;
  unfilled: number;
  /** Why shifts stay unfilled (the first seat's reason, or that the community has no staff). */
  gap?: string;
}

export interface GuardPostClosing {
  number: string;
  by: string;
  reason: string;
}

/**
 * The "guard posted" measure's work, called by the observation workflow (so the step and its post
 * are one history: recorded once, replayed without posting again). A guard post is a roster post of
 * kind guard at the person's address, in their community, linked to the observation; its 8-hour
 * shifts up to the release are planned by the roster solver from the community's staff and
 * published as a roster is (rows, `roster_published` notices, shift workflows started as
 * publishing starts them). Both methods are idempotent: the post and its plan are keyed by the
 * observation number.
 */
@Injectable()
export class GuardPostActivities {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly observations: ObservationRepository,
    private readonly people: PersonRepository,
    private readonly posts: RosterPostRepository,
    private readonly plans: RosterPlanRepository,
    private readonly shifts: RosterShiftRepository,
    private readonly planner: RosterPlanner,
    private readonly planning: RosterPlanningService,
    private readonly follower: ShiftFollower,
  ) {}

  async postGuard({ number, by }: GuardPostRequest): Promise<GuardPostOutcome> {
    const observation = await this.observations.record(number);
    if (!observation) throw ApplicationFailure.nonRetryable(`observation ${number} not found`, 'ObservationNotFound');
    const person = await this.people.byId(observation.personId);
    const now = Date.now();
    const offset = this.planner.offset(now);
    const community = observation.community;
    // The community sends its own people to the door.
    const staff = (await this.planner.staff()).filter((s) => s.homeCommunity === community);
    const post = await this.posts.openGuardPost({
      id: guardPostId(number),
      kind: GUARD_POST_KIND,
      name: `guard ${number}`,
      location: person ? [person.building, person.unit, person.addressDetail].filter(Boolean).join(' ') : '',
      jurisdiction: community,
      subdistrict: observation.subdistrict,
      requirements: { peace: [{ headcount: 1 }], war: [{ headcount: 1 }] },
      pattern: [...DEFAULT_PATTERN],
      // Told of no-shows: a cadre of the community where there is one. With no staff at all the
      // supervisor hears of the post from the observation's escalation instead.
      supervisor: (staff.find((s) => s.role === 'cadre') ?? staff[0])?.staffId ?? `supervisor@${observation.subdistrict}`,
      onCall: staff.map((s) => s.staffId),
      observationNumber: number,
    });
    const releaseDue = observation.releaseDueAt.getTime();
    const from = localDate(now, offset);
    const to = localDate(Math.max(releaseDue - 1, now), offset);
    const modes = await this.planner.modes();
    const modeOf = (jurisdiction: string) => modes.get(jurisdiction) ?? 'peace';
    const { id: planId } = await this.plans.insert({
      from,
      to,
      postIds: [post.id],
      request: { modes: { [community]: modeOf(community) } },
      asOf: new Date(now),
      createdBy: by,
      requestId: `guard-post:${number}`,
    });
    let plan = (await this.plans.get(planId))!;
    if (plan.state === 'solving') {
      const instance = await this.planner.instance([post], from, to, modeOf, now);
      const ids = new Set(staff.map((s) => s.staffId));
      // From now until the release, by the community's staff, around their other shifts.
      const seats = instance.target.filter((seat) => seat.start < releaseDue);
      const context = instance.context.filter((seat) => seat.pinnedStaffId && ids.has(seat.pinnedStaffId));
      const solved = await this.planner.solve({ ...instance, target: seats, context, staff: instance.staff.filter((s) => ids.has(s.staffId)) }, [], undefined, now);
      await this.plans.storeDraft(planId, { seats, ...solved });
      plan = (await this.plans.get(planId))!;
    }
    if (plan.state === 'draft') await this.planning.apply({ plan, posts: [post], modeOf, by, now, during: publishedNotices(plan) });
    const gap = plan.unfilled.length ? (staff.length ? plan.unfilled[0].reason : `no staff in community ${community}`) : undefined;
    return { postId: post.id, planId, shifts: plan.seats.length, unfilled: plan.unfilled.length, ...(gap ? { gap } : {}) };
  }

  /**
   * Closes the observation's guard post, if it has one: its shifts nobody is working are cancelled,
   * and those whose workflow runs marked untold in the same transaction, then told (ShiftFollower):
   * a telling that fails is the reconciler's, and a shift whose workflow starts meanwhile is marked
   * by its start (ShiftLauncher). A shift on duty runs to its end and hands over to nobody, as at
   * any post that closes. Again: nothing more to do.
   */
  async closeGuardPost({ number, by, reason }: GuardPostClosing): Promise<{ cancelled: string[] }> {
    const postId = guardPostId(number);
    if (!(await this.posts.get(postId))) return { cancelled: [] };
    const { cancelled, untold } = await this.dataSource.transaction(async (tx) => {
      const at = new Date();
      await this.posts.close(tx, postId, at, reason);
      const shifts = await this.shifts.notWorked(tx, postId);
      const changes: UntoldShift[] = [];
      for (const shift of shifts) {
        if ((await this.shifts.cancel(tx, shift.id, at, reason))?.workflowStarted) changes.push({ id: shift.id, status: 'cancelled', staffId: shift.staffId, told: { by, reason } });
      }
      await this.shifts.markUntold(tx, changes);
      return { cancelled: shifts.map((s) => s.id), untold: changes };
    });
    await this.follower.tell(untold);
    return { cancelled };
  }
}
