/**
 * Transfer runs through the HTTP API against the dev server and PostgreSQL, with real workers:
 * resources, bad manifests and bad leg events refused with nothing recorded, a record-day run to
 * completion, a key-person transfer, and a worker process killed mid-run.
 */
import { INestApplication } from '@nestjs/common';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { Http, supervisorHttp } from '../support/auth';
import { DataSource } from 'typeorm';
import { createApi } from '../../apps/api/api';
import { AppConfig } from '../../libs/config/config';
import { zonedIso } from '../../libs/config/time-zone';
import { prepareWorkerLaunch, spawnWorkerProcess, WorkerLaunch } from '../../libs/temporal/worker-launch';
import { Client, WorkflowHandle } from '@temporalio/client';
import { MINUTE } from '../../libs/domain/local-time';
import type { RunLiveView, RunStateView } from '../../apps/api/transfer/transfer-views';
import { runStateQuery, transferRunWorkflowId, transferTripWorkflowId } from '../../workflows/transfer/transfer.messages';
import { testConfig } from '../support/environment';
import { within, workflowWaits } from '../support/deadline';
import { answered, eventually } from '../support/eventually';
import { driveTrip, manifestRow, recordDay } from './transfer-fixtures';
import { systemPerFile } from '../support/system';

jest.setTimeout(300_000);

/** An instant as the API answers every one: ISO 8601 in UTC. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * A worker as its own OS process, so a test can kill it outright; launched as `npm start` does (on
 * the bundle made ahead, with its heap limit).
 */
