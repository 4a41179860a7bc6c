/**
 * The reconciler, run by a Temporal Schedule (libs/temporal/schedules.ts), keeps records and
 * workflows in agreement: a record committed before its workflow start failed (Temporal down, the
 * API killed between the two) is found here and its workflow started, once. Each kind of record is
 * its own activity, so one failing does not hold back the others; the next pass tries it again.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { ReconcilerActivities, Reconciled } from '../../activities/system/reconciler.activities';

const { reconcileObservations, reconcileTransferRuns, reconcileShifts, reconcileImports } = proxyActivities<ReconcilerActivities>({
  startToCloseTimeout: '5 minutes',
  // A pass lost with a server restart would otherwise hold the schedule (overlap: skip) for five minutes.
  heartbeatTimeout: '30 seconds',
  retry: { maximumAttempts: 3 },
});

export interface ReconcilerOutcome {
  observations: Reconciled;
  transferRuns: Reconciled;
  shifts: Reconciled;
  imports: Reconciled;
}

export async function reconcilerWorkflow(): Promise<ReconcilerOutcome> {
  const settled = await Promise.allSettled([reconcileObservations(), reconcileTransferRuns(), reconcileShifts(), reconcileImports()]);
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  const [observations, transferRuns, shifts, imports] = settled.map((result) => (result as PromiseFulfilledResult<Reconciled>).value);
  return { observations, transferRuns, shifts, imports };
}
