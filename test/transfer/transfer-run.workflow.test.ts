/**
 * Transfer runs on Temporal's time-skipping test server, with the real activities writing to the
 * run's PostgreSQL and starting real observation workflows.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DataSource } from 'typeorm';
import type { TransferChanges } from '../../activities/transfer/transfer.activities';
import { AppConfig } from '../../libs/config/config';
import { TransferRunRepository } from '../../libs/persistence/transfer/transfer-run.repository';
import { MINUTE } from '../../libs/domain/local-time';
import {
  arriveUpdate,
  boardUpdate,
  breakdownUpdate,
  decideExceptionUpdate,
  departUpdate,
  handOverUpdate,
  hotelFullUpdate,
  noShowUpdate,
  refuseUpdate,
  rerouteUpdate,
  runStateQuery,
  RunView,
  transferRunWorkflowId,
  transferTripWorkflowId,
  tripEventSignal,
  tripStateQuery,
} from '../../workflows/transfer/transfer.messages';
import { ActivityHolds } from '../support/activity-holds';
import { sleepUntil, timeSkippingPerTest } from '../support/time-skipping';
import { eventually } from '../support/eventually';
import { growHistory, handledWhileHeld } from '../support/workflow-history';
import { communityVans, dispatchAt, driveTrip, handOverAll, manifestRow, recordDay, registerResources, transferRunStarter } from './transfer-fixtures';
import { updateWithin } from '../support/deadline';
import type { RunRequest, TransferRunStarter } from '../../libs/transfer/run-starter';

jest.setTimeout(600_000);

describe('transfer run workflow (time-skipping server, real PostgreSQL)', () => {
  let config: AppConfig;
  let env: TestWorkflowEnvironment;
  let db: DataSource;
  let runs: TransferRunStarter;
  const holds = new ActivityHolds();

  timeSkippingPerTest(
    (test) => {
      ({ env, config, db } = test);
      runs = transferRunStarter(db, env.client, config);
    },
    { interceptors: holds.interceptors },
  );

  const runHandle = (runId: string) => env.client.workflow.getHandle(transferRunWorkflowId(runId));
  const tripHandle = (runId: string, tripId: string) => env.client.workflow.getHandle(transferTripWorkflowId(runId, tripId));
  const state = (runId: string) => runHandle(runId).query(runStateQuery);


  /** Until `ready` holds for the run's state, letting the trips' signals arrive. */
  async function waitFor(runId: string, ready: (view: RunView) => boolean): Promise<RunView> {
    // Generous in real time: a loaded CI machine may take seconds to deliver the trips' signals.
    return eventually(() => state(runId), ready, {
      what: `run ${runId} in the expected state`,
      timeoutMs: 60_000,
      intervalMs: 50,
      show: (view) => ({ counts: view.counts, exceptions: view.exceptions.map((e) => `${e.kind}:${e.state}:${e.reason}`) }),
    });
  }

  /** Drives every trip as it is dispatched until none is left to dispatch; the number of trips driven. */
  async function driveRun(runId: string): Promise<number> {
    let done = 0;
    for (;;) {
      const view = await state(runId);
      const ready = view.trips.filter((t) => t.leg === 'dispatched');
      for (const t of ready) {
        await driveTrip(env.client, runId, t.tripId);
        done++;
      }
      if (ready.length) continue;
      const planned = view.trips.filter((t) => t.leg === 'planned');
      if (!planned.length) return done;
      await sleepUntil(env, Math.min(...planned.map((t) => dispatchAt(t))) + MINUTE);
    }
  }

  async function start(request: RunRequest) {
    return runs.start(request, await env.currentTimeMs());
  }

  it("takes the record day's 245 people over 8 vehicles to hand-over, starting each home observation once", async () => {
    const now = await env.currentTimeMs();
    const { request } = await recordDay(db, now);
    const started = await start({ ...request, dispatcher: 'dispatcher-zhao', supervisor: 'supervisor-wang', dispatch: true, requestId: `day-${now}` });
    expect(started.plan.trips.length).toBeGreaterThan(8);
    const { runId } = started;
    // A retried start is the same run.
    await expect(start({ ...request, dispatcher: 'dispatcher-zhao', supervisor: 'supervisor-wang', dispatch: true, requestId: `day-${now}` })).resolves.toMatchObject({ runId, status: 'existing' });

    const trips = await driveRun(runId);
    const outcome = await runHandle(runId).result();
    expect(outcome).toEqual({ runId, status: 'completed', handedOver: 245, closed: 0 });
    expect(trips).toBe(started.plan.trips.length);

    const rows = await db.query(`SELECT status, disposition, trip_id, observation_number, quarantine_record_id, receiver FROM transfer_traveller WHERE run_id = $1`, [runId]);
    expect(rows).toHaveLength(245);
    expect(rows.every((r: { status: string; receiver: unknown }) => r.status === 'handed_over' && r.receiver)).toBe(true);
    const home = rows.filter((r: { disposition: string }) => r.disposition === 'home_observation');
    expect(home.length).toBeGreaterThan(50);
    expect(home.every((r: { observation_number: string | null }) => r.observation_number)).toBe(true);
    const observations = await db.query(`SELECT count(*)::int AS n, count(DISTINCT client_request_id)::int AS distinct_requests FROM observation WHERE client_request_id LIKE $1`, [`transfer:${runId}:%`]);
    expect(observations[0]).toEqual({ n: home.length, distinct_requests: home.length });
    const [{ category, anchor_ok }] = await db.query(
      `SELECT min(o.category) AS category, bool_and(o.anchor_date = (t.arrival_time AT TIME ZONE 'Asia/Shanghai')::date) AS anchor_ok
       FROM observation o JOIN transfer_traveller t ON o.number = t.observation_number WHERE t.run_id = $1`,
      [runId],
    );
    expect({ category, anchor_ok }).toEqual({ category: 'C', anchor_ok: true });
    const hotel = await db.query(`SELECT count(*)::int AS n FROM centralized_quarantine WHERE run_id = $1`, [runId]);
    expect(hotel[0].n).toBe(245 - home.length);
    const [run] = await db.query(`SELECT status, counts FROM transfer_run WHERE id = $1`, [runId]);
    expect(run).toMatchObject({ status: 'completed', counts: { travellers: 245, handedOver: 245, waiting: 0, onBoard: 0, openExceptions: 0 } });

    // The daily report's counts: the run in the day it completed, its people in the span they were handed over in (other tests' runs may share them).
    const [span] = await db.query(
      `SELECT r.completed_at AS "completedAt", min(t.handed_over_at) AS first, max(t.handed_over_at) AS last
       FROM transfer_run r JOIN transfer_traveller t ON t.run_id = r.id WHERE r.id = $1 GROUP BY r.completed_at`,
      [runId],
    );
    const after = (at: Date) => new Date(at.getTime() + 1);
    const repository = new TransferRunRepository(db);
    expect((await repository.countsWithin(span.completedAt, after(span.completedAt))).runs.completed).toBeGreaterThanOrEqual(1);
    expect((await repository.countsWithin(span.first, after(span.last))).travellers.handed_over).toBeGreaterThanOrEqual(245);
    expect(await repository.countsWithin(after(span.last), after(span.last))).toEqual({ runs: {}, travellers: {} });
  });

  /** Two 4-seat vans, one community: four people fill trip-01, the fifth leaves on trip-02. */
  async function smallRun(people = 5, rules = {}) {
    const now = await env.currentTimeMs();
    const registry = await registerResources(db, communityVans(2));
    const travellers = Array.from({ length: people }, () => manifestRow(registry.destination('community-1'), true, now - 10 * MINUTE));
    const started = await start({ sortingPointId: registry.sortingPointId, vehicleIds: registry.vehicleIds, escortIds: registry.escortIds, travellers, dispatcher: 'dispatcher-zhao', supervisor: 'supervisor-wang', dispatch: true, rules });
    return { ...started, registry, travellers };
  }

  it('re-plans the people stranded by a breakdown onto another trip, each person on one trip only', async () => {
    const { runId, plan } = await smallRun();
    const first = plan.trips[0];
    expect(first.travellerIds).toHaveLength(4);
    await waitFor(runId, (v) => v.trips.filter((t) => t.leg === 'dispatched').length === 2);
    await driveTrip(env.client, runId, first.tripId, { stopAfter: 'departed' });
    await updateWithin(env.client, tripHandle(runId, first.tripId), breakdownUpdate, { by: 'escort', note: 'engine failure on the airport expressway' });

    const view = await waitFor(runId, (v) => v.exceptions.some((e) => e.kind === 'breakdown'));
    const breakdown = view.exceptions.find((e) => e.kind === 'breakdown')!;
    const rescue = view.trips.find((t) => !plan.trips.some((p) => p.tripId === t.tripId))!;
    expect(breakdown).toMatchObject({ state: 'resolved', ownerRole: 'dispatcher', resolution: `re-planned onto ${rescue.tripId}`, travellerIds: first.travellerIds });
    expect(rescue.travellerIds.sort()).toEqual([...first.travellerIds].sort());
    expect(rescue.vehicleId).not.toBe(first.vehicleId);
    expect(view.trips.find((t) => t.tripId === first.tripId)!.leg).toBe('broken_down');
    // The broken trip is over: its people cannot board it again.
    await expect(updateWithin(env.client, tripHandle(runId, first.tripId), boardUpdate, { travellerId: first.travellerIds[0], by: 'escort' })).rejects.toThrow();

    await driveRun(runId);
    await expect(runHandle(runId).result()).resolves.toMatchObject({ status: 'completed', handedOver: 5 });
    const rows = await db.query(`SELECT traveller_id, trip_id FROM transfer_traveller WHERE run_id = $1 ORDER BY traveller_id`, [runId]);
    for (const id of first.travellerIds) expect(rows.find((r: { traveller_id: string }) => r.traveller_id === id).trip_id).toBe(rescue.tripId);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM observation WHERE client_request_id LIKE $1`, [`transfer:${runId}:%`]);
    expect(n).toBe(5);
  });

  it('opens a no-show with the dispatcher, and completes once a supervisor closes it', async () => {
    const { runId, plan } = await smallRun(3);
    const trip = plan.trips[0];
    const [absent, ...present] = trip.travellerIds;
    await waitFor(runId, (v) => v.trips[0].leg === 'dispatched');
    const handle = tripHandle(runId, trip.tripId);
    await updateWithin(env.client, handle, noShowUpdate, { travellerId: absent, by: 'escort', note: 'not at the sorting point' });
    // Departure needs everyone on the list accounted for; the no-show is.
    for (const id of present) await updateWithin(env.client, handle, boardUpdate, { travellerId: id, by: 'escort' });
    await updateWithin(env.client, handle, departUpdate, { by: 'escort' });
    await updateWithin(env.client, handle, arriveUpdate, { by: 'escort' });
    await handOverAll(env.client, runId, trip.tripId);

    let view = await waitFor(runId, (v) => v.counts.handedOver === 2);
    expect(view.status).toBe('running');
    expect(view.counts).toMatchObject({ handedOver: 2, exceptions: 1, openExceptions: 1 });
    const noShow = view.exceptions.find((e) => e.kind === 'no_show')!;
    expect(noShow).toMatchObject({ travellerIds: [absent], ownerRole: 'dispatcher', owner: 'dispatcher-zhao', state: 'open' });
    expect(noShow.deadline - noShow.openedAt).toBe(120 * MINUTE);
    await expect(updateWithin(env.client, runHandle(runId), decideExceptionUpdate, { exceptionId: noShow.id, decision: 'key_person_transfer', by: 'supervisor-wang' })).rejects.toMatchObject({
      cause: { type: 'conflict' },
    });
    view = await updateWithin(env.client, runHandle(runId), decideExceptionUpdate, { exceptionId: noShow.id, decision: 'close', closedAs: 'did_not_arrive', by: 'supervisor-wang' });
    expect(view.travellers[absent]).toMatchObject({ status: 'closed', closedAs: 'did_not_arrive', closedBy: 'supervisor-wang' });
    await expect(runHandle(runId).result()).resolves.toEqual({ runId, status: 'completed', handedOver: 2, closed: 1 });
    const [row] = await db.query(`SELECT state, decided_by FROM transfer_exception WHERE id = $1`, [noShow.id]);
    expect(row).toEqual({ state: 'resolved', decided_by: 'supervisor-wang' });
  });

  it('escalates a hand-over nobody acknowledges: to the receiver after the timeout, to the supervisor after the deadline', async () => {
    const { runId, plan, registry } = await smallRun(2);
    const destination = registry.destination('community-1');
    const [receiver] = await db.query(`INSERT INTO app_user (username, display_name, password_hash, role, destination_id) VALUES ($1, $1, 'x', 'receiver', $2) RETURNING id`, [`receiver-${destination}`, destination]);
    // The run's supervisor by name, at the district level (the run has no subdistrict).
    await db.query(`INSERT INTO app_user (username, display_name, password_hash, role) VALUES ('supervisor-wang', 'Wang', 'x', 'supervisor') ON CONFLICT DO NOTHING`);
    const [wang] = await db.query(`SELECT id FROM app_user WHERE username = 'supervisor-wang'`);
    const trip = plan.trips[0];
    await waitFor(runId, (v) => v.trips[0].leg === 'dispatched');
    await driveTrip(env.client, runId, trip.tripId, { stopAfter: 'arrived' });
    const arrivedAt = await env.currentTimeMs();

    await sleepUntil(env, arrivedAt + 31 * MINUTE);
    let view = await waitFor(runId, (v) => v.exceptions.some((e) => e.kind === 'handover_unacknowledged'));
    const overdue = view.exceptions.find((e) => e.kind === 'handover_unacknowledged')!;
    expect(overdue).toMatchObject({ state: 'open', ownerRole: 'receiver', travellerIds: [...trip.travellerIds].sort() });
    expect(view.counts.arrived).toBe(2);

    await sleepUntil(env, overdue.deadline + MINUTE);
    view = await waitFor(runId, (v) => v.exceptions.some((e) => e.id === overdue.id && e.state === 'escalated'));
    const messages = await db.query(`SELECT recipient, concerns_id FROM notification WHERE id LIKE $1 AND channel = 'outbox' ORDER BY created_at`, [`transfer:${overdue.id}:%`]);
    expect(messages).toEqual([`account:${receiver.id}`, `account:${wang.id}`].map((recipient) => ({ recipient, concerns_id: overdue.id })));
    expect(await db.query(`SELECT owner_account FROM transfer_exception WHERE id = $1`, [overdue.id])).toEqual([{ owner_account: receiver.id }]);

    await handOverAll(env.client, runId, trip.tripId);
    await expect(runHandle(runId).result()).resolves.toMatchObject({ status: 'completed', handedOver: 2 });
    const [row] = await db.query(`SELECT state FROM transfer_exception WHERE id = $1`, [overdue.id]);
    expect(row.state).toBe('resolved');
  });

  it('re-routes a trip a full hotel turns away, and records the quarantine at the hotel that took the people', async () => {
    const now = await env.currentTimeMs();
    const registry = await registerResources(db, {
      destinations: [
        { destinationId: 'hotel-1', kind: 'hotel', name: 'Jinjiang hotel', travelMinutes: 30, capacity: 40 },
        { destinationId: 'hotel-2', kind: 'hotel', name: 'Home Inn hotel', travelMinutes: 45, capacity: 40 },
      ],
      vehicles: [{ vehicleId: 'V1', seats: 14 }],
      escorts: [{ escortId: 'E1' }],
    });
    const travellers = [0, 1].map(() => manifestRow(registry.destination('hotel-1'), false, now - 5 * MINUTE));
    const { runId, plan } = await start({ sortingPointId: registry.sortingPointId, vehicleIds: registry.vehicleIds, escortIds: registry.escortIds, travellers, dispatcher: 'dispatcher-zhao', supervisor: 'supervisor-wang', dispatch: true });
    const trip = plan.trips[0];
    await waitFor(runId, (v) => v.trips[0].leg === 'dispatched');
    await driveTrip(env.client, runId, trip.tripId, { stopAfter: 'arrived' });
    const handle = tripHandle(runId, trip.tripId);
    await updateWithin(env.client, handle, hotelFullUpdate, { by: 'escort', note: 'no rooms left' });
    let view = await waitFor(runId, (v) => v.exceptions.some((e) => e.kind === 'hotel_full'));
    expect(view.exceptions[0]).toMatchObject({ kind: 'hotel_full', ownerRole: 'dispatcher', state: 'open', tripId: trip.tripId });

    await expect(updateWithin(env.client, handle, rerouteUpdate, { destinationId: 'nowhere', by: 'dispatcher-zhao' })).rejects.toMatchObject({ cause: { type: 'not_found' } });
    await updateWithin(env.client, handle, rerouteUpdate, { destinationId: registry.destination('hotel-2'), by: 'dispatcher-zhao' });
    view = await waitFor(runId, (v) => v.exceptions[0].state === 'resolved');
    expect(view.exceptions[0].resolution).toBe(`re-routed to ${registry.destination('hotel-2')}`);
    await updateWithin(env.client, handle, arriveUpdate, { by: 'escort' });
    await handOverAll(env.client, runId, trip.tripId);
    await expect(runHandle(runId).result()).resolves.toMatchObject({ status: 'completed', handedOver: 2 });
    const hotels = await db.query(`SELECT DISTINCT hotel_id FROM centralized_quarantine WHERE run_id = $1`, [runId]);
    expect(hotels).toEqual([{ hotel_id: registry.destination('hotel-2') }]);
  });

  it('escalates a refusal to the supervisor, who sends a key-person transfer to a meeting point', async () => {
    const { runId, plan } = await smallRun(3);
    const trip = plan.trips[0];
    const [refusing, ...others] = trip.travellerIds;
    await waitFor(runId, (v) => v.trips[0].leg === 'dispatched');
    const handle = tripHandle(runId, trip.tripId);
    await updateWithin(env.client, handle, refuseUpdate, { travellerIds: [refusing], by: 'escort', note: 'refuses to go home by bus' });
    for (const id of others) await updateWithin(env.client, handle, boardUpdate, { travellerId: id, by: 'escort' });
    await driveTrip(env.client, runId, trip.tripId);

    let view = await waitFor(runId, (v) => v.counts.handedOver === 2 && v.exceptions.some((e) => e.kind === 'refusal'));
    const refusal = view.exceptions.find((e) => e.kind === 'refusal')!;
    expect(refusal).toMatchObject({ kind: 'refusal', ownerRole: 'supervisor', owner: 'supervisor-wang', travellerIds: [refusing], state: 'open' });
    const meetingAt = (await env.currentTimeMs()) + 6 * 60 * MINUTE;
    await expect(updateWithin(env.client, runHandle(runId), decideExceptionUpdate, { exceptionId: refusal.id, decision: 'key_person_transfer', by: 'supervisor-wang' })).rejects.toMatchObject({
      cause: { type: 'invalid' },
    });
    view = await updateWithin(env.client, runHandle(runId), decideExceptionUpdate, {
      exceptionId: refusal.id,
      decision: 'key_person_transfer',
      meeting: { point: 'G4 provincial checkpoint', at: meetingAt },
      by: 'supervisor-wang',
    });
    const keyTrip = view.trips.find((t) => t.travellerIds.includes(refusing) && t.tripId !== trip.tripId)!;
    expect(keyTrip).toMatchObject({ travellerIds: [refusing], meeting: { point: 'G4 provincial checkpoint', at: meetingAt }, leg: 'planned' });
    expect(keyTrip.departAt).toBeGreaterThanOrEqual(meetingAt);
    expect(view.travellers[refusing]).toMatchObject({ status: 'waiting', tripId: keyTrip.tripId });
    // On the key-person trip only: the trip they refused no longer lists them, here or in transfer_trip.
    expect(view.trips.find((t) => t.tripId === trip.tripId)!.travellerIds).toEqual(others);
    const rows = await eventually(
      () => db.query(`SELECT trip_id, traveller_ids FROM transfer_trip WHERE run_id = $1 AND $2 = ANY(SELECT jsonb_array_elements_text(traveller_ids))`, [runId, refusing]),
      (r: Array<{ trip_id: string }>) => r.length === 1 && r[0].trip_id === keyTrip.tripId,
      { what: `${refusing} on ${keyTrip.tripId} only in transfer_trip` },
    );
    expect(rows).toEqual([{ trip_id: keyTrip.tripId, traveller_ids: [refusing] }]);

    await driveRun(runId);
    await expect(runHandle(runId).result()).resolves.toMatchObject({ status: 'completed', handedOver: 3 });
  });

  it('writes in its next run a decision handled while the last write before continuing as new is held', async () => {
    const { runId, plan } = await smallRun(3);
    const trip = plan.trips[0];
    const [absent, boarding] = trip.travellerIds;
    await waitFor(runId, (v) => v.trips[0].leg === 'dispatched');
    await updateWithin(env.client, tripHandle(runId, trip.tripId), noShowUpdate, { travellerId: absent, by: 'escort', note: 'not at the sorting point' });
    const noShow = (await waitFor(runId, (v) => v.exceptions.some((e) => e.kind === 'no_show'))).exceptions.find((e) => e.kind === 'no_show')!;
    const firstRun = (await runHandle(runId).describe()).runId;
    // Reports of a trip the run does not keep: each handled, nothing to write.
    const elsewhere = async () => runHandle(runId).signal(tripEventSignal, { kind: 'departed', tripId: 'trip-not-in-run', at: await env.currentTimeMs(), by: 'escort' });
    // Temporal suggests continuing as new once a task starts at the 4,096th event (the run's own
    // 8,000 never comes first), so the run's limit is, in effect, 4,095.
    await growHistory(runHandle(runId), 4_095, elsewhere, () => state(runId));
    // The next pass (a boarding) is the first past the history limit: it writes, then continues as
    // new. Its write is held past the task's heartbeat, and the supervisor's decision comes meanwhile.
    const write = holds.hold((type, [changes]) => type === 'recordTransferChanges' && (changes as TransferChanges).travellers.some((t) => t.travellerId === boarding && t.status === 'on_board'), { every: true });
    try {
      await updateWithin(env.client, tripHandle(runId, trip.tripId), boardUpdate, { travellerId: boarding, by: 'escort' });
      await write.started;
      const closing = runHandle(runId).executeUpdate(decideExceptionUpdate, { args: [{ exceptionId: noShow.id, decision: 'close', closedAs: 'did_not_arrive', by: 'supervisor-wang' }] });
      await eventually(() => runHandle(runId).fetchHistory(), handledWhileHeld('decideException'), { what: 'the decision handled while the write is held', timeoutMs: 60_000, intervalMs: 500 });
      write.release();
      await closing;
    } finally {
      write.release();
    }
    try {
      await eventually(() => runHandle(runId).describe(), (d) => d.runId !== firstRun, { what: 'the continue-as-new', timeoutMs: 60_000 });
      const [closed] = await eventually(
        () => db.query(`SELECT t.status, t.closed_as, e.state FROM transfer_traveller t JOIN transfer_exception e ON e.id = $3 WHERE t.run_id = $1 AND t.traveller_id = $2`, [runId, absent, noShow.id]),
        (rows) => rows[0]?.status === 'closed',
        { what: 'the closure written', timeoutMs: 30_000 },
      );
      expect(closed).toEqual({ status: 'closed', closed_as: 'did_not_arrive', state: 'resolved' });
    } finally {
      await runHandle(runId).terminate('test done');
      await tripHandle(runId, trip.tripId).terminate('test done');
    }
  });

  it('refuses boarding someone not on the trip and a hand-over of someone not on board, recording nothing', async () => {
    const { runId, plan } = await smallRun(5);
    const [first, second] = plan.trips;
    await waitFor(runId, (v) => v.trips.filter((t) => t.leg === 'dispatched').length === 2);
    const handle = tripHandle(runId, first.tripId);
    const stranger = second.travellerIds[0];
    await expect(updateWithin(env.client, handle, boardUpdate, { travellerId: stranger, by: 'escort' })).rejects.toMatchObject({
      cause: { type: 'conflict', message: expect.stringContaining(`${stranger} is not on trip ${first.tripId}`) },
    });
    await updateWithin(env.client, handle, boardUpdate, { travellerId: first.travellerIds[0], by: 'escort' });
    await expect(updateWithin(env.client, handle, handOverUpdate, { travellerId: first.travellerIds[0], receiver: { name: 'worker', role: 'community_worker' }, by: 'escort' })).rejects.toMatchObject({
      cause: { type: 'conflict' },
    });
    const history = await handle.fetchHistory();
    const accepted = history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    expect(accepted).toHaveLength(1);
    const view = await waitFor(runId, (v) => v.counts.onBoard === 1);
    expect(view.travellers[stranger].status).toBe('waiting');
    expect((await handle.query(tripStateQuery)).riders.filter((r) => r.status === 'on_board')).toHaveLength(1);
    await runHandle(runId).terminate('test done');
    for (const t of [first, second]) await tripHandle(runId, t.tripId).terminate('test done');
  });

});
