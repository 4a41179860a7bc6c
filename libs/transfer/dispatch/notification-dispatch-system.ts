import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import { NotificationOutbox, NotificationRequest } from '../../notifications/notification-outbox';
import type { DispatchOrder, DispatchSystem } from './dispatch-system';

/**
 * The default: the driver and each escort get the transfer_dispatch message with a link to the
 * trip's page, in their account's inbox and channels, or by SMS to their own number when they have
 * no account.
 */
@Injectable()
export class NotificationDispatchSystem implements DispatchSystem {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly outbox: NotificationOutbox,
  ) {}

  async dispatch(order: DispatchOrder): Promise<{ reference: string }> {
    // The local date and time as the driver reads it: 2026-11-26 11:00.
    const pickupTime = order.pickupAt.slice(0, 16).replace('T', ' ');
    const tripLink = `${this.config.selfReport.publicUrl}/app/trips/${encodeURIComponent(order.runId)}/${encodeURIComponent(order.tripId)}`;
    const params = { tripId: order.tripId, pickupTime, pickupAddress: order.pickupAddress, destination: `${order.destination}（${order.people}人，${order.plate}）`, tripLink };
    const requests: NotificationRequest[] = [order.driver, ...order.escorts].map((who) => ({
      id: `transfer:${order.orderId}:dispatch:${who.contact}`,
      recipient: who.accountId ? { account: who.accountId } : { mobile: who.contact },
      template: 'transfer_dispatch',
      params,
      concerns: { kind: 'trip', id: order.orderId },
    }));
    const toDeliver = await this.dataSource.transaction((manager) => this.outbox.enqueue(manager, requests));
    await this.outbox.tryNow(toDeliver);
    return { reference: order.orderId };
  }
}
