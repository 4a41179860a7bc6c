/**
 * The outbox relay, run by a Temporal Schedule (libs/temporal/schedules.ts): every notification
 * still pending and due (its sender's one try failed, as the API's after a commit, or its backoff
 * has passed) is tried once more. The backoff and the giving up live with the row
 * (NotificationActivities.deliverNotification), so each pass is short and any pass may pick up
 * where a lost one stopped.
 */
import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { NotificationActivities } from '../../activities/notifications/notification.activities';

const { dueNotifications } = proxyActivities<NotificationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 3 },
});
// One try per pass: the next try waits for the row's backoff, not for Temporal's.
const { deliverNotification } = proxyActivities<NotificationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 1 },
});

/** Messages a pass takes on, and how many it sends at once. */
const PASS_LIMIT = 200;
const AT_ONCE = 10;

export interface RelayOutcome {
  sent: number;
  /** Given up, or refused for good by the channel: state 'failed' with the reason. */
  failed: number;
  /** Failed this time; tried again after the backoff. */
  pending: number;
}

export async function outboxRelayWorkflow(): Promise<RelayOutcome> {
  const ids = await dueNotifications({ limit: PASS_LIMIT });
  const outcome: RelayOutcome = { sent: 0, failed: 0, pending: 0 };
  for (let from = 0; from < ids.length; from += AT_ONCE) {
    await Promise.all(
      ids.slice(from, from + AT_ONCE).map(async (id) => {
        try {
          await deliverNotification({ id });
          outcome.sent += 1;
        } catch (error) {
          const cause = error instanceof ActivityFailure ? error.cause : undefined;
          outcome[cause instanceof ApplicationFailure && cause.nonRetryable ? 'failed' : 'pending'] += 1;
        }
      }),
    );
  }
  return outcome;
}
