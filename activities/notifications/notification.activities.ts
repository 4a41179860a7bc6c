import { Injectable } from '@nestjs/common';
import { NotificationOutbox } from '../../libs/notifications/notification-outbox';

/**
 * Every method of this class is registered as a Temporal activity (apps/worker/worker.ts): the
 * workflows' deliveries of the messages they stored, and the outbox relay's passes.
 */
@Injectable()
export class NotificationActivities {
  constructor(private readonly outbox: NotificationOutbox) {}

  /** Delivers a stored message through its channel (see NotificationOutbox.deliver for retries and giving up). */
  deliverNotification({ id }: { id: string }) {
    return this.outbox.deliver(id);
  }

  /** Pending messages due for another try, oldest first: the outbox relay's work. */
  dueNotifications({ limit }: { limit: number }): Promise<string[]> {
    return this.outbox.due(limit);
  }
}
