/**
 * One vehicle trip of a transfer run, from dispatch to the last hand-over (交接). Its legs and
 * exceptions arrive as updates whose validators refuse anything that does not fit the trip (a
 * boarding of someone not on its list leaves nothing in history); each accepted fact is signalled
 * to the run, which owns the closed loop and mirrors it to PostgreSQL.
 */
import { condition, getExternalWorkflowHandle, proxyActivities, setHandler } from '@temporalio/workflow';
import { observationWorkflowId, pickupHandedOverSignal } from '../observation/observation.messages';
import type { TransferActivities } from '../../activities/transfer/transfer.activities';
import type { FieldProblem } from '../../libs/domain/errors';
import { alarmClock } from './alarm-clock';
import { MINUTE } from '../../libs/domain/local-time';
import {
  arriveUpdate,
  boardUpdate,
  breakdownUpdate,
  departUpdate,
  handOverUpdate,
  hotelFullUpdate,
  noShowUpdate,
  pickUpUpdate,
  RECEIVER_ROLES,
  RiderCommand,
  refuseUpdate,
  rerouteUpdate,
  Aftercare,
  RiderStatus,
  TripCommand,
  TripEvent,
  tripEventSignal,
  TripInput,
  TripLeg,
  tripStateQuery,
  TripView,
  transferRunWorkflowId,
} from './transfer.messages';
import { commandRejected } from '../shared/command-rejected';

const { dispatchTrip, admitAfterHandOver } = proxyActivities<TransferActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '5 minutes' },
});


/** Events are distributive over the union, so each literal keeps its own fields. */
type EventBody = TripEvent extends infer E ? (E extends TripEvent ? Omit<E, 'tripId' | 'at'> : never) : never;

