import { Client, ScheduleAlreadyRunning, ScheduleOptions } from '@temporalio/client';
import type { AppConfig } from '../config/config';
import { outboxRelayWorkflow } from '../../workflows/system/outbox-relay.workflow';
import { reconcilerWorkflow } from '../../workflows/system/reconciler.workflow';
import { dailyReportWorkflow } from '../../workflows/system/daily-report.workflow';
import { utcOffsetMinutes } from '../config/time-zone';

export const RECONCILER_SCHEDULE_ID = 'reconciler';
export const OUTBOX_RELAY_SCHEDULE_ID = 'outbox-relay';
export const DAILY_REPORT_SCHEDULE_ID = 'daily-report';

/** Kept for a schedule that is paused (its period set to 0), so it has one to resume with. */
const PAUSED_PERIOD_SECONDS = 300;

/**
 * A schedule that starts a workflow without arguments every `seconds` (0: paused, with a note
 * naming the variable); a run still going when the next is due makes it skip.
 */
function every(config: AppConfig, scheduleId: string, workflowType: () => Promise<unknown>, seconds: number, variable: string): ScheduleOptions {
  const period = (seconds || PAUSED_PERIOD_SECONDS) * 1000;
  return {
    scheduleId,
    spec: { intervals: [{ every: period }] },
    action: { type: 'startWorkflow', workflowType, workflowId: scheduleId, taskQueue: config.temporal.taskQueue },
    policies: { overlap: 'SKIP', catchupWindow: period },
    state: seconds ? { paused: false, note: `every ${seconds} s (${variable})` } : { paused: true, note: `paused: ${variable}=0` },
  };
}

/**
 * The daily report at its local time in the district's zone (paused with EPI_DAILY_REPORT_AT=off);
 * a worker or server down at that time catches up within six hours.
 */
function dailyReport(config: AppConfig): ScheduleOptions {
  const at = config.schedules.dailyReportAt;
  const { hour, minute } = at ?? { hour: 8, minute: 0 };
  const time = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
  return {
    scheduleId: DAILY_REPORT_SCHEDULE_ID,
    spec: { calendars: [{ hour, minute }], timezone: config.timeZone },
    action: {
      type: 'startWorkflow',
      workflowType: dailyReportWorkflow,
      workflowId: DAILY_REPORT_SCHEDULE_ID,
      taskQueue: config.temporal.taskQueue,
      args: [{ utcOffsetMinutes: utcOffsetMinutes(config.timeZone) }],
    },
    policies: { overlap: 'SKIP', catchupWindow: '6 hours' },
    state: at ? { paused: false, note: `daily at ${time} ${config.timeZone} (EPI_DAILY_REPORT_AT)` } : { paused: true, note: 'paused: EPI_DAILY_REPORT_AT=off' },
  };
}

/** The project's schedules, one place: add a new one here and every worker keeps it from its next start. */
export function projectSchedules(config: AppConfig): ScheduleOptions[] {
  return [
    every(config, RECONCILER_SCHEDULE_ID, reconcilerWorkflow, config.schedules.reconcileSeconds, 'EPI_RECONCILE_SECONDS'),
    every(config, OUTBOX_RELAY_SCHEDULE_ID, outboxRelayWorkflow, config.schedules.outboxRelaySeconds, 'EPI_OUTBOX_RELAY_SECONDS'),
    dailyReport(config),
  ];
}

/**
 * Creates each schedule, or brings an existing one to this configuration (period, paused or not, task queue).
 * Run by every worker at start: idempotent, and several workers starting at once agree.
 */
export async function ensureSchedules(client: Client, config: AppConfig): Promise<string[]> {
  const schedules = projectSchedules(config);
  for (const options of schedules) {
    try {
      await client.schedule.create(options);
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      const { spec, action, policies, state } = options;
      await client.schedule.getHandle(options.scheduleId).update((previous) => ({ ...previous, spec, action, policies, state: { ...previous.state, ...state } }));
    }
  }
  return schedules.map((s) => s.scheduleId);
}
