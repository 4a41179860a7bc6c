import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from '@temporalio/client';
import { DataSource, EntityManager } from 'typeorm';
import { NotificationOutbox, NotificationRequest } from '../notifications/notification-outbox';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { conflict, FieldProblem, invalidAll, notFound } from '../domain/errors';
import { fingerprintOf } from '../domain/fingerprint';
import { parseUuid } from '../domain/ids';
import { addDays, isDate, localDate } from '../domain/local-time';
import { RosterPlan, RosterPlanRepository } from '../persistence/roster/roster-plan.repository';
import type { RosterPost } from '../persistence/roster/roster-post.repository';
import { RosterShiftRepository, UntoldShift } from '../persistence/roster/roster-shift.repository';
import { Pin, RosterPlanner } from './roster-planner';
import type { RosterMode } from './roster-seats';
import type { UnfilledSeat } from './roster-solver';
import { ShiftFollower } from './shift-follower';
import { ShiftLauncher, START_HORIZON_MS } from './shift-launcher';
import { StaffNotices } from './staff-notices';
import { TEMPORAL_CLIENT } from '../temporal/temporal.module';
import { RosterPlanRequest, rosterPlanWorkflow, rosterPlanWorkflowId } from '../../workflows/roster/roster-plan.workflow';

/** The longest range one plan may cover. */
const MAX_PLAN_DAYS = 62;

export interface PlanRequest {
  from: string;
  to: string;
  postIds: string[];
  pins?: Pin[];
  seed?: number;
  by: string;
  /** The client's idempotency key. */
  requestId?: string;
}

export interface PublishResult {
  planId: string;
  published: number;
  added: string[];
  reassigned: Array<{ shiftId: string; from: string | null; to: string | null }>;
  cancelled: string[];
  unfilled: UnfilledSeat[];
  started: string[];
  /** Shifts whose running workflow could not be told of its change yet (Temporal unavailable): the reconciler tells it. */
  untold: string[];
  /** Everyone whose shifts changed. */
  affectedStaff: string[];
}

/**
 * A plan to apply: `modeOf` tells which seats the plan's dates should have now; `during` runs
 * inside the transaction and returns the notices to send.
 */
export interface PlanApplication {
  plan: RosterPlan;
  posts: RosterPost[];
  modeOf: (jurisdiction: string) => RosterMode;
  by: string;
  now: number;
  during?: (tx: EntityManager, result: PublishResult) => Promise<NotificationRequest[]>;
}

/** What applying a plan would do, without doing it: the changes, the notices, and their fingerprint. */
export interface PlanOutcome {
  result: PublishResult;
  notices: NotificationRequest[];
  /** Changes the same way exactly when the changes or the notices' recipients do (the confirm checks it). */
  fingerprint: string;
}

/** How `apply` runs: for real; as a preview (everything rolled back); or for real only if it does what a preview showed. */
type ApplyMode = { kind: 'apply' } | { kind: 'preview' } | { kind: 'confirm'; fingerprint: string };

/** Ends an applying transaction with its outcome, rolling it back. */
class RolledBack extends Error {
  constructor(readonly outcome: PlanOutcome) {
    super('rolled back');
  }
}

/** The outcome a previewing transaction rolled back with. */
async function outcomeOf(previewing: Promise<unknown>): Promise<PlanOutcome> {
  try {
    await previewing;
  } catch (error) {
    if (error instanceof RolledBack) return error.outcome;
    throw error;
  }
  throw new Error('a preview must roll back');
}

/** What a plan's outcome changes and whom it tells, in a fixed order. */
function outcomeFingerprint(result: PublishResult, notices: NotificationRequest[]): string {
  return fingerprintOf({
    added: [...result.added].sort(),
    cancelled: [...result.cancelled].sort(),
    reassigned: result.reassigned.map((r) => `${r.shiftId}:${r.from}>${r.to}`).sort(),
    unfilled: result.unfilled.map((u) => u.seatId).sort(),
    affectedStaff: result.affectedStaff,
    notices: notices.map((n) => `${n.template}:${JSON.stringify(n.recipient)}`).sort(),
  });
}

/** The notices of a published plan: one `roster_published` to everyone whose shifts it changed. */
export function publishedNotices(plan: RosterPlan) {
  return async (_tx: EntityManager, published: PublishResult): Promise<NotificationRequest[]> =>
    published.affectedStaff.map((staff) => ({
      id: `roster-published:${plan.id}:${staff}`,
      recipient: { staffId: staff },
      template: 'roster_published',
      concerns: { kind: 'roster', id: plan.id },
      params: { from: plan.from, to: plan.to },
    }));
}

