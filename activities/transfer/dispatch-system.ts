import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { NotificationActivities } from '../notifications/notification.activities';
import { NotificationOutbox, NotificationRequest } from '../notifications/notification-outbox';

/** What a driver and the escorts need to run one trip. */
export interface DispatchOrder {
  /** Idempotency key: `<runId>/<tripId>`. */
  orderId: string;
  tripId: string;
  plate: string;
  driver: { name: string; contact: string };
  escorts: Array<{ name: string; contact: string }>;
  pickupAddress: string;
  /** Local time of boarding, as the driver reads it. */
  pickupTime: string;
  destination: string;
  people: number;
}

/**
 * The dispatch system a trip's vehicle is called through. A real one (a fleet dispatch platform)
 * implements this and is bound to DISPATCH_SYSTEM in the worker; it must accept a repeated orderId.
 */
export interface DispatchSystem {
  dispatch(order: DispatchOrder): Promise<{ reference: string }>;
}

export const DISPATCH_SYSTEM = Symbol('DISPATCH_SYSTEM');

/** The default: the driver and each escort get the transfer_dispatch message through the notification channels. */
@Injectable()
export class NotificationDispatchSystem implements DispatchSystem {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: NotificationOutbox,
    private readonly notifications: NotificationActivities,
  ) {}

  async dispatch(order: DispatchOrder): Promise<{ reference: string }> {
    const params = { tripId: order.tripId, pickupTime: order.pickupTime, pickupAddress: order.pickupAddress, destination: `${order.destination}（${order.people}人，${order.plate}）` };
    const requests: NotificationRequest[] = [order.driver, ...order.escorts].map((who) => ({
      id: `transfer:${order.orderId}:dispatch:${who.contact}`,
      recipient: { staff: who.name },
      template: 'transfer_dispatch',
      params,
    }));
    const toDeliver = await this.dataSource.transaction((manager) => this.outbox.enqueue(manager, requests));
    for (const id of toDeliver) await this.notifications.deliverNotification({ id });
    return { reference: order.orderId };
  }
}

/** The worker's binding of the dispatch system: replace useClass to call a real dispatch platform. */
export const DISPATCH_SYSTEM_PROVIDER = { provide: DISPATCH_SYSTEM, useClass: NotificationDispatchSystem };
