import { Inject, Injectable, Module } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApplicationFailure } from '@temporalio/common';
import { DataSource } from 'typeorm';
import { ChannelName, createChannels, DeliveryError, NOTIFICATION_CHANNELS, NotificationChannels } from './channels';
import { NotificationOutbox, NotificationRequest } from './notification-outbox';

export interface SendNotificationInput extends NotificationRequest {
  observationNumber?: string;
}

export interface SendNotificationResult {
  id: string;
  state: 'sent';
  channel: ChannelName;
}

/**
 * Every method of this class is registered as a Temporal activity (apps/worker/worker.ts).
 * A retried id that was already sent is not sent again; a failed delivery stays pending and is
 * rethrown for Temporal to retry, unless it can never succeed (then the row is failed and the error
 * non-retryable).
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
    const [row] = await this.dataSource.query(`SELECT channel, subject, body, address, state, last_error FROM notification WHERE id = $1`, [id]);
    if (!row) throw ApplicationFailure.nonRetryable(`notification ${id} not found`, 'NotificationNotFound');
    if (row.state === 'sent') return { id, state: 'sent', channel: row.channel };
    if (row.state === 'failed' && row.address === null) throw ApplicationFailure.nonRetryable(`notification ${id}: ${row.last_error}`, 'NotificationInvalid');
    const channel = this.channels[row.channel as ChannelName];
    try {
      if (!channel) throw new DeliveryError(`channel ${row.channel} is not configured in this worker`, false);
      await channel.deliver({ to: row.address, subject: row.subject, body: row.body });
    } catch (error) {
      const permanent = error instanceof DeliveryError && error.permanent;
      await this.dataSource.query(`UPDATE notification SET state = $2, attempts = attempts + 1, last_error = $3 WHERE id = $1`, [
        id,
        permanent ? 'failed' : 'pending',
        error instanceof Error ? error.message : String(error),
      ]);
      throw permanent ? ApplicationFailure.nonRetryable((error as Error).message, 'NotificationRejected') : error;
    }
    await this.dataSource.query(`UPDATE notification SET state = 'sent', attempts = attempts + 1, sent_at = now(), last_error = NULL WHERE id = $1`, [id]);
    return { id, state: 'sent', channel: row.channel };
  }
}

/** Notifications with the channels configured in this process's environment. */
@Module({
  providers: [NotificationActivities, NotificationOutbox, { provide: NOTIFICATION_CHANNELS, useFactory: () => createChannels(process.env) }],
  exports: [NotificationActivities, NotificationOutbox, NOTIFICATION_CHANNELS],
})
export class NotificationsModule {}
