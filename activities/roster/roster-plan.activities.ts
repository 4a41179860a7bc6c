import { Injectable } from '@nestjs/common';
import { ApplicationFailure } from '@temporalio/common';
import { DomainError } from '../../libs/domain/errors';
import { RosterPlanRepository } from '../../libs/persistence/roster/roster-plan.repository';
import { RosterPlanner } from '../../libs/roster/roster-planner';
import type { RosterPlanOutcome } from '../../workflows/roster/roster-plan.workflow';

/**
 * The roster plan workflow's work: the solve, in the worker, so that a full-size plan (about a
 * second of CPU) never stalls the API. Idempotent: a plan that is no longer solving is left as it is.
 */
@Injectable()
export class RosterPlanActivities {
  constructor(
    private readonly plans: RosterPlanRepository,
    private readonly planner: RosterPlanner,
  ) {}

  /** Solves a plan asked for, against the roster as it was at `asOf`, and stores it as a draft. */
  async solveRosterPlan({ planId }: { planId: string }): Promise<RosterPlanOutcome> {
    const plan = await this.plans.get(planId);
    if (!plan) throw ApplicationFailure.nonRetryable(`roster ${planId} not found`, 'RosterPlanNotFound');
    if (plan.state !== 'solving') return { planId, state: plan.state, failure: plan.failure ?? undefined };
    const { request } = plan;
    const asOf = (plan.asOf ?? plan.createdAt).getTime();
    const pins = request.pins ?? [];
    let posts;
    try {
      posts = await this.planner.posts(plan.postIds);
    } catch (error) {
      if (error instanceof DomainError) return this.failRosterPlan({ planId, reason: error.message });
      throw error;
    }
    const instance = await this.planner.instance(posts, plan.from, plan.to, (jurisdiction) => request.modes[jurisdiction] ?? 'peace', asOf);
    // Checked when asked for; the roster may have changed since.
    const problems = this.planner.pinProblems(instance, pins, asOf);
    if (problems.length) return this.failRosterPlan({ planId, reason: `the roster changed since the plan was asked for: ${problems.map((p) => `${p.field}: ${p.reason}`).join('; ')}` });
    const started = performance.now();
    const solved = await this.planner.solve(instance, pins, request.seed, asOf);
    solved.stats.solveMs = Math.round(performance.now() - started);
    await this.plans.storeDraft(planId, { seats: instance.target, ...solved });
    return { planId, state: 'draft' };
  }

  /** Marks a plan still solving as failed, with the reason. */
  async failRosterPlan({ planId, reason }: { planId: string; reason: string }): Promise<RosterPlanOutcome> {
    await this.plans.fail(planId, reason);
    return { planId, state: 'failed', failure: reason };
  }
}
