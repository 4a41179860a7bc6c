import { Client } from '@temporalio/client';
import type { AppConfig } from '../config/config';
import { unlessGone } from './workflow-calls';
import { clockWakeSignal, observationClockId } from '../../workflows/observation/observation.messages';
import { observationClockWorkflow } from '../../workflows/observation/observation-clock.workflow';

/**
 * Starts the task queue's observation clock unless it runs (every worker does at start, as it
 * ensures the schedules: idempotent, and workers starting at once agree on one clock).
 */
export async function ensureObservationClock(client: Client, config: AppConfig): Promise<void> {
  const { taskQueue } = config.temporal;
  await client.workflow.start(observationClockWorkflow, { workflowId: observationClockId(taskQueue), taskQueue, args: [], workflowIdConflictPolicy: 'USE_EXISTING' });
}

/** Policies changed: the clock looks again at once at when it next has work (a clock not running does when a worker starts it). */
export async function wakeObservationClock(client: Client, config: AppConfig): Promise<void> {
  await unlessGone(client.workflow.getHandle(observationClockId(config.temporal.taskQueue)).signal(clockWakeSignal), () => undefined);
}
