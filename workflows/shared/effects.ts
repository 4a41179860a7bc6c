/**
 * How every workflow family performs its effects: PostgreSQL writes of one pass as a local
 * activity (fast, retried until the database is back), message deliveries as regular activities.
 */
import { LocalActivityOptions, proxyActivities } from '@temporalio/workflow';
import type { NotificationActivities } from '../../activities/notifications/notification.activities';

export const RECORD_CHANGES_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '30 seconds' },
};

export const { deliverNotification } = proxyActivities<NotificationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '5 minutes' },
});
