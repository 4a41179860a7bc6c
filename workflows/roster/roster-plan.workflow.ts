/**
 * One roster plan (`roster-plan-<id>`): `POST /rosters` records what was asked and starts this
 * workflow; its activity solves the plan in the worker and stores it as a draft, so the API's event
 * loop never runs the solver. A solve that keeps failing marks the plan failed with the reason,
 * never leaving it "solving".
 */
import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { RosterPlanActivities } from '../../activities/roster/roster-plan.activities';
import type { RosterMode } from '../../libs/roster/roster-seats';

const { solveRosterPlan } = proxyActivities<RosterPlanActivities>({
  // A plan of the largest size allowed solves in well under this; one that does not is tried again.
  startToCloseTimeout: '10 minutes',
  retry: { maximumInterval: '1 minute', maximumAttempts: 20 },
});
const { failRosterPlan } = proxyActivities<RosterPlanActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '1 minute' },
});

/** What a plan was asked for with, besides its dates and posts (stored with the plan). */
export interface RosterPlanRequest {
  pins?: Array<{ shiftId: string; staffId: string }>;
  seed?: number;
  /** The mode of each jurisdiction of the plan's posts, as it was asked for (a mode switch plans in the new one). */
  modes: Record<string, RosterMode>;
}

export interface RosterPlanOutcome {
  planId: string;
  state: 'draft' | 'published' | 'failed';
  failure?: string;
}

export function rosterPlanWorkflowId(planId: string): string {
  return `roster-plan-${planId}`;
}

export async function rosterPlanWorkflow(input: { planId: string }): Promise<RosterPlanOutcome> {
  try {
    return await solveRosterPlan(input);
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    return failRosterPlan({ planId: input.planId, reason: `the solve failed: ${error.cause?.message ?? error.message}` });
  }
}
