/**
 * The daily report goes up (日报上报): run by the `daily-report` Schedule at EPI_DAILY_REPORT_AT in
 * the district's time zone (libs/temporal/schedules.ts), it writes the report of the local day
 * before and sends it to the district's accounts. Started again for the same day, it rewrites the
 * figures and sends nothing twice.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { NotificationActivities } from '../../activities/notifications/notification.activities';
import type { DailyReportActivities } from '../../activities/system/daily-report.activities';
import { addDays, localDate } from '../../libs/domain/local-time';

const { produceDailyReport, sendDailyReport } = proxyActivities<DailyReportActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumInterval: '1 minute' },
});
const { deliverNotification } = proxyActivities<NotificationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '5 minutes', maximumAttempts: 10 },
});

export interface DailyReportInput {
  utcOffsetMinutes: number;
}

export async function dailyReportWorkflow(input: DailyReportInput): Promise<{ date: string; sentTo: number }> {
  const now = Date.now();
  const date = addDays(localDate(now, input.utcOffsetMinutes), -1);
  await produceDailyReport({ date, utcOffsetMinutes: input.utcOffsetMinutes, generatedAt: now });
  const { toDeliver } = await sendDailyReport({ date });
  // A copy that cannot be sent now stays pending for the outbox relay.
  await Promise.all(toDeliver.map((id) => deliverNotification({ id }).catch(() => undefined)));
  return { date, sentTo: toDeliver.length };
}
