import { Injectable } from '@nestjs/common';
import { conflict } from '../../../libs/domain/errors';
import { DispatchEvent, DispatchEventAnswer, DispatchRepository } from '../../../libs/persistence/transfer/dispatch.repository';
import { arriveUpdate, departUpdate, TripLeg, transferTripWorkflowId } from '../../../workflows/transfer/transfer.messages';
import type { RecordPlace } from '../../../libs/auth/jurisdiction.resolver';
import { DISPATCH_SYSTEM_ACTOR } from './dispatch-signature.guard';
import { TransferRunService } from './transfer-run.service';

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
    private readonly dispatch: DispatchRepository,
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
    const answer = { eventId: event.eventId, kind: event.kind, orderId: event.orderId, runId: event.runId, tripId: event.tripId, leg };
    // A repeat that raced this one and was kept first is answered as it was.
    return (await this.dispatch.recordEvent(event, answer)) ? answer : ((await this.answered(event)) ?? answer);
  }

  /** The first answer to this event id; a different event under a used id is refused. */
  private async answered(event: DispatchEvent): Promise<DispatchEventAnswer | undefined> {
    const taken = await this.dispatch.event(event.eventId);
    if (!taken) return undefined;
    if (taken.kind !== event.kind || taken.orderId !== event.orderId) {
      throw conflict(`event ${event.eventId} was already taken as a ${taken.kind} event of order ${taken.orderId}`, {}, [{ field: 'eventId', reason: 'used by another event' }]);
    }
    return taken.answer;
  }

  /** The trip the event names must exist and have been sent as the event's order; 409 naming why not. */
  private async checkTrip(event: DispatchEvent, audit: RecordPlace): Promise<void> {
    const trip = await this.dispatch.tripOrder(event.runId, event.tripId);
    const tripName = `${event.runId}/${event.tripId}`;
    if (!trip) throw conflict(`no trip ${tripName}`, {}, [{ field: 'tripId', reason: `no trip ${event.tripId} in run ${event.runId}` }]);
    Object.assign(audit, { places: [{ subdistrict: trip.subdistrict, community: null }], workflowId: transferTripWorkflowId(event.runId, event.tripId) });
    const refuse = (reason: string) => conflict(`order ${event.orderId}: ${reason}`, {}, [{ field: 'orderId', reason }]);
    if (!trip.order) throw refuse(`trip ${tripName} was not sent to the dispatch system`);
    if (trip.order.orderId !== event.orderId) throw refuse(`trip ${tripName} was sent as order ${trip.order.orderId}`);
    if (trip.order.state !== 'accepted') throw refuse('the dispatch system refused this order');
  }
}
