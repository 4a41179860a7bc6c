/**
 * The roster's daily roll-forward, run by a Temporal Schedule (apps/api/roster: POST /schedules/roster):
 * starts the shift workflows of the next START_HORIZON (published shifts are started two days
 * ahead, so every shift runs a day before it starts) and tells supervisors of unfilled seats of the
 * coming day. The daily report has a schedule of its own (workflows/system/daily-report.workflow.ts);
 * runs started before it still write it here.
 */
import { patched, proxyActivities } from '@temporalio/workflow';
import type { NotificationActivities } from '../../activities/notifications/notification.activities';
import type { RosterDailyActivities } from '../../activities/roster/roster-daily.activities';
import type { DailyReportActivities } from '../../activities/system/daily-report.activities';
import { addDays, localDate } from '../../libs/domain/local-time';
import { HOUR } from '../../libs/domain/local-time';

const { startUpcomingShifts, flagRosterGaps } = proxyActivities<RosterDailyActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumInterval: '1 minute' },
});
const { produceDailyReport } = proxyActivities<DailyReportActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumInterval: '1 minute' },
});
const { deliverNotification } = proxyActivities<NotificationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '5 minutes', maximumAttempts: 10 },
});

export interface RosterDailyInput {
  utcOffsetMinutes: number;
  /** Shifts starting within this many hours are started (default 48). */
  horizonHours?: number;
}

export interface RosterDailyOutcome {
  started: number;
  gaps: string[];
  /** Only in runs started before the daily report had its own schedule. */
  reportDate?: string;
}

export async function rosterDailyWorkflow(input: RosterDailyInput): Promise<RosterDailyOutcome> {
  const now = Date.now();
  const { started } = await startUpcomingShifts({ now, until: now + (input.horizonHours ?? 48) * HOUR });
  const { gaps, toDeliver } = await flagRosterGaps({ from: now, to: now + 48 * HOUR, utcOffsetMinutes: input.utcOffsetMinutes });
  await Promise.all(toDeliver.map((id) => deliverNotification({ id }).catch(() => undefined)));
  if (patched('daily-report-own-schedule')) return { started: started.length, gaps };
  const reportDate = addDays(localDate(now, input.utcOffsetMinutes), -1);
  await produceDailyReport({ date: reportDate, utcOffsetMinutes: input.utcOffsetMinutes, generatedAt: now });
  return { started: started.length, gaps, reportDate };
}
