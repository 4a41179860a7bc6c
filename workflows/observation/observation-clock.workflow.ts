/**
 * The observation clock (README "Home observation", cohort work): one workflow per task queue that
 * does once per slot what each observation would otherwise wake for on its own. At each instant a
 * policy's reminder or deadline falls due it runs one pass (observation-clock.activities.ts): the
 * reminders of everyone owing the slot, or the sweep that escalates those who did not report.
 * `handledUntil` is the clock's only state: each pass covers (handledUntil, now], so a pass the
 * worker did not finish, or instants the clock slept through, are covered by the next, once.
 */
import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ObservationClockActivities } from '../../activities/observation/observation-clock.activities';
import { clockWakeSignal } from './observation.messages';

// A pass of 100,000 reminders takes minutes; it heartbeats every few hundred, so a pass on a killed
// worker is retried within half a minute, and a retry repeats nothing already done.
const { runObservationClock } = proxyActivities<ObservationClockActivities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '30 seconds', retry: { maximumInterval: '30 seconds' } });

/** An observation moved onto a policy without the wake signal reaching the clock is seen within this. */
const LONGEST_SLEEP_MS = 60 * 60 * 1000;
/** Four passes a slot-day per policy: a run covers weeks before it continues as new. */
const PASSES_PER_RUN = 500;

export interface ObservationClockState {
  handledUntil: number;
}

export async function observationClockWorkflow(carried?: ObservationClockState): Promise<never> {
  let handledUntil = carried?.handledUntil ?? Date.now();
  let woken = false;
  setHandler(clockWakeSignal, () => void (woken = true));
  for (let pass = 1; ; pass++) {
    // Cleared before the pass: a wake during it (an enrolment it may not have seen) brings another.
    woken = false;
    const now = Date.now();
    const { nextAt } = await runObservationClock({ clock: workflowInfo().taskQueue, from: handledUntil, to: now });
    handledUntil = now;
    if (pass >= PASSES_PER_RUN || workflowInfo().continueAsNewSuggested) await continueAsNew<typeof observationClockWorkflow>({ handledUntil });
    // With nobody on the clock it sleeps until an enrolment wakes it (no timer ticking through idle months).
    if (nextAt === null) await condition(() => woken);
    else await condition(() => woken, Math.max(1, Math.min(nextAt, now + LONGEST_SLEEP_MS) - Date.now()));
  }
}
