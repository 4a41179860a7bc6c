import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { NotificationOutbox, NotificationRequest } from '../../notifications/notification-outbox';
import type { DispatchOrder, DispatchSystem } from './dispatch-system';

/** The default: the driver and each escort get the transfer_dispatch message through the notification channels. */
@Injectable()
export class NotificationDispatchSystem implements DispatchSystem {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: NotificationOutbox,
  ) {}

  async dispatch(order: DispatchOrder): Promise<{ reference: string }> {
    // The local date and time as the driver reads it: 2026-11-26 11:00.
    const pickupTime = order.pickupAt.slice(0, 16).replace('T', ' ');
    const params = { tripId: order.tripId, pickupTime, pickupAddress: order.pickupAddress, destination: `${order.destination}（${order.people}人，${order.plate}）` };
    const requests: NotificationRequest[] = [order.driver, ...order.escorts].map((who) => ({
      id: `transfer:${order.orderId}:dispatch:${who.contact}`,
      recipient: { staff: who.name },
      template: 'transfer_dispatch',
      params,
    }));
    const toDeliver = await this.dataSource.transaction((manager) => this.outbox.enqueue(manager, requests));
    for (const id of toDeliver) await this.outbox.deliver(id);
    return { reference: order.orderId };
  }
}
