import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { TripLeg } from '../../../workflows/transfer/transfer.messages';

/** A trip's order in the dispatch system, as it answered (dispatch_order). */
export interface DispatchOrderRecord {
  /** `<runId>/<tripId>`, the Idempotency-Key the order is sent with. */
  orderId: string;
  runId: string;
  tripId: string;
  state: 'accepted' | 'refused';
  /** The dispatch system's own id of the order. */
  reference: string | null;
  /** Why the dispatch system refused it. */
  reason: string | null;
  sentAt: Date;
}

export const DISPATCH_EVENT_KINDS = ['departed', 'arrived', 'position'] as const;
export type DispatchEventKind = (typeof DISPATCH_EVENT_KINDS)[number];

/** A leg event the dispatch system posts for a trip it was sent (dispatch_event). */
export interface DispatchEvent {
  eventId: string;
  kind: DispatchEventKind;
  orderId: string;
  runId: string;
  tripId: string;
  /** ISO 8601 with an offset: when it happened. */
  at: string;
  position?: { lat: number; lon: number };
}

/** What an accepted event was answered with, kept with it so every repeat is answered alike. */
export interface DispatchEventAnswer {
  eventId: string;
  kind: DispatchEventKind;
  orderId: string;
  runId: string;
  tripId: string;
  /** The trip's leg once the event is taken. */
  leg: TripLeg;
}

/** What the dispatch system said of a trip: its order, and the vehicle's latest reported position. */
export interface TripTracking {
  order: DispatchOrderRecord | null;
  position: { lat: number; lon: number; at: Date } | null;
}

/** Every statement on dispatch_order, dispatch_event and the position a trip's events report (transfer_trip.position_*). */
@Injectable()
export class DispatchRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The dispatch system's answer to a trip's order; a later answer to the same order replaces it. */
  async recordOrder(order: Omit<DispatchOrderRecord, 'sentAt'>): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO dispatch_order (order_id, run_id, trip_id, state, reference, reason) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (order_id) DO UPDATE SET state = EXCLUDED.state, reference = EXCLUDED.reference, reason = EXCLUDED.reason, sent_at = now()`,
      [order.orderId, order.runId, order.tripId, order.state, order.reference, order.reason],
    );
  }

  /** The trip (with its run's subdistrict) and the order it was sent as; undefined when the run has no such trip. */
  async tripOrder(runId: string, tripId: string): Promise<{ subdistrict: string | null; order: Pick<DispatchOrderRecord, 'orderId' | 'state'> | null } | undefined> {
    const [trip] = await this.dataSource.query(
      `SELECT r.subdistrict, o.order_id AS "orderId", o.state FROM transfer_run r JOIN transfer_trip t ON t.run_id = r.id
       LEFT JOIN dispatch_order o ON o.run_id = t.run_id AND o.trip_id = t.trip_id
       WHERE r.id = $1 AND t.trip_id = $2`,
      [runId, tripId],
    );
    return trip && { subdistrict: trip.subdistrict, order: trip.orderId ? { orderId: trip.orderId, state: trip.state } : null };
  }

  /** The event taken under an id, with the answer it got. */
  async event(eventId: string): Promise<{ kind: DispatchEventKind; orderId: string; answer: DispatchEventAnswer } | undefined> {
    const [row] = await this.dataSource.query(`SELECT kind, order_id AS "orderId", answer FROM dispatch_event WHERE event_id = $1`, [eventId]);
    return row;
  }

  /**
   * Keeps an event with its answer, and a position it carries on the trip unless a newer one is
   * kept, in one transaction; false (nothing written) when an event with its id was kept before.
   */
  async recordEvent(event: DispatchEvent, answer: DispatchEventAnswer): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const inserted = await manager.query(
        `INSERT INTO dispatch_event (event_id, order_id, run_id, trip_id, kind, at, lat, lon, answer) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
        [event.eventId, event.orderId, event.runId, event.tripId, event.kind, event.at, event.position?.lat ?? null, event.position?.lon ?? null, JSON.stringify(answer)],
      );
      if (!inserted.length) return false;
      if (event.position) {
        await manager.query(
          `UPDATE transfer_trip SET position_lat = $3, position_lon = $4, position_at = $5
           WHERE run_id = $1 AND trip_id = $2 AND (position_at IS NULL OR position_at < $5)`,
          [event.runId, event.tripId, event.position.lat, event.position.lon, event.at],
        );
      }
      return true;
    });
  }

  async tracking(runId: string, tripId: string): Promise<TripTracking> {
    const [row] = await this.dataSource.query(
      `SELECT t.position_lat AS lat, t.position_lon AS lon, t.position_at AS "positionAt",
              o.order_id AS "orderId", o.state, o.reference, o.reason, o.sent_at AS "sentAt"
       FROM transfer_trip t LEFT JOIN dispatch_order o ON o.run_id = t.run_id AND o.trip_id = t.trip_id
       WHERE t.run_id = $1 AND t.trip_id = $2`,
      [runId, tripId],
    );
    return {
      order: row?.orderId ? { orderId: row.orderId, runId, tripId, state: row.state, reference: row.reference, reason: row.reason, sentAt: row.sentAt } : null,
      position: row?.positionAt ? { lat: row.lat, lon: row.lon, at: row.positionAt } : null,
    };
  }
}
