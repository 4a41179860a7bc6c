import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../libs/config/config';
import { APP_CONFIG } from '../../libs/config/config.module';
import { NotificationActivities } from '../notifications/notification.activities';
import { NotificationOutbox, NotificationRequest } from '../../libs/notifications/notification-outbox';

export interface Contact {
  name: string;
  contact: string;
}

/** What a driver and the escorts need to run one trip. */
export interface DispatchOrder {
  /** Idempotency key: `<runId>/<tripId>`. */
  orderId: string;
  runId: string;
  tripId: string;
  plate: string;
  driver: Contact;
  escorts: Contact[];
  pickupAddress: string;
  /** Boarding time, local ISO 8601 with the jurisdiction's offset (2026-11-26T11:00:00+08:00). */
  pickupAt: string;
  destination: string;
  people: number;
}

/**
 * The dispatch system a trip's vehicle is called through, bound to DISPATCH_SYSTEM in the worker
 * (DISPATCH_SYSTEM_PROVIDERS). It must accept a repeated orderId: the activity calling it is retried.
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
    for (const id of toDeliver) await this.notifications.deliverNotification({ id });
    return { reference: order.orderId };
  }
}

const DISPATCH_TIMEOUT_MS = 15_000;

/** 408 and 429 ask to come back later and 5xx may clear up; any other answer says this order will never be taken. */
const isRetryable = (status: number) => status >= 500 || status === 408 || status === 429;

/**
 * A fleet dispatch platform over HTTP (DISPATCH_URL, DISPATCH_TOKEN): the order is POSTed as JSON
 * with the token as bearer and the order id as Idempotency-Key, so a retried activity never makes a
 * second order. A 2xx answer may name the platform's own id (`{"reference": "…"}`). Network errors,
 * timeouts, 5xx, 408 and 429 are thrown for Temporal to retry. Any other answer is a refusal and
 * final: it is recorded on the order with the reason (shown on the trip) and the driver and escorts
 * get the order through the notification channels instead, so the trip still gets its vehicle
 * (a failed dispatch activity would leave the trip's workflow stuck).
 */
@Injectable()
export class HttpDispatchSystem implements DispatchSystem {
  private readonly logger = new Logger('dispatch');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly fallback: NotificationDispatchSystem,
  ) {}

  async dispatch(order: DispatchOrder): Promise<{ reference: string }> {
    const { url, token, webhookUrl } = this.config.dispatch;
    const response = await fetch(url!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': order.orderId },
      body: JSON.stringify({
        orderId: order.orderId,
        runId: order.runId,
        tripId: order.tripId,
        vehicle: { plate: order.plate },
        driver: contactOf(order.driver),
        escorts: order.escorts.map(contactOf),
        pickup: { address: order.pickupAddress, at: order.pickupAt },
        destination: order.destination,
        people: order.people,
        eventsUrl: webhookUrl,
      }),
      redirect: 'manual',
      signal: AbortSignal.timeout(DISPATCH_TIMEOUT_MS),
    });
    const text = (await response.text().catch(() => '')).slice(0, 500);
    if (response.ok) {
      const reference = referenceIn(text) ?? order.orderId;
      await this.record(order, 'accepted', reference, null);
      return { reference };
    }
    const reason = `dispatch system answered ${response.status}: ${text}`;
    if (isRetryable(response.status)) throw new Error(reason);
    this.logger.warn(`order ${order.orderId} refused (${reason}); the driver and escorts get it through the notification channels`);
    await this.record(order, 'refused', null, reason);
    return this.fallback.dispatch(order);
  }

  private async record(order: DispatchOrder, state: 'accepted' | 'refused', reference: string | null, reason: string | null): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO dispatch_order (order_id, run_id, trip_id, state, reference, reason) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (order_id) DO UPDATE SET state = EXCLUDED.state, reference = EXCLUDED.reference, reason = EXCLUDED.reason, sent_at = now()`,
      [order.orderId, order.runId, order.tripId, state, reference, reason],
    );
  }
}

const contactOf = ({ name, contact }: Contact): Contact => ({ name, contact });

function referenceIn(text: string): string | undefined {
  try {
    const { reference } = JSON.parse(text) as { reference?: unknown };
    return typeof reference === 'string' && reference ? reference : undefined;
  } catch {
    return undefined;
  }
}

/** The worker's dispatch system: the HTTP platform when DISPATCH_URL is set, else the notification channels. */
export const DISPATCH_SYSTEM_PROVIDERS = [
  NotificationDispatchSystem,
  HttpDispatchSystem,
  {
    provide: DISPATCH_SYSTEM,
    inject: [APP_CONFIG, HttpDispatchSystem, NotificationDispatchSystem],
    useFactory: (config: AppConfig, http: HttpDispatchSystem, notifications: NotificationDispatchSystem): DispatchSystem => (config.dispatch.url ? http : notifications),
  },
];