function spawnWorker(config: AppConfig, launch: WorkerLaunch): Promise<ChildProcess> {
  const env = { ...process.env, DATABASE_URL: config.databaseUrl, TEMPORAL_ADDRESS: config.temporal.address, TEMPORAL_TASK_QUEUE: config.temporal.taskQueue, WORKER_LOG_LEVEL: 'ERROR' };
  const child = spawnWorkerProcess(launch, env, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => line.includes('"msg":"worker polling"') && resolve(child));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before polling`)));
  });
}

describe('transfer runs over HTTP (dev server, PostgreSQL)', () => {
  const config = testConfig();
  let api: INestApplication;
  let db: DataSource;
  let client: Client;
  let supervisor: Http;
  const http = () => supervisor;
  const ids = { sp: `SP-${Date.now()}`, community: `C-${Date.now()}`, hotel: `H-${Date.now()}`, van: `V-${Date.now()}`, bus: `B-${Date.now()}`, escort: `E-${Date.now()}`, escort2: `E2-${Date.now()}` };

  systemPerFile(async (system) => {
    ({ api, db, client } = system);
    supervisor = await supervisorHttp(api);
  }, { config });

  const runCount = async () => (await db.query(`SELECT count(*)::int AS n FROM transfer_run`))[0].n;

  it('registers resources with validation', async () => {
    await http().post('/transfer/sorting-points').send({ id: ids.sp, name: '顺义新国展', address: '裕翔路88号' }).expect(201);
    await http().post('/transfer/destinations').send({ id: ids.community, kind: 'community', name: '学院路社区', travelMinutes: 30, receiver: '社区值班', worker: '李娜' }).expect(201);
    await http().post('/transfer/destinations').send({ id: ids.hotel, kind: 'hotel', name: '锦江隔离酒店', travelMinutes: 40, capacity: 50, receiver: '前台' }).expect(201);
    await http().post('/transfer/vehicles').send({ id: ids.van, plate: `京B·${ids.van}`, seats: 4, driverName: '孙师傅', driverContact: '13900000001' }).expect(201);
    await http().post('/transfer/vehicles').send({ id: ids.bus, plate: `京B·${ids.bus}`, seats: 14, driverName: '钱师傅', driverContact: '13900000002' }).expect(201);
    await http().post('/transfer/escorts').send({ id: ids.escort, name: '周干部', contact: '13700000001' }).expect(201);
    await http().post('/transfer/escorts').send({ id: ids.escort2, name: '吴干部', contact: '13700000002' }).expect(201);

    const noRooms = await http().post('/transfer/destinations').send({ id: `${ids.hotel}-2`, kind: 'hotel', name: 'x', travelMinutes: 10, receiver: 'desk' }).expect(422);
    expect(noRooms.body.errors).toEqual([{ field: 'capacity', reason: 'a hotel needs its rooms free' }]);
    const samePlate = await http().post('/transfer/vehicles').send({ id: `${ids.van}-2`, plate: `京B·${ids.van}`, seats: 4, driverName: 'x', driverContact: 'y' }).expect(409);
    expect(samePlate.body.errors[0].field).toBe('plate');
    const noSeats = await http().post('/transfer/vehicles').send({ id: 'V-x', plate: 'x', seats: 0, driverName: 'x', driverContact: 'y' }).expect(422);
    expect(noSeats.body.errors[0].field).toBe('seats');
    const updated = await http().put(`/transfer/vehicles/${ids.bus}`).send({ id: ids.bus, plate: `京B·${ids.bus}`, seats: 19, driverName: '钱师傅', driverContact: '13900000002' }).expect(200);
    expect(updated.body.seats).toBe(19);
  });

  const base = () => ({ sortingPointId: ids.sp, dispatcher: '赵调度', supervisor: '王主任', vehicleIds: [ids.van, ids.bus], escortIds: [ids.escort, ids.escort2] });
  const home = (extra = {}) => manifestRow(ids.community, true, Date.now() - 5 * MINUTE, extra);
  const hotel = (extra = {}) => manifestRow(ids.hotel, false, Date.now() - 5 * MINUTE, extra);

  it('refuses a bad manifest row by row, recording nothing', async () => {
    const before = await runCount();
    const response = await http()
      .post('/transfer-runs')
      .send({ ...base(), travellers: [home(), home({ documentNumber: '110105194912310021' }), hotel({ destinationId: 'nowhere' }), home({ address: undefined }), hotel({ arrivalTime: 'soon' })] })
      .expect(422);
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'travellers[1].documentNumber', reason: expect.any(String) },
        { field: 'travellers[2].destinationId', reason: 'unknown destination nowhere' },
        { field: 'travellers[3].address', reason: 'is required' },
        { field: 'travellers[4].arrivalTime', reason: 'must be an ISO date-time' },
      ]),
    );
    expect(response.body.errors.some((p: { field: string }) => p.field.startsWith('travellers[0]'))).toBe(false);
    const unknownVan = await http().post('/transfer-runs').send({ ...base(), vehicleIds: ['no-such-van'], travellers: [home()] }).expect(422);
    expect(unknownVan.body.errors).toEqual([{ field: 'vehicleIds[0]', reason: 'no vehicle no-such-van' }]);
    expect(await runCount()).toBe(before);
  });

  it('refuses a run with more people than seats and no second trip possible (409), recording nothing', async () => {
    const before = await runCount();
    // A family of 20 rides together or not at all; the biggest vehicle has 19 seats.
    const family = Array.from({ length: 20 }, () => hotel({ familyGroup: 'big-family' }));
    const response = await http().post('/transfer-runs').send({ ...base(), travellers: family }).expect(409);
    expect(response.body.errors[0]).toEqual({ field: 'travellers[0]', reason: 'party of 20 is larger than the biggest vehicle (19 seats)' });
    expect(await runCount()).toBe(before);
  });

  it('shows the plan, takes adjustments, dispatches, refuses wrong leg events and completes the closed loop', async () => {
    const travellers = [home(), home(), hotel(), hotel()];
    const requestId = `api-${Date.now()}`;
    const created = await http().post('/transfer-runs').set('Idempotency-Key', requestId).send({ ...base(), travellers }).expect(201);
    const { runId } = created.body;
    // The same key in the body (for a client that cannot set headers) is the same request.
    const retried = await http().post('/transfer-runs').send({ ...base(), requestId, travellers }).expect(200);
    expect(retried.body).toMatchObject({ runId, status: 'existing' });
    expect(retried.body.plan).toEqual(created.body.plan);
    expect(created.body.plan.trips[0]).toMatchObject({ departAt: expect.stringMatching(ISO_UTC), arriveAt: expect.stringMatching(ISO_UTC), returnAt: expect.stringMatching(ISO_UTC) });

    let detail = await http().get(`/transfer-runs/${runId}`).expect(200);
    expect(detail.body.state).toMatchObject({ status: 'planned', counts: { travellers: 4, waiting: 4 } });
    expect(detail.body.run).toMatchObject({ runId, createdAt: expect.stringMatching(ISO_UTC), completedAt: null });
    expect(detail.body.state.trips.map((t: { departAt: string }) => t.departAt)).toEqual(created.body.plan.trips.map((t: { departAt: string }) => t.departAt));
    expect(detail.body.travellers.map((t: { name: string }) => t.name)).toEqual(travellers.map((t) => t.name));
    const trips = detail.body.state.trips as Array<{ tripId: string; destinationId: string; travellerIds: string[] }>;
    expect(trips.map((t) => t.destinationId).sort()).toEqual([ids.community, ids.hotel]);
    const refused = await http().post(`/transfer-runs/${runId}/plan`).send({ moves: [{ travellerId: 'T001', toTripId: trips.find((t) => t.destinationId === ids.hotel)!.tripId }], by: '赵调度' }).expect(409);
    expect(refused.body.errors[0].field).toBe('moves[0].toTripId');
    await http().post(`/transfer-runs/${runId}/plan`).send({ pinTripIds: [trips[0].tripId], by: '赵调度' }).expect(200);
    const dispatched = await http().post(`/transfer-runs/${runId}/dispatch`).set('Idempotency-Key', `dispatch-${runId}`).send({ by: '赵调度' }).expect(200);
    // A client sending the command again under its key (the answer was lost) gets the first answer, and the run is dispatched once; without a key a second dispatch is refused.
    const dispatchedAgain = await http().post(`/transfer-runs/${runId}/dispatch`).send({ by: '赵调度', requestId: `dispatch-${runId}` }).expect(200);
    expect(dispatchedAgain.body).toEqual(dispatched.body);
    await http().post(`/transfer-runs/${runId}/dispatch`).send({ by: '赵调度' }).expect(409);

    for (const trip of trips) {
      const route = `/transfer-runs/${runId}/trips/${trip.tripId}`;
      await waitForTrip(route);
      const other = trips.find((t) => t !== trip)!.travellerIds[0];
      const notOnTrip = await http().post(`${route}/boarded`).send({ travellerId: other, by: '周干部' }).expect(409);
      expect(notOnTrip.body.errors).toEqual([{ field: 'travellerId', reason: `${other} is not on trip ${trip.tripId}` }]);
      const [first, second] = trip.travellerIds;
      await http().post(`${route}/boarded`).send({ travellerId: first, by: '周干部' }).expect(200);
      const notAccounted = await http().post(`${route}/departed`).send({ by: '周干部' }).expect(409);
      expect(notAccounted.body.errors[0].reason).toContain(second);
      await http().post(`${route}/boarded`).send({ travellerId: second, by: '周干部' }).expect(200);
      await http().post(`${route}/departed`).send({ by: '周干部' }).expect(200);
      const early = await http().post(`${route}/handed-over`).send({ travellerId: first, name: nameOf(travellers, first), receiver: { name: '李娜', role: 'community_worker' }, by: '周干部' }).expect(409);
      expect(early.body.errors[0].field).toBe('leg');
      await http().post(`${route}/arrived`).send({ by: '周干部' }).expect(200);
      const role = trip.destinationId === ids.hotel ? 'hotel_staff' : 'community_worker';
      const wrongName = await http().post(`${route}/handed-over`).send({ travellerId: first, name: '别人', receiver: { name: '李娜', role }, by: '周干部' }).expect(422);
      expect(wrongName.body.errors[0].field).toBe('name');
      for (const id of trip.travellerIds) {
        const body = { travellerId: id, name: nameOf(travellers, id), receiver: { name: '李娜', role, organisation: trip.destinationId }, by: '周干部' };
        await http().post(`${route}/handed-over`).send(body).expect(200);
        // A retried hand-over is answered again and starts nothing twice.
        await http().post(`${route}/handed-over`).send(body).expect(200);
      }
    }

    await client.workflow.getHandle(transferRunWorkflowId(runId)).result();
    detail = await http().get(`/transfer-runs/${runId}`).expect(200);
    expect(detail.body.run).toMatchObject({ status: 'completed', counts: { handedOver: 4, openExceptions: 0 } });
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM observation WHERE client_request_id LIKE $1`, [`transfer:${runId}:%`]);
    expect(n).toBe(2);
    const [{ q }] = await db.query(`SELECT count(*)::int AS q FROM centralized_quarantine WHERE run_id = $1`, [runId]);
    expect(q).toBe(2);

    const sheet = await http().get(`/transfer-runs/${runId}/hand-over-sheet`).expect(200);
    expect(sheet.body).toHaveLength(4);
    expect(sheet.body.every((r: { status: string; receiver: string; handedOverAt: string }) => r.status === 'handed_over' && r.receiver.startsWith('李娜') && r.handedOverAt)).toBe(true);
    const xlsx = await http().get(`/transfer-runs/${runId}/hand-over-sheet?format=xlsx`).buffer(true).expect(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    const csv = await http().get(`/transfer-runs/${runId}/hand-over-sheet?format=csv`).expect(200);
    expect(csv.text).toContain(zonedIso(Date.parse(sheet.body[0].handedOverAt), config.timeZone));
    const list = await http().get('/transfer-runs?status=completed&pageSize=500').expect(200);
    expect(list.body).toMatchObject({ page: 1, pageSize: 500, total: expect.any(Number) });
    expect(list.body.items.map((r: { runId: string }) => r.runId)).toContain(runId);
    expect(list.body.items.find((r: { runId: string }) => r.runId === runId)).toMatchObject({ status: 'completed', completedAt: expect.stringMatching(ISO_UTC) });
  });

  it('runs a key-person transfer: one escorted trip from the meeting point, the same closed loop', async () => {
    const meetingAt = new Date(Date.now() + 5 * MINUTE).toISOString();
    const family = [hotel({ arrivalTime: undefined }), hotel({ arrivalTime: undefined })];
    const created = await http()
      .post('/transfer-runs')
      .send({ ...base(), kind: 'key_person', meeting: { point: 'G4 provincial checkpoint', at: meetingAt }, dispatch: true, travellers: family, rules: { dispatchLeadMinutes: 60 } })
      .expect(201);
    const { runId, plan } = created.body;
    expect(plan.trips).toHaveLength(1);
    const route = `/transfer-runs/${runId}/trips/${plan.trips[0].tripId}`;
    const trip = await waitForTrip(route);
    expect(trip.meeting).toEqual({ point: 'G4 provincial checkpoint', at: new Date(meetingAt).toISOString() });
    await driveTrip(client, runId, plan.trips[0].tripId);
    await expect(client.workflow.getHandle(transferRunWorkflowId(runId)).result()).resolves.toMatchObject({ status: 'completed', handedOver: 2 });
  });

  it('keeps everyone on exactly one trip once a refusal is decided as a key-person transfer: live state, query, transfer_trip and hand-over sheet', async () => {
    const travellers = [home({ familyGroup: 'wang' }), home({ familyGroup: 'wang' }), home()];
    const created = await http().post('/transfer-runs').send({ ...base(), dispatch: true, travellers, rules: { dispatchLeadMinutes: 2880 } }).expect(201);
    const { runId, plan } = created.body;
    expect(plan.trips).toHaveLength(1);
    const first = plan.trips[0].tripId as string;
    await waitForTrip(`/transfer-runs/${runId}/trips/${first}`);
    await http().post(`/transfer-runs/${runId}/trips/${first}/refusal`).send({ travellerIds: ['T001', 'T002'], by: '周干部', note: '全家拒绝乘车' }).expect(200);
    const withRefusal = await eventually(
      async () => (await http().get(`/transfer-runs/${runId}`).expect(200)).body.state as RunLiveView,
      (state: RunLiveView) => state.exceptions.some((e) => e.kind === 'refusal'),
      { what: 'the refusal in the run' },
    );
    const refusal = withRefusal.exceptions.find((e) => e.kind === 'refusal')!;
    expect(refusal).toMatchObject({ openedAt: expect.stringMatching(ISO_UTC), deadline: expect.stringMatching(ISO_UTC) });
    const meeting = { point: 'G4 provincial checkpoint', at: new Date(Date.now() + 60 * MINUTE).toISOString() };
    const decided = (await http().post(`/transfer-runs/${runId}/exceptions/${refusal.id.split('/')[1]}/decision`).send({ decision: 'key_person_transfer', meeting, by: '王主任' }).expect(200)).body as RunStateView;

    const tripOf = (trips: Array<{ tripId: string; travellerIds: string[] }>) => Object.fromEntries(trips.flatMap((t) => t.travellerIds.map((id) => [id, t.tripId])));
    const riders = (trips: Array<{ travellerIds: string[] }>) => trips.flatMap((t) => t.travellerIds).sort();
    const keyTrip = decided.trips.find((t) => t.tripId !== first)!;
    expect(keyTrip.travellerIds.sort()).toEqual(['T001', 'T002']);
    expect(decided.trips.find((t) => t.tripId === first)!.travellerIds).toEqual(['T003']);
    expect(riders(decided.trips)).toEqual(['T001', 'T002', 'T003']);
    const query = (await http().get(`/transfer-runs/${runId}`).expect(200)).body.state as RunLiveView;
    expect(tripOf(query.trips)).toEqual({ T001: keyTrip.tripId, T002: keyTrip.tripId, T003: first });
    expect(Object.fromEntries(Object.entries(decided.travellers).map(([id, t]) => [id, t.tripId]))).toEqual(tripOf(query.trips));
    const rows = await eventually(
      () => db.query(`SELECT trip_id AS "tripId", traveller_ids AS "travellerIds" FROM transfer_trip WHERE run_id = $1 ORDER BY trip_id`, [runId]),
      (trips: Array<{ tripId: string; travellerIds: string[] }>) => trips.length === 2 && riders(trips).length === 3,
      { what: 'transfer_trip written after the decision' },
    );
    expect(tripOf(rows)).toEqual(tripOf(query.trips));
    const sheet = (await http().get(`/transfer-runs/${runId}/hand-over-sheet`).expect(200)).body as Array<{ travellerId: string; tripId: string }>;
    expect(Object.fromEntries(sheet.map((r) => [r.travellerId, r.tripId]))).toEqual(tripOf(query.trips));
  });

  it('gives a key-person trip every escort of its run, through planning, a re-plan, dispatch and the hand-over sheet', async () => {
    const meetingAt = new Date(Date.now() + 5 * MINUTE).toISOString();
    const family = [hotel({ arrivalTime: undefined }), hotel({ arrivalTime: undefined })];
    const created = await http()
      .post('/transfer-runs')
      .send({ ...base(), kind: 'key_person', meeting: { point: 'G4 provincial checkpoint', at: meetingAt }, travellers: family, rules: { dispatchLeadMinutes: 60 } })
      .expect(201);
    const { runId, plan } = created.body;
    const both = [ids.escort, ids.escort2].sort();
    expect(plan.trips).toHaveLength(1);
    expect([...plan.trips[0].escortIds].sort()).toEqual(both);
    const replanned = (await http().post(`/transfer-runs/${runId}/plan`).send({ replan: true, by: '赵调度' }).expect(200)).body as RunStateView;
    expect(replanned.trips).toHaveLength(1);
    expect([...replanned.trips[0].escortIds].sort()).toEqual(both);
    await http().post(`/transfer-runs/${runId}/dispatch`).send({ by: '赵调度' }).expect(200);
    const tripId = replanned.trips[0].tripId;
    const trip = await waitForTrip(`/transfer-runs/${runId}/trips/${tripId}`);
    expect([...trip.escortIds].sort()).toEqual(both);
    await driveTrip(client, runId, tripId);
    await client.workflow.getHandle(transferRunWorkflowId(runId)).result();
    const sheet = (await http().get(`/transfer-runs/${runId}/hand-over-sheet`).expect(200)).body as Array<{ escorts: string }>;
    expect(sheet.map((r) => r.escorts.split(', ').sort())).toEqual([['吴干部', '周干部'].sort(), ['吴干部', '周干部'].sort()]);
  });

  it("takes the record day's 245 people to completion on the dev server", async () => {
    const { registry, request: day } = await recordDay(db, Date.now());
    // Every trip dispatched at once, so a day runs in minutes of real time.
    const created = await http()
      .post('/transfer-runs')
      .send({ ...day, dispatcher: '赵调度', supervisor: '王主任', dispatch: true, rules: { dispatchLeadMinutes: 2880 } })
      .expect(201);
    const { runId, plan } = created.body;
    await Promise.all(
      (plan.trips as Array<{ tripId: string }>).map(async (trip) => {
        await waitForTrip(`/transfer-runs/${runId}/trips/${trip.tripId}`);
        await driveTrip(client, runId, trip.tripId);
      }),
    );
    await expect(client.workflow.getHandle(transferRunWorkflowId(runId)).result()).resolves.toEqual({ runId, status: 'completed', handedOver: 245, closed: 0 });
    const [{ home }] = await db.query(`SELECT count(*)::int AS home FROM transfer_traveller WHERE run_id = $1 AND disposition = 'home_observation'`, [runId]);
    const [{ n }] = await db.query(`SELECT count(DISTINCT number)::int AS n FROM observation WHERE client_request_id LIKE $1`, [`transfer:${runId}:%`]);
    expect(n).toBe(home);
    expect(registry.prefix).toBeTruthy();
  });

  it("loses nothing when the worker process is killed (kill -9) in the middle of the record day's 245-person run", async () => {
    const killConfig = testConfig();
    const killApi = await createApi(killConfig);
    await killApi.init();
    const killHttp = await supervisorHttp(killApi);
    const bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'epi-bundle-'));
    const launch = await prepareWorkerLaunch(killConfig, path.join(bundleDir, 'workflow-bundle.js'));
    let child = await spawnWorker(killConfig, launch);
    try {
      const { request: day } = await recordDay(db, Date.now());
      const created = await killHttp.post('/transfer-runs').send({ ...day, dispatcher: '赵调度', supervisor: '王主任', dispatch: true, rules: { dispatchLeadMinutes: 2880 } }).expect(201);
      const { runId, plan } = created.body;
      const handedOver = async () => (await db.query(`SELECT count(*)::int AS n FROM transfer_traveller WHERE run_id = $1 AND handed_over_at IS NOT NULL`, [runId]))[0].n as number;
      // Escorts work every trip at once through the API's workflows while the worker dies and a new one starts.
      const driving = Promise.all(
        (plan.trips as Array<{ tripId: string }>).map(async (trip) => {
          // The run starts its 30 trips one after another (a workflow task each), and the kill falls
          // in the middle of that: the last trips come up to a minute after the first.
          await waitForTrip(`/transfer-runs/${runId}/trips/${trip.tripId}`, killHttp, 120_000);
          await driveTrip(client, runId, trip.tripId);
        }),
      );
      const atKill = await eventually(handedOver, (n) => n >= 60, { what: '60 people handed over before the kill', timeoutMs: 60_000, intervalMs: 100 });
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      child = await within('the new worker polling after the kill', 60_000, () => spawnWorker(killConfig, launch));
      await driving;

      const run = client.workflow.getHandle(transferRunWorkflowId(runId));
      const result = within('the run completed after every hand-over', 120_000, (signal) => client.withAbortSignal(signal, () => run.result()), () => runWaits(run));
      await expect(result).resolves.toEqual({ runId, status: 'completed', handedOver: 245, closed: 0 });
      expect(atKill).toBeGreaterThan(0);
      expect(atKill).toBeLessThan(245);
      // Every person handed over exactly once; one observation per home-bound person, none twice.
      const [people] = await db.query(
        `SELECT count(*)::int AS total, count(*) FILTER (WHERE handed_over_at IS NOT NULL)::int AS handed, count(*) FILTER (WHERE disposition = 'home_observation')::int AS home
         FROM transfer_traveller WHERE run_id = $1`,
        [runId],
      );
      expect(people).toMatchObject({ total: 245, handed: 245 });
      const [observations] = await db.query(`SELECT count(*)::int AS rows, count(DISTINCT person_id)::int AS people FROM observation WHERE client_request_id LIKE $1`, [`transfer:${runId}:%`]);
      expect(observations).toEqual({ rows: people.home, people: people.home });
      // And one quarantine admission per hotel-bound person.
      const [hotel] = await db.query(`SELECT count(*)::int AS rows, count(DISTINCT traveller_id)::int AS people FROM centralized_quarantine WHERE run_id = $1`, [runId]);
      expect(hotel).toEqual({ rows: 245 - people.home, people: 245 - people.home });
    } finally {
      child.kill('SIGTERM');
      await killApi.close();
      fs.rmSync(bundleDir, { recursive: true, force: true });
    }
  });

  /** What a run that has not completed still waits for: its workflow, its open trips and people, and theirs. */
  async function runWaits(run: WorkflowHandle): Promise<string> {
    const view = await run.query(runStateQuery);
    const openTrips = view.trips.filter((t) => t.leg !== 'completed' && t.leg !== 'broken_down');
    const pending = Object.entries(view.travellers).filter(([, t]) => !(t.status === 'closed' || (t.status === 'handed_over' && t.aftercare !== 'pending')));
    const trips = await Promise.all(openTrips.map((t) => workflowWaits(client.workflow.getHandle(transferTripWorkflowId(view.runId, t.tripId))).catch((error) => `${t.tripId}: ${error}`)));
    return [
      await workflowWaits(run),
      `status ${view.status}, open trips: ${openTrips.map((t) => `${t.tripId} ${t.leg}`).join(', ') || 'none'}`,
      `not settled: ${pending.map(([id, t]) => `${id} ${t.status}/${t.aftercare}`).join(', ') || 'nobody'}`,
      `open exceptions: ${view.exceptions.filter((e) => e.state !== 'resolved').map((e) => `${e.kind} ${e.reason}`).join(', ') || 'none'}`,
      ...trips,
    ].join('; ');
  }

  /** Until the run has dispatched the trip (its workflow answers). */
  async function waitForTrip(route: string, as: Http = supervisor, timeoutMs?: number) {
    return (await answered(() => as.get(route), `${route} dispatched`, { timeoutMs })).body;
  }
});

function nameOf(travellers: Array<{ name?: unknown }>, travellerId: string): string {
  return String(travellers[Number(travellerId.slice(1)) - 1].name);
}
