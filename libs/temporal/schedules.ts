import { Client, ScheduleAlreadyRunning, ScheduleOptions } from '@temporalio/client';
import type { AppConfig } from '../config/config';
import { outboxRelayWorkflow } from '../../workflows/system/outbox-relay.workflow';
import { reconcilerWorkflow } from '../../workflows/system/reconciler.workflow';

export const RECONCILER_SCHEDULE_ID = 'reconciler';
export const OUTBOX_RELAY_SCHEDULE_ID = 'outbox-relay';

/** A schedule that starts a workflow without arguments every `seconds`; a run still going when the next is due makes it skip. */
function every(config: AppConfig, scheduleId: string, workflowType: () => Promise<unknown>, seconds: number): ScheduleOptions {
  return {
    scheduleId,
    spec: { intervals: [{ every: seconds * 1000 }] },
    action: { type: 'startWorkflow', workflowType, workflowId: scheduleId, taskQueue: config.temporal.taskQueue },
    policies: { overlap: 'SKIP', catchupWindow: seconds * 1000 },
  };
}

/** The project's schedules, one place: add a new one here and every worker keeps it from its next start. */
export function projectSchedules(config: AppConfig): ScheduleOptions[] {
  return [
    every(config, RECONCILER_SCHEDULE_ID, reconcilerWorkflow, config.schedules.reconcileSeconds),
    every(config, OUTBOX_RELAY_SCHEDULE_ID, outboxRelayWorkflow, config.schedules.outboxRelaySeconds),
  ];
}

/**
 * Creates each schedule, or brings an existing one to this configuration (period, task queue).
 * Run by every worker at start: idempotent, and several workers starting at once agree.
 */
export async function ensureSchedules(client: Client, config: AppConfig): Promise<string[]> {
  const schedules = projectSchedules(config);
  for (const options of schedules) {
    try {
      await client.schedule.create(options);
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      await client.schedule.getHandle(options.scheduleId).update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: options.policies }));
    }
  }
  return schedules.map((s) => s.scheduleId);
}
