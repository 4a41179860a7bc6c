import { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import { HttpDispatchSystem } from './http-dispatch-system';
import { NotificationDispatchSystem } from './notification-dispatch-system';

export interface Contact {
  name: string;
  /** Their own number, from the vehicle's or escort's record. */
  contact: string;
  /** The account they are linked to, if any: its inbox and channels get the trip. */
  accountId?: string;
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
