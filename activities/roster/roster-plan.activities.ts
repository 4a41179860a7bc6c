import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApplicationFailure } from '@temporalio/common';
import { DataSource } from 'typeorm';
import { DomainError } from '../../libs/domain/errors';
import type { RosterPlanOutcome, RosterPlanRequest } from '../../workflows/roster/roster-plan.workflow';
import { RosterPlanner } from './roster-planner';

/**
 * The roster plan workflow's work: the solve, in the worker, so that a full-size plan (about a
 * second of CPU) never stalls the API. Idempotent: a plan that is no longer solving is left as it is.
 */
@Injectable()
export class RosterPlanActivities {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly planner: RosterPlanner,
  ) {}

  /** Solves a plan asked for, against the roster as it was at `as_of`, and stores it as a draft. */
  async solveRosterPlan({ planId }: { planId: string }): Promise<RosterPlanOutcome> {
    const [row] = await this.dataSource.query(
      `SELECT state, failure, to_char(from_date, 'YYYY-MM-DD') AS "from", to_char(to_date, 'YYYY-MM-DD') AS "to", post_ids, request, as_of FROM roster_plan WHERE id = $1`,
      [planId],
    );
    if (!row) throw ApplicationFailure.nonRetryable(`roster ${planId} not found`, 'RosterPlanNotFound');
    if (row.state !== 'solving') return { planId, state: row.state, failure: row.failure ?? undefined };
    const request = row.request as RosterPlanRequest;
    const asOf = new Date(row.as_of).getTime();
    const pins = request.pins ?? [];
    let posts;
    try {
      posts = await this.planner.posts(row.post_ids);
    } catch (error) {
      if (error instanceof DomainError) return this.failRosterPlan({ planId, reason: error.message });
      throw error;
    }
    const instance = await this.planner.instance(posts, row.from, row.to, (jurisdiction) => request.modes[jurisdiction] ?? 'peace', asOf);
    // Checked when asked for; the roster may have changed since.
    const problems = this.planner.pinProblems(instance, pins, asOf);
    if (problems.length) return this.failRosterPlan({ planId, reason: `the roster changed since the plan was asked for: ${problems.map((p) => `${p.field}: ${p.reason}`).join('; ')}` });
    const started = performance.now();
    const solved = this.planner.solve(instance, pins, request.seed, asOf);
    solved.stats.solveMs = Math.round(performance.now() - started);
    await this.dataSource.query(
      `UPDATE roster_plan SET state = 'draft', seats = $2, assignments = $3, unfilled = $4, stats = $5 WHERE id = $1 AND state = 'solving'`,
      [planId, JSON.stringify(instance.target), JSON.stringify(solved.assignments), JSON.stringify(solved.unfilled), JSON.stringify(solved.stats)],
    );
    return { planId, state: 'draft' };
  }

  /** Marks a plan still solving as failed, with the reason. */
  async failRosterPlan({ planId, reason }: { planId: string; reason: string }): Promise<RosterPlanOutcome> {
    await this.dataSource.query(`UPDATE roster_plan SET state = 'failed', failure = $2 WHERE id = $1 AND state = 'solving'`, [planId, reason]);
    return { planId, state: 'failed', failure: reason };
  }
}