/**
 * Roster plans and their publication, and the peace/war switch built on them. A plan is solved by
 * the worker (workflows/roster/roster-plan.workflow.ts), never on the API's event loop;
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
    private readonly follower: ShiftFollower,
    private readonly notices: StaffNotices,
    private readonly outbox: NotificationOutbox,
    private readonly plans: RosterPlanRepository,
    private readonly shifts: RosterShiftRepository,
  ) {}

  /**
   * `POST /rosters`: checks the request (dates, posts, pins: 422 naming the field), records it and
   * starts its solve in the worker. Answers at once with the plan in state `solving`; `plan(id)`
   * shows it as a draft once solved. Asked again with the same `requestId`, answers the plan it made.
   */
  async createPlan(request: PlanRequest, now = Date.now()): Promise<RosterPlan> {
    const asked = request.requestId ? await this.plans.findByRequestId(request.requestId) : undefined;
    if (asked) return asked;
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
    return this.startPlan({ from: request.from, to: request.to, posts, modeOf, pins, seed: request.seed, by: request.by, now, requestId: request.requestId });
  }

  /** Records a plan for the posts and dates in the given modes and starts its solve; the plan as recorded (solving). */
  private async startPlan(args: { from: string; to: string; posts: RosterPost[]; modeOf: (jurisdiction: string) => RosterMode; pins?: Pin[]; seed?: number; by: string; now: number; requestId?: string }): Promise<RosterPlan> {
    const request: RosterPlanRequest = { pins: args.pins, seed: args.seed, modes: Object.fromEntries(args.posts.map((p) => [p.jurisdiction, args.modeOf(p.jurisdiction)])) };
    const { id, created } = await this.plans.insert({ from: args.from, to: args.to, postIds: args.posts.map((p) => p.id), request, asOf: new Date(args.now), createdBy: args.by, requestId: args.requestId });
    if (created) {
      try {
        await this.client.workflow.start(rosterPlanWorkflow, { workflowId: rosterPlanWorkflowId(id), taskQueue: this.config.temporal.taskQueue, args: [{ planId: id }] });
      } catch (error) {
        // Nothing will solve it: say so on the plan rather than leave it solving.
        await this.plans.fail(id, `the solve could not be started: ${(error as Error).message}`);
        throw error;
      }
    }
    return this.plan(id);
  }

  /** Plans and solves in one go (the mode switch): answers once the worker has solved the plan. */
  async solvePlan(args: { from: string; to: string; posts: RosterPost[]; modeOf: (jurisdiction: string) => RosterMode; by: string; now: number }): Promise<RosterPlan> {
    return this.whenSolved((await this.startPlan(args)).id);
  }

  /** The plan once its solve has finished; a plan that could not be solved is a conflict naming why. */
  async whenSolved(id: string): Promise<RosterPlan> {
    await this.client.workflow.getHandle(rosterPlanWorkflowId(id)).result();
    const plan = await this.plan(id);
    if (plan.state === 'failed') throw conflict(`roster ${id} could not be planned: ${plan.failure}`, {}, [{ field: 'id', reason: plan.failure! }]);
    return plan;
  }

  async plan(id: string): Promise<RosterPlan> {
    const uuid = parseUuid(id);
    const plan = uuid ? await this.plans.get(uuid) : undefined;
    if (!plan) throw notFound('roster', id);
    return plan;
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
    return this.apply({ plan, posts, modeOf: (j) => modes.get(j) ?? 'peace', by, now, during: publishedNotices(plan) });
  }

  /**
   * Applies a plan: `modeOf` tells which seats the plan's dates should have now, so seats the plan
   * solved that are no longer wanted are dropped; `during` runs inside the transaction and returns
   * the notices to send, stored with it and sent after the commit.
   */
  async apply(application: PlanApplication): Promise<PublishResult> {
    return this.applyAs({ kind: 'apply' }, application);
  }

  /**
   * What `apply` would do now: the same statements in a transaction that is rolled back, so the
   * preview and the confirm cannot differ in how they decide.
   */
  async preview(application: PlanApplication): Promise<PlanOutcome> {
    return outcomeOf(this.applyAs({ kind: 'preview' }, application));
  }

  /**
   * Applies the plan only if it does exactly what the preview with `fingerprint` showed; if the data
   * moved since, nothing changes and the 409 carries the new preview (`preview` in the problem).
   */
  async confirm(fingerprint: string, application: PlanApplication, describe: (outcome: PlanOutcome) => object): Promise<PublishResult> {
    try {
      return await this.applyAs({ kind: 'confirm', fingerprint }, application);
    } catch (error) {
      if (!(error instanceof RolledBack)) throw error;
      throw conflict('the roster changed since this preview: nothing was changed; here is what it would do now', { preview: describe(error.outcome) }, [
        { field: 'previewId', reason: 'outdated' },
      ]);
    }
  }

  private async applyAs(mode: ApplyMode, { plan, posts, modeOf, by, now, during }: PlanApplication): Promise<PublishResult> {
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
    const result: PublishResult = { planId: plan.id, published: seats.length, added: [], reassigned: [], cancelled: [], unfilled: plan.unfilled.filter((u) => seatIds.has(u.seatId)), started: [], untold: [], affectedStaff: [] };
    // The shifts whose running workflow must follow their row: told after the commit (ShiftFollower).
    const published = { by, reason: `roster ${plan.id} published` };
    const notNeeded = { by, reason: 'not needed by the roster' };
    const toTell: UntoldShift[] = [];
    const affected = new Set<string>();

    await this.transactionNotifying(async (tx) => {
      // First, so a second publishing of the same draft waits here for the first and is refused.
      if (!(await this.plans.markPublished(tx, plan.id, by))) throw conflict(`roster ${plan.id} was published meanwhile`, {}, [{ field: 'id', reason: 'roster is published' }]);
      for (const seat of seats) {
        const staffId = holder.get(seat.seatId) ?? null;
        const before = await this.shifts.lock(tx, seat.seatId);
        if (before && before.status === 'published' && before.dutyState !== 'scheduled') continue;
        const revived = before && before.status === 'cancelled';
        await this.shifts.publish(tx, seat, { staffId, unfilledReason: unfilledReason.get(seat.seatId) ?? null, planId: plan.id });
        if (!before || revived) {
          result.added.push(seat.seatId);
          if (staffId) affected.add(staffId);
        } else if (before.staffId !== staffId) {
          result.reassigned.push({ shiftId: seat.seatId, from: before.staffId, to: staffId });
          for (const id of [before.staffId, staffId]) if (id) affected.add(id);
          if (before.workflowStarted) toTell.push({ id: seat.seatId, status: 'published', staffId, told: published });
        }
      }
      for (const shift of instance.removable) {
        // Read before this transaction: worked since, it stays; started since, its workflow is told.
        const cancelled = await this.shifts.cancel(tx, shift.id, new Date(now), 'not needed by the roster');
        if (!cancelled) continue;
        result.cancelled.push(shift.id);
        if (shift.staffId) affected.add(shift.staffId);
        if (cancelled.workflowStarted) toTell.push({ id: shift.id, status: 'cancelled', staffId: shift.staffId, told: notNeeded });
      }
      await this.shifts.markUntold(tx, toTell);
      result.affectedStaff = [...affected].sort();
      const notices = (await during?.(tx, result)) ?? [];
      if (mode.kind !== 'apply') {
        const fingerprint = outcomeFingerprint(result, notices);
        if (mode.kind === 'preview' || fingerprint !== mode.fingerprint) throw new RolledBack({ result, notices, fingerprint });
      }
      return { value: undefined, notices };
    });

    const told = new Set(await this.follower.tell(toTell));
    result.untold = toTell.filter((change) => !told.has(change.id)).map((change) => change.id);
    result.started = await this.launcher.startDue(this.client, { now, until: now + START_HORIZON_MS });
    return result;
  }

  /** What `work` would store and send, rolled back: the preview of a change made without a plan. */
  async previewNotifying(work: (tx: EntityManager) => Promise<{ result: PublishResult; notices: NotificationRequest[] }>): Promise<PlanOutcome> {
    return outcomeOf(
      this.dataSource.transaction(async (tx) => {
        const { result, notices } = await work(tx);
        throw new RolledBack({ result, notices, fingerprint: outcomeFingerprint(result, notices) });
      }),
    );
  }

  /**
   * Runs `work` in one transaction; the notices it returns are stored in that transaction's outbox
   * and sent right after the commit (best effort: failures stay pending for the outbox's retries).
   */
  async transactionNotifying<T>(work: (tx: EntityManager) => Promise<{ value: T; notices: NotificationRequest[] }>): Promise<T> {
    const { value, toDeliver } = await this.dataSource.transaction(async (tx) => {
      const done = await work(tx);
      return { value: done.value, toDeliver: await this.notices.store(tx, done.notices) };
    });
    await this.outbox.tryNow(toDeliver);
    return value;
  }
}
