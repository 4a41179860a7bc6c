/**
 * Moves the running observations a supervisor selects onto a new policy version, one update each,
 * durably and with progress: started by `POST /observation-policies/:id/rollouts`.
 */
import { continueAsNew, defineQuery, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { PolicyRolloutActivities } from '../../activities/observation/policy-rollout.activities';

const { selectObservationsForPolicy, moveObservationToPolicy } = proxyActivities<PolicyRolloutActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumInterval: '1 minute' },
});

export interface PolicyRolloutInput {
  policyId: string;
  by: string;
  subdistrict?: string;
  community?: string;
  /** The observations a confirmed preview showed: exactly these are moved (else they are selected when the rollout starts). */
  numbers?: string[];
}

export interface PolicyRolloutProgress {
  policyId: string;
  total: number;
  moved: number;
  skipped: Array<{ number: string; reason: string }>;
  done: boolean;
}

export const policyRolloutProgressQuery = defineQuery<PolicyRolloutProgress>('progress');

const BATCH = 20;
/** A run handles this many observations before continuing as new, keeping its history short. */
const PER_RUN = 400;

export async function policyRolloutWorkflow(input: PolicyRolloutInput, carried?: { numbers: string[]; progress: PolicyRolloutProgress }): Promise<PolicyRolloutProgress> {
  const progress: PolicyRolloutProgress = carried?.progress ?? { policyId: input.policyId, total: 0, moved: 0, skipped: [], done: false };
  // Registered before the first await, so a supervisor can ask for progress from the start.
  setHandler(policyRolloutProgressQuery, () => progress);
  const numbers = carried?.numbers ?? (input.numbers ? [...input.numbers] : await selectObservationsForPolicy(input));
  if (!carried) progress.total = numbers.length;

  let handled = 0;
  while (numbers.length) {
    if (handled >= PER_RUN || workflowInfo().continueAsNewSuggested) {
      // The numbers left travel once, in `carried`.
      await continueAsNew<typeof policyRolloutWorkflow>({ ...input, numbers: undefined }, { numbers, progress });
    }
    const batch = numbers.splice(0, BATCH);
    const results = await Promise.all(batch.map((number) => moveObservationToPolicy({ number, policyId: input.policyId, by: input.by })));
    results.forEach((result, i) => {
      if (result.moved) progress.moved += 1;
      else progress.skipped.push({ number: batch[i], reason: result.reason });
    });
    handled += batch.length;
  }
  progress.done = true;
  return progress;
}
