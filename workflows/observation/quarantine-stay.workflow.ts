/**
 * One quarantine stay at a hotel (集中隔离), from the hotel's hand-over to the room's check-out.
 * The stay checks the person into a room and runs its daily health checks as an observation of its
 * own, the observation workflow as a child: the same slots, reminders, reports, fever escalation and
 * release on day N (observation-schedule.ts, observation-policy.ts), with no second loop. The stay
 * ends when that observation does: released at the end of the period, or transferred out when a
 * supervisor ends it early (a hospital decision, another site). A supervisor's hand-back ends it to
 * send the person home for the days left: a home observation with the same anchor date, enrolled once.
 */
import { allHandlersFinished, condition, ParentClosePolicy, proxyActivities, setHandler, startChild } from '@temporalio/workflow';
import type { QuarantineStayActivities } from '../../activities/observation/quarantine-stay.activities';
import { commandRejected } from '../shared/command-rejected';
import { ObservationInput, observationWorkflowId } from './observation.messages';
import { observationWorkflow, ObservationOutcome } from './observation.workflow';
import { observationSearchAttributes } from './tracking-entry';
import { handBackUpdate, StayInput, stayStateQuery, StayView } from './quarantine-stay.messages';

const { checkInStay, endStayHealthChecks, handBackHome, checkOutStay } = proxyActivities<QuarantineStayActivities>({
  startToCloseTimeout: '1 minute',
  // A hotel with no room free (planning refuses a full hotel, so a stale count) is retried until one frees up.
  retry: { maximumInterval: '5 minutes' },
});

export async function quarantineStayWorkflow(input: StayInput): Promise<StayView> {
  const state: StayView = { stayId: input.stayId, status: 'checking_in' };
  let handingBack = false;
  let healthChecksAreChild = false;
  let healthChecksOver: Promise<Pick<ObservationOutcome, 'status' | 'endReason'>> | undefined;

  setHandler(stayStateQuery, () => state);
  setHandler(
    handBackUpdate,
    async ({ by, note, ...home }) => {
      handingBack = true;
      try {
        if (state.observationNumber) await endStayHealthChecks({ number: state.observationNumber, by, note });
        // The observation's end is written before its workflow closes: the person is then no longer under observation.
        if (healthChecksAreChild) await healthChecksOver;
        const { homeObservationNumber } = await handBackHome({ stayId: input.stayId, by, ...home });
        Object.assign(state, { status: 'handed_back', homeObservationNumber, endReason: 'handed back to home observation for the days left' });
      } finally {
        handingBack = false;
      }
      return state;
    },
    {
      validator: ({ by, responsibleWorker }) => {
        if (state.status !== 'in_room' || handingBack) {
          throw commandRejected('conflict', [{ field: 'stayId', reason: handingBack ? 'a hand-back is under way' : `the stay is ${state.status.replace('_', ' ')}` }]);
        }
        if (Date.now() >= state.releaseDueAt!) throw commandRejected('conflict', [{ field: 'stayId', reason: 'the period is over: no days are left to observe at home' }]);
        if (!by?.trim()) throw commandRejected('invalid', [{ field: 'by', reason: 'is required' }]);
        if (!responsibleWorker?.trim()) throw commandRejected('invalid', [{ field: 'responsibleWorker', reason: 'is required' }]);
      },
    },
  );

  const { observation, ...stay } = await checkInStay(input.stayId);
  const child = observation && (await startHealthChecks(observation));
  healthChecksAreChild = !!child;
  Object.assign(state, stay, { status: 'in_room', observationNumber: observation?.number });
  // No health checks (why is on the record), or ones run on their own: the room is kept to the end of the period.
  healthChecksOver = child
    ? child.outcome
    : condition(() => state.status !== 'in_room', Math.max(state.releaseDueAt! - Date.now(), 1)).then(() => ({ status: 'released' as const }));

  const outcome = await healthChecksOver;
  await condition(() => !handingBack);
  if (state.status === 'in_room') {
    const end = outcome.status === 'released' ? { status: 'released' as const, reason: 'the period is over' } : { status: 'transferred_out' as const, reason: outcome.endReason ?? 'ended' };
    await checkOutStay({ stayId: input.stayId, ...end });
    Object.assign(state, { status: end.status, endReason: end.reason });
  }
  await condition(allHandlersFinished);
  return state;
}

/**
 * Starts the health checks' observation as the stay's child; its outcome. None when the reconciler
 * started it first (the stay's worker was away past its grace): it then runs on its own.
 */
async function startHealthChecks(observation: ObservationInput): Promise<{ outcome: Promise<ObservationOutcome> } | undefined> {
  try {
    const child = await startChild(observationWorkflow, {
      workflowId: observationWorkflowId(observation.number),
      args: [observation],
      typedSearchAttributes: observationSearchAttributes(observation),
      // The observation is the person's record: it runs to its end whatever becomes of the stay's workflow.
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
    return { outcome: child.result() };
  } catch (error) {
    // @temporalio/common's WorkflowExecutionAlreadyStartedError, known by name: workflow code imports @temporalio/workflow only.
    if ((error as Error).name === 'WorkflowExecutionAlreadyStartedError') return undefined;
    throw error;
  }
}