export async function transferTripWorkflow(input: TripInput): Promise<TripView> {
  const { runId, trip } = input;
  let leg: TripLeg = 'dispatched';
  let destinationId = trip.destinationId;
  const riders = new Map<string, { status: RiderStatus; aftercare?: Aftercare }>(trip.travellerIds.map((id) => [id, { status: 'listed' }]));
  /** Arrival whose overdue hand-overs were reported; a re-route starts a new arrival. */
  let arrivedAt: number | undefined;
  let overdueReported = false;
  const toAdmit: string[] = [];
  const signals: Promise<void>[] = [];
  const run = getExternalWorkflowHandle(transferRunWorkflowId(runId));

  function report(event: EventBody) {
    signals.push(run.signal(tripEventSignal, { ...event, tripId: trip.tripId, at: Date.now() } as TripEvent));
  }

  const view = (): TripView => ({
    runId,
    tripId: trip.tripId,
    vehicleId: trip.vehicleId,
    escortIds: trip.escortIds,
    destinationId,
    leg,
    riders: [...riders].map(([travellerId, r]) => ({ travellerId, ...r })),
    meeting: input.meeting,
    ...(trip.pickup ? { pickup: true } : {}),
  });

  const isKind = (...legs: TripLeg[]) => legs.includes(leg);
  function requireLeg(field: string, ...legs: TripLeg[]) {
    if (!isKind(...legs)) throw commandRejected('conflict', [{ field, reason: `trip ${trip.tripId} is ${leg}; this needs it ${legs.join(' or ')}` }]);
  }
  function rider(travellerId: string, field = 'travellerId') {
    const r = riders.get(travellerId);
    if (!r) throw commandRejected('conflict', [{ field, reason: `${travellerId} is not on trip ${trip.tripId}` }]);
    return r;
  }
  function requireListed(travellerId: string, field = 'travellerId') {
    const r = rider(travellerId, field);
    if (r.status !== 'listed') throw commandRejected('conflict', [{ field, reason: `${travellerId} is ${r.status} on trip ${trip.tripId}` }]);
  }
  const notHandedOver = () => [...riders].filter(([, r]) => r.status === 'on_board').map(([id]) => id);

  setHandler(tripStateQuery, view);

  /** Boarding at the sorting point, or on a pick-up trip at the person's door: one step per person, a retry answered as done. */
  function boardingStep(kind: 'boarded' | 'picked_up') {
    const atDoor = kind === 'picked_up';
    return [
      ({ travellerId, by }: RiderCommand) => {
        if (rider(travellerId).status === 'on_board') return view(); // a retried boarding
        rider(travellerId).status = 'on_board';
        leg = 'boarding';
        report({ kind, travellerId, by });
        return view();
      },
      {
        validator: ({ travellerId }: RiderCommand) => {
          if (atDoor !== (trip.pickup === true)) {
            throw commandRejected('conflict', [{ field: 'leg', reason: atDoor ? `trip ${trip.tripId} boards at the sorting point` : `trip ${trip.tripId} fetches its people at home: confirm each as picked up` }]);
          }
          requireLeg('leg', 'dispatched', 'boarding');
          if (rider(travellerId).status !== 'on_board') requireListed(travellerId);
        },
      },
    ] as const;
  }
  setHandler(boardUpdate, ...boardingStep('boarded'));
  setHandler(pickUpUpdate, ...boardingStep('picked_up'));

  setHandler(
    noShowUpdate,
    ({ travellerId, by, note }) => {
      rider(travellerId).status = 'no_show';
      report({ kind: 'no_show', travellerId, by, note });
      return view();
    },
    {
      validator: ({ travellerId }) => {
        requireLeg('leg', 'dispatched', 'boarding');
        requireListed(travellerId);
      },
    },
  );

  setHandler(
    refuseUpdate,
    ({ travellerIds, by, note }) => {
      for (const id of travellerIds) rider(id).status = 'refused';
      report({ kind: 'refused', travellerIds, by, note });
      return view();
    },
    {
      validator: ({ travellerIds }) => {
        requireLeg('leg', 'dispatched', 'boarding');
        if (!Array.isArray(travellerIds) || travellerIds.length === 0) throw commandRejected('invalid', [{ field: 'travellerIds', reason: 'name at least one traveller' }]);
        travellerIds.forEach((id, i) => requireListed(id, `travellerIds[${i}]`));
      },
    },
  );

  setHandler(
    departUpdate,
    ({ by }) => {
      leg = 'departed';
      report({ kind: 'departed', by });
      return view();
    },
    {
      validator: (_command: TripCommand) => {
        requireLeg('leg', 'dispatched', 'boarding');
        const waiting = [...riders].filter(([, r]) => r.status === 'listed').map(([id]) => id);
        // Closed loop: nobody on the list may be left unaccounted for at the sorting point.
        if (waiting.length) throw commandRejected('conflict', [{ field: 'travellerIds', reason: `not boarded and not reported as no-show or refusal: ${waiting.join(', ')}` }]);
        if (!notHandedOver().length) throw commandRejected('conflict', [{ field: 'leg', reason: 'nobody is on board' }]);
      },
    },
  );

  setHandler(
    arriveUpdate,
    ({ by }) => {
      leg = 'arrived';
      arrivedAt = Date.now();
      overdueReported = false;
      report({ kind: 'arrived', by });
      return view();
    },
    { validator: (_command: TripCommand) => requireLeg('leg', 'departed') },
  );

  setHandler(
    handOverUpdate,
    ({ travellerId, receiver, by }) => {
      if (rider(travellerId).status === 'handed_over') return view(); // a retried hand-over: admitted once
      riders.set(travellerId, { status: 'handed_over', aftercare: 'pending' });
      toAdmit.push(travellerId);
      report({ kind: 'handed_over', travellerId, receiver, by });
      // A pick-up a decision started ends the person's observation at this hand-over.
      const observation = input.observations?.[travellerId];
      if (observation) signals.push(getExternalWorkflowHandle(observationWorkflowId(observation)).signal(pickupHandedOverSignal, { runId, at: Date.now(), by: receiver.name }));
      return view();
    },
    {
      validator: ({ travellerId, receiver }) => {
        const r = rider(travellerId);
        if (r.status === 'handed_over') return;
        requireLeg('leg', 'arrived');
        if (r.status !== 'on_board') throw commandRejected('conflict', [{ field: 'travellerId', reason: `${travellerId} is not on board (${r.status})` }]);
        const problems: FieldProblem[] = [];
        if (!receiver?.name?.trim()) problems.push({ field: 'receiver.name', reason: 'the receiver acknowledges by name' });
        if (!(RECEIVER_ROLES as readonly string[]).includes(receiver?.role)) problems.push({ field: 'receiver.role', reason: `must be ${RECEIVER_ROLES.join(', ')}` });
        if (problems.length) throw commandRejected('invalid', problems);
      },
    },
  );

  setHandler(
    breakdownUpdate,
    ({ by, note }) => {
      const stranded = [...riders].filter(([, r]) => r.status === 'listed' || r.status === 'on_board').map(([id]) => id);
      for (const id of stranded) rider(id).status = 'stranded';
      leg = 'broken_down';
      report({ kind: 'breakdown', vehicleId: trip.vehicleId, travellerIds: stranded, by, note });
      return view();
    },
    { validator: (_command: TripCommand) => requireLeg('leg', 'dispatched', 'boarding', 'departed') },
  );

  setHandler(
    hotelFullUpdate,
    ({ by, note }) => {
      report({ kind: 'hotel_full', travellerIds: notHandedOver(), by, note });
      return view();
    },
    {
      validator: (_command: TripCommand) => {
        requireLeg('leg', 'arrived');
        if (input.destinationKinds[destinationId] !== 'hotel') throw commandRejected('conflict', [{ field: 'destinationId', reason: `${destinationId} is not a hotel` }]);
        if (!notHandedOver().length) throw commandRejected('conflict', [{ field: 'leg', reason: 'everyone is handed over' }]);
      },
    },
  );

  setHandler(
    rerouteUpdate,
    ({ destinationId: to, by, note }) => {
      destinationId = to;
      leg = 'departed';
      arrivedAt = undefined;
      report({ kind: 'rerouted', destinationId: to, by, note });
      return view();
    },
    {
      validator: ({ destinationId: to }) => {
        requireLeg('leg', 'departed', 'arrived');
        const kind = input.destinationKinds[to];
        if (!kind) throw commandRejected('not_found', [{ field: 'destinationId', reason: `no destination ${to} in this run` }]);
        if (to === destinationId) throw commandRejected('conflict', [{ field: 'destinationId', reason: `trip already goes to ${to}` }]);
        if (kind !== input.destinationKinds[destinationId]) throw commandRejected('conflict', [{ field: 'destinationId', reason: `${to} is a ${kind}; the people on board go to a ${input.destinationKinds[destinationId]}` }]);
      },
    },
  );

  const dispatched = dispatchTrip({
    runId,
    tripId: trip.tripId,
    vehicleId: trip.vehicleId,
    escortIds: trip.escortIds,
    destinationId: trip.destinationId,
    boardAt: trip.departAt - input.loadingMinutes * MINUTE,
    people: trip.travellerIds.length,
    meetingPoint: input.meeting?.point,
    ...(trip.pickup ? { pickupFrom: trip.travellerIds[0] } : {}),
  });
  const admissions: Promise<void>[] = [];
  /** Done when everyone is handed over and admitted, or reported at pick-up (a trip nobody boarded ends empty). */
  const settled = () => {
    if (leg === 'broken_down') return true;
    const all = [...riders.values()];
    if (all.some((r) => r.status === 'listed' || r.status === 'on_board' || r.aftercare === 'pending')) return false;
    return isKind('arrived') || all.every((r) => r.status !== 'handed_over');
  };

  const waitUntil = alarmClock();
  for (;;) {
    while (toAdmit.length) {
      const travellerId = toAdmit.shift()!;
      const at = destinationId;
      admissions.push(
        admitAfterHandOver({ runId, travellerId, destinationId: at }).then((outcome) => {
          riders.get(travellerId)!.aftercare = outcome.kind === 'failed' ? 'failed' : 'done';
          if (outcome.kind === 'failed') report({ kind: 'admission_failed', travellerId, reason: outcome.reason ?? 'admission failed' });
          else report({ kind: 'admitted', travellerId, observationNumber: outcome.observationNumber, quarantineRecordId: outcome.quarantineRecordId });
        }),
      );
    }
    if (settled()) break;
    if (arrivedAt !== undefined && !overdueReported && isKind('arrived')) {
      const due = arrivedAt + input.handOverTimeoutMinutes * MINUTE;
      if (Date.now() >= due) {
        overdueReported = true;
        report({ kind: 'handover_overdue', travellerIds: notHandedOver() });
        continue;
      }
      await waitUntil(() => toAdmit.length > 0 || settled() || !isKind('arrived'), due);
    } else {
      await condition(() => toAdmit.length > 0 || settled() || (isKind('arrived') && !overdueReported));
    }
  }

  await dispatched;
  await Promise.all(admissions);
  if (!isKind('broken_down')) {
    leg = 'completed';
    report({ kind: 'completed' });
  }
  await Promise.all(signals);
  return view();
}
