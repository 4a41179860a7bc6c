import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { conflict } from '../../../libs/domain/errors';
import { arriveUpdate, departUpdate, TripLeg, transferTripWorkflowId } from '../../../workflows/transfer/transfer.messages';
import type { RecordPlace } from '../../../libs/auth/jurisdiction.resolver';
import { DISPATCH_SYSTEM_ACTOR } from './dispatch-signature.guard';
import { TransferRunService } from './transfer-run.service';

export const DISPATCH_EVENT_KINDS = ['departed', 'arrived', 'position'] as const;
export type DispatchEventKind = (typeof DISPATCH_EVENT_KINDS)[number];

/** A leg event the dispatch system posts for a trip it was sent. */
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

/** What an accepted event is answered with, and every repeat of it too. */
export interface DispatchEventAnswer {
  eventId: string;
  kind: DispatchEventKind;
  orderId: string;
  runId: string;
  tripId: string;
  /** The trip's leg once the event is taken. */
  leg: TripLeg;
}

/** The escort's leg commands the dispatch system's events stand for. */
const LEG_UPDATES = { departed: departUpdate, arrived: arriveUpdate };

/** While the vehicle is out on the trip, its position is worth showing. */
const UNDER_WAY: TripLeg[] = ['dispatched', 'boarding', 'departed', 'arrived'];

/**
 * The dispatch system's leg events (`POST /dispatch/events`, signature checked by
 * DispatchSignatureGuard). Each is checked against the trip and its order, then departed and
 * arrived drive the trip's workflow with the escort's own updates and validators, and a position
 * is kept on the trip. Idempotent on the event id: a repeat is answered as the first was, and
 * the update id makes even a repeat racing the first one a single update.
 */
@Injectable()
export class DispatchEventsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly runs: TransferRunService,
  ) {}

  /** `audit` is the request's audit record: it gets the trip's place as soon as the trip is found. */
  async receive(event: DispatchEvent, audit: RecordPlace): Promise<DispatchEventAnswer> {
    await this.checkTrip(event, audit);
    const repeat = await this.answered(event);
    if (repeat) return repeat;
    let leg: TripLeg;
    if (event.kind === 'position') {
      // The trip's workflow, not its PostgreSQL mirror, knows the leg it is in right now.
      leg = (await this.runs.tripState(event.runId, event.tripId)).leg;
      if (!UNDER_WAY.includes(leg)) throw conflict(`trip ${event.tripId} is ${leg}: no position is kept for it`, {}, [{ field: 'tripId', reason: `trip is ${leg}` }]);
    } else {
      const command = { by: DISPATCH_SYSTEM_ACTOR, note: `dispatch event ${event.eventId}` };
      leg = (await this.runs.tripCommand(event.runId, event.tripId, LEG_UPDATES[event.kind], command, { updateId: `dispatch-event:${event.eventId}` })).leg;
    }
    return this.record(event, { eventId: event.eventId, kind: event.kind, orderId: event.orderId, runId: event.runId, tripId: event.tripId, leg });
  }

  /** The first answer to this event id; a different event under a used id is refused. */
  private async answered(event: DispatchEvent): Promise<DispatchEventAnswer | undefined> {
    const [row] = await this.dataSource.query(`SELECT kind, order_id, answer FROM dispatch_event WHERE event_id = $1`, [event.eventId]);
    if (!row) return undefined;
    if (row.kind !== event.kind || row.order_id !== event.orderId) {
      throw conflict(`event ${event.eventId} was already taken as a ${row.kind} event of order ${row.order_id}`, {}, [{ field: 'eventId', reason: 'used by another event' }]);
    }
    return row.answer;
  }

  /** The trip the event names must exist and have been sent as the event's order; 409 naming why not. */
  private async checkTrip(event: DispatchEvent, audit: RecordPlace): Promise<void> {
    const [trip] = await this.dataSource.query(
      `SELECT r.subdistrict, o.order_id, o.state FROM transfer_run r JOIN transfer_trip t ON t.run_id = r.id
       LEFT JOIN dispatch_order o ON o.run_id = t.run_id AND o.trip_id = t.trip_id
       WHERE r.id = $1 AND t.trip_id = $2`,
      [event.runId, event.tripId],
    );
    const tripName = `${event.runId}/${event.tripId}`;
    if (!trip) throw conflict(`no trip ${tripName}`, {}, [{ field: 'tripId', reason: `no trip ${event.tripId} in run ${event.runId}` }]);
    Object.assign(audit, { places: [{ subdistrict: trip.subdistrict, community: null }], workflowId: transferTripWorkflowId(event.runId, event.tripId) });
    const refuse = (reason: string) => conflict(`order ${event.orderId}: ${reason}`, {}, [{ field: 'orderId', reason }]);
    if (!trip.order_id) throw refuse(`trip ${tripName} was not sent to the dispatch system`);
    if (trip.order_id !== event.orderId) throw refuse(`trip ${tripName} was sent as order ${trip.order_id}`);
    if (trip.state !== 'accepted') throw refuse('the dispatch system refused this order');
  }

  /** Keeps the event with its answer (and a newer position on the trip) once; a repeat that raced this one gets the first answer. */
  private async record(event: DispatchEvent, answer: DispatchEventAnswer): Promise<DispatchEventAnswer> {
    const recorded = await this.dataSource.transaction(async (manager) => {
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
    return recorded ? answer : ((await this.answered(event)) ?? answer);
  }
}
