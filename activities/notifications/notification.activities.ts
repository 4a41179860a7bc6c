import { Inject, Injectable, Module } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApplicationFailure } from '@temporalio/common';
import { DataSource } from 'typeorm';
import { ChannelName, createChannels, DeliveryError, NOTIFICATION_CHANNELS, NotificationChannels } from '../../libs/notifications/channels';
import { NotificationOutbox, NotificationRequest } from '../../libs/notifications/notification-outbox';

export interface SendNotificationInput extends NotificationRequest {
  observationNumber?: string;
}

export interface SendNotificationResult {
  id: string;
  state: 'sent';
  channel: ChannelName;
}

/** Sends in flight hold their message this long, more than any send can take (channels.ts), so no one else sends it meanwhile. */
const DELIVERY_LEASE_SECONDS = 120;
/** A message not delivered this long after it was stored is given up: it is no longer news. */
export const GIVE_UP_AFTER_HOURS = 24;
/** A message is tried again after 5 s, 10 s, 20 s … at most an hour after its last failure. */
const BACKOFF_FIRST_SECONDS = 5;
const BACKOFF_MAX_SECONDS = 3_600;
/** A message its sender has not tried yet (a workflow's delivery is about to run) is left to it this long. */
const RELAY_AFTER_SECONDS = 60;

/**
 * Every method of this class is registered as a Temporal activity (apps/worker/worker.ts).
 * Two deliverers may hold the same message: its sender (a workflow's delivery activity, the API's
 * one try after a commit) and the outbox relay. Each send first leases the row, so they never send
 * it at once; a message already sent is not sent again. A failed send stays pending, with a time
 * before which it is not tried again, and is rethrown for Temporal to retry, unless it can never
 * succeed or has been pending for GIVE_UP_AFTER_HOURS: then the row is failed with the reason and
 * the error non-retryable.
 */
@Injectable()
export class NotificationActivities {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(NOTIFICATION_CHANNELS) private readonly channels: NotificationChannels,
    private readonly outbox: NotificationOutbox,
  ) {}

  /** Stores and delivers one message (for workflows that do not batch their PostgreSQL writes). */
  async sendNotification(input: SendNotificationInput): Promise<SendNotificationResult> {
    await this.dataSource.transaction((manager) => this.outbox.enqueue(manager, [input], input.observationNumber));
    return this.deliverNotification({ id: input.id });
  }

  /** Delivers a stored message through its channel. */
  async deliverNotification({ id }: { id: string }): Promise<SendNotificationResult> {
    // An UPDATE answers [rows, count].
    const [[row]] = await this.dataSource.query(
      `UPDATE notification SET delivering_until = now() + make_interval(secs => $2)
       WHERE id = $1 AND state = 'pending' AND (delivering_until IS NULL OR delivering_until < now())
       RETURNING channel, subject, body, address`,
      [id, DELIVERY_LEASE_SECONDS],
    );
    if (!row) return this.notDeliverable(id);
    const channel = this.channels[row.channel as ChannelName];
    try {
      if (!channel) throw new DeliveryError(`channel ${row.channel} is not configured in this worker`, false);
      await channel.deliver({ id, to: row.address, subject: row.subject, body: row.body });
    } catch (error) {
      const permanent = error instanceof DeliveryError && error.permanent;
      const message = error instanceof Error ? error.message : String(error);
      const [[failed]] = await this.dataSource.query(
        `UPDATE notification SET attempts = attempts + 1, delivering_until = NULL,
           state = CASE WHEN $2 OR created_at < now() - make_interval(hours => $4) THEN 'failed' ELSE 'pending' END,
           last_error = CASE WHEN NOT $2 AND created_at < now() - make_interval(hours => $4) THEN 'gave up after ' || $4 || ' h, at attempt ' || (attempts + 1) || ': ' || $3 ELSE $3 END,
           next_attempt_at = now() + make_interval(secs => least($5 * power(2, attempts), $6))
         WHERE id = $1 RETURNING state, last_error`,
        [id, permanent, message, GIVE_UP_AFTER_HOURS, BACKOFF_FIRST_SECONDS, BACKOFF_MAX_SECONDS],
      );
      if (failed.state === 'failed') throw ApplicationFailure.nonRetryable(failed.last_error, permanent ? 'NotificationRejected' : 'NotificationGivenUp');
      throw error;
    }
    await this.dataSource.query(
      `UPDATE notification SET state = 'sent', attempts = attempts + 1, sent_at = now(), last_error = NULL, delivering_until = NULL, next_attempt_at = NULL WHERE id = $1`,
      [id],
    );
    return { id, state: 'sent', channel: row.channel };
  }

  /** Pending messages due for another try, oldest first: the outbox relay's work. */
  async dueNotifications({ limit }: { limit: number }): Promise<string[]> {
    const rows = await this.dataSource.query(
      `SELECT id FROM notification
       WHERE state = 'pending' AND coalesce(next_attempt_at, created_at + make_interval(secs => $2)) <= now() AND (delivering_until IS NULL OR delivering_until < now())
       ORDER BY created_at LIMIT $1`,
      [limit, RELAY_AFTER_SECONDS],
    );
    return rows.map((r: { id: string }) => r.id);
  }

  /** Why a message could not be leased: already sent (fine), failed or unknown (never), or in flight (later). */
  private async notDeliverable(id: string): Promise<SendNotificationResult> {
    const [row] = await this.dataSource.query(`SELECT channel, address, state, last_error FROM notification WHERE id = $1`, [id]);
    if (!row) throw ApplicationFailure.nonRetryable(`notification ${id} not found`, 'NotificationNotFound');
    if (row.state === 'sent') return { id, state: 'sent', channel: row.channel };
    if (row.state === 'failed') throw ApplicationFailure.nonRetryable(`notification ${id}: ${row.last_error}`, row.address === null ? 'NotificationInvalid' : 'NotificationFailed');
    throw new DeliveryError(`notification ${id} is being sent by another attempt`, false);
  }
}

/** Notifications with the channels configured in this process's environment. */
@Module({
  providers: [NotificationActivities, NotificationOutbox, { provide: NOTIFICATION_CHANNELS, useFactory: () => createChannels(process.env) }],
  exports: [NotificationActivities, NotificationOutbox, NOTIFICATION_CHANNELS],
})
export class NotificationsModule {}
