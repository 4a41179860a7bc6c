import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import { DispatchRepository } from '../../persistence/transfer/dispatch.repository';
import type { Contact, DispatchOrder, DispatchSystem } from './dispatch-system';
import { NotificationDispatchSystem } from './notification-dispatch-system';

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
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly orders: DispatchRepository,
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
      await this.orders.recordOrder({ orderId: order.orderId, runId: order.runId, tripId: order.tripId, state: 'accepted', reference, reason: null });
      return { reference };
    }
    const reason = `dispatch system answered ${response.status}: ${text}`;
    if (isRetryable(response.status)) throw new Error(reason);
    this.logger.warn(`order ${order.orderId} refused (${reason}); the driver and escorts get it through the notification channels`);
    // The messages first: whoever sees the refusal finds the driver and escorts told already.
    const sent = await this.fallback.dispatch(order);
    await this.orders.recordOrder({ orderId: order.orderId, runId: order.runId, tripId: order.tripId, state: 'refused', reference: null, reason });
    return sent;
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
