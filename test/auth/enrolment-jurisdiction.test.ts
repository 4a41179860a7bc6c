/**
 * Enrolment within jurisdictions, over HTTP against the real API, worker, dev server and
 * PostgreSQL: a record outside the caller's area is refused without details and never changed; a
 * move is a supervisor's command; request ids are scoped to the place; device ids are unique per
 * kind; a transfer run hands a traveller who lives in another subdistrict over to that
 * subdistrict's receiving side, which enrols them when it accepts.
 */
import { INestApplication } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createDataSource, MIGRATIONS } from '../../libs/persistence/data-source';
import { LoginsAndJurisdictions1764416000000 } from '../../libs/persistence/migrations/1764416000000-logins-and-jurisdictions';
import { MINUTE } from '../../libs/domain/local-time';
import { transferRunWorkflowId } from '../../workflows/transfer/transfer.messages';
import { Http, httpAs, signIn } from '../support/auth';
import { testConfig } from '../support/environment';
import { answered } from '../support/eventually';
import { enrolmentRequest, freshResidentId, ISO_UTC } from '../support/observation-fixtures';
import { driveTrip, manifestRow, registerResources } from '../transfer/transfer-fixtures';
import { systemPerFile } from '../support/system';

jest.setTimeout(180_000);

describe('enrolment within jurisdictions (dev server, worker, PostgreSQL)', () => {
  const config = testConfig();
  const tag = randomUUID().slice(0, 6);
  const home = { subdistrict: 'XYL', community: `Home-${tag}` };
  const next = { subdistrict: 'XYL', community: `Next-${tag}` };
  const far = { subdistrict: 'QTL', community: `Far-${tag}` };
  let api: INestApplication;
  let db: DataSource;
  let client: Client;
  const as = {} as Record<'homeWorker' | 'nextWorker' | 'farWorker' | 'homeSupervisor' | 'farSupervisor' | 'homeDispatcher', Http>;

  const at = (place: { subdistrict: string; community: string }) => ({ ...place, building: '1', unit: '1' });
  const person = async (documentNumber: string) =>
    (await db.query(`SELECT name, mobile, subdistrict, community, devices FROM person WHERE document_number = $1`, [documentNumber]))[0];

  systemPerFile(async (system) => {
    ({ api, db, client } = system);
    as.homeWorker = httpAs(api, await signIn(api, 'community_worker', home));
    as.nextWorker = httpAs(api, await signIn(api, 'community_worker', next));
    as.farWorker = httpAs(api, await signIn(api, 'community_worker', far));
    as.homeSupervisor = httpAs(api, await signIn(api, 'supervisor', { subdistrict: 'XYL' }));
    as.farSupervisor = httpAs(api, await signIn(api, 'supervisor', { subdistrict: 'QTL' }));
    as.homeDispatcher = httpAs(api, await signIn(api, 'dispatcher', { subdistrict: 'XYL' }));
  }, { config });

  it('refuses a neighbour’s record with a plain 409, never changes it, and scopes request ids to the place', async () => {
    const neighbour = enrolmentRequest({ name: '邻居', mobile: '13900000001', address: at(next), requestId: `req-${tag}` });
    const enrolled = await as.nextWorker.post('/persons').send(neighbour).expect(201);
    const number = enrolled.body.observationNumber as string;

    // Under observation next door: the home worker learns neither the number nor where.
    const mine = { ...neighbour, name: '冒名', mobile: '13900000002', address: at(home), requestId: undefined };
    const open = await as.homeWorker.post('/persons').send(mine).expect(409);
    expect(open.body.detail).toBe('this person’s record lies outside your jurisdiction and cannot be enrolled or changed from here');
    expect(JSON.stringify(open.body)).not.toContain(number);
    expect(JSON.stringify(open.body)).not.toContain(next.community);
    // Within one's own area the answer names the observation.
    const own = await as.nextWorker.post('/persons').send({ ...neighbour, requestId: undefined }).expect(409);
    expect(own.body.observationNumber).toBe(number);

    // Released next door: the record is still theirs, refused the same way and left as it was.
    await as.homeSupervisor.post(`/observations/${number}/early-end`).send({ reason: 'moved_away', by: '王主任' }).expect(200);
    const closed = await as.homeWorker.post('/persons').send(mine).expect(409);
    expect(closed.body.detail).toBe(open.body.detail);
    expect(await person(neighbour.documentNumber)).toMatchObject({ name: '邻居', mobile: '13900000001', community: next.community });

    // A request id used next door names nothing here: the home worker's own enrolment is made.
    const stranger = enrolmentRequest({ address: at(home), requestId: `req-${tag}` });
    const separate = await as.homeWorker.post('/persons').send(stranger).expect(201);
    expect(separate.body.observationNumber).not.toBe(number);
    expect((await as.homeWorker.post('/persons').send(stranger).expect(200)).body).toMatchObject({ observationNumber: separate.body.observationNumber, status: 'existing' });
  });

  it('moves a person only by a supervisor whose jurisdiction holds both places, and then enrols them there', async () => {
    const mover = enrolmentRequest({ name: '搬家', address: at(next) });
    const { observationNumber } = (await as.nextWorker.post('/persons').send(mover).expect(201)).body;
    const move = { documentNumber: mover.documentNumber, address: at(home) };
    // The subdistrict's supervisor sees why, in full.
    const told = await as.homeSupervisor.post('/persons').send({ ...mover, address: at(home) }).expect(409);
    expect(told.body.observationNumber).toBe(observationNumber);
    const underObservation = await as.homeSupervisor.post('/persons/move').send(move).expect(409);
    expect(underObservation.body.detail).toBe(`the person is under observation as ${observationNumber}: end it before they move`);
    await as.homeSupervisor.post(`/observations/${observationNumber}/early-end`).send({ reason: 'moved_away', by: '王主任' }).expect(200);

    const lives = await as.homeSupervisor.post('/persons').send({ ...mover, address: at(home) }).expect(409);
    expect(lives.body.detail).toContain(`lives in community ${next.community} of subdistrict XYL: a supervisor moves them (POST /persons/move)`);
    await as.homeWorker.post('/persons/move').send(move).expect(403);
    await as.farSupervisor.post('/persons/move').send(move).expect(403);
    const farAway = await as.farSupervisor.post('/persons/move').send({ ...move, address: at(far) }).expect(409);
    expect(farAway.body.detail).toBe('this person’s record lies outside your jurisdiction and cannot be enrolled or changed from here');
    await as.homeSupervisor.post('/persons/move').send({ ...move, address: { subdistrict: 'XYL' } }).expect(422);

    const moved = await as.homeSupervisor.post('/persons/move').send(move).expect(200);
    expect(moved.body.address).toMatchObject(home);
    expect(await person(mover.documentNumber)).toMatchObject({ community: home.community });
    await as.homeWorker.post('/persons').send({ ...mover, address: at(home) }).expect(201);
  });

  it('keeps a device id on one person under observation at a time; a released person’s device goes with the next enrolment', async () => {
    const sensor = `DS-${tag}`;
    const first = enrolmentRequest({ address: at(home), devices: { doorSensorId: sensor } });
    const { observationNumber } = (await as.homeWorker.post('/persons').send(first).expect(201)).body;
    const second = enrolmentRequest({ address: at(home), devices: { doorSensorId: sensor, cameraId: `CAM-${tag}` } });
    const clash = await as.homeWorker.post('/persons').send(second).expect(409);
    expect(clash.body.errors).toEqual([{ field: 'devices.doorSensorId', reason: `${sensor} is fitted to another person under observation` }]);
    // Refused from another community too, naming the device and nobody.
    const elsewhere = await as.nextWorker.post('/persons').send({ ...second, address: at(next) }).expect(409);
    expect(elsewhere.body.errors).toEqual(clash.body.errors);

    await as.homeSupervisor.post(`/observations/${observationNumber}/early-end`).send({ reason: 'hospital', by: '王主任' }).expect(200);
    const taken = await as.homeWorker.post('/persons').send(second).expect(201);
    expect((await person(first.documentNumber)).devices).toEqual({});
    const event = await as.homeWorker.post('/device-events').send({ deviceId: sensor, kind: 'door_opened' }).expect(202);
    expect(event.body.observationNumber).toBe(taken.body.observationNumber);
  });

  it('resolves device ids already stored on several people when the unique indexes come (the migration)', async () => {
    const name = `epi_devices_${tag.replace(/-/g, '')}`;
    // A database of its own, made and migrated by the owner (the tests otherwise run as the application role).
    const ownerUrl = process.env.DATABASE_OWNER_URL ?? config.databaseUrl!;
    const owner = await createDataSource(ownerUrl).initialize();
    await owner.query(`CREATE DATABASE ${name}`);
    const url = ownerUrl.replace(/\/[^/]*$/, `/${name}`);
    const before = await createDataSource(url).setOptions({ migrations: MIGRATIONS.slice(0, MIGRATIONS.indexOf(LoginsAndJurisdictions1764416000000)) }).initialize();
    const warnings = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await before.runMigrations();
      const enrol = async (devices: Record<string, string>, status: string, startedAt: string) => {
        const [{ id }] = await before.query(
          `INSERT INTO person (name, document_type, document_number, mobile, subdistrict, community, building, unit, devices)
           VALUES ('p', 'resident_id', $1, '13800138000', 'XYL', 'c', '1', '1', $2) RETURNING id`,
          [freshResidentId(), JSON.stringify(devices)],
        );
        await before.query(
          `INSERT INTO observation (number, person_id, category, status, subdistrict, community, responsible_worker, anchor_date, policy_id, started_at, release_due_at)
           VALUES ($1, $2, 'C', $3, 'XYL', 'c', 'w', '2026-01-01', 'C-v1', $4, $4)`,
          [`XYL-C-${randomUUID()}`, id, status, startedAt],
        );
        return id as string;
      };
      const wearing = await enrol({ doorSensorId: 'D1', cameraId: 'C1' }, 'active', '2026-01-01');
      const returned = await enrol({ doorSensorId: 'D1' }, 'released', '2026-02-01');
      const older = await enrol({ cameraId: 'C1', thermometerId: 'T1' }, 'ended', '2025-12-01');
      await before.destroy();

      const after = await createDataSource(url).initialize();
      await after.runMigrations();
      const devices = async (id: string) => (await after.query(`SELECT devices FROM person WHERE id = $1`, [id]))[0].devices;
      expect(await devices(wearing)).toEqual({ doorSensorId: 'D1', cameraId: 'C1' });
      expect(await devices(returned)).toEqual({});
      expect(await devices(older)).toEqual({ thermometerId: 'T1' });
      expect(warnings.mock.calls.map(([line]) => line)).toEqual([
        expect.stringContaining(`doorSensorId D1 was on several people: taken off person ${returned}`),
        expect.stringContaining(`cameraId C1 was on several people: taken off person ${older}`),
      ]);
      await expect(after.query(`UPDATE person SET devices = '{"doorSensorId": "D1"}' WHERE id = $1`, [returned])).rejects.toThrow(/person_door_sensor_unique/);
      await after.destroy();
    } finally {
      warnings.mockRestore();
      await owner.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await owner.destroy();
    }
  });

  it('hands a traveller who lives in another subdistrict over to its receiving side, which enrols them on accepting', async () => {
    const registry = await registerResources(db, {
      destinations: [{ destinationId: 'home', kind: 'community', name: 'Home gate', travelMinutes: 20 }, { destinationId: 'far', kind: 'community', name: 'Far gate', travelMinutes: 30 }],
      vehicles: [{ vehicleId: 'van', seats: 7 }],
      escorts: [{ escortId: 'e1' }],
    });
    const arrived = Date.now() - 5 * MINUTE;
    const local = manifestRow(registry.destination('home'), true, arrived, { address: at(home), responsibleWorker: 'XYL 李社工' });
    const traveller = manifestRow(registry.destination('far'), true, arrived, { address: at(far), responsibleWorker: 'XYL 李社工' });
    const created = await as.homeDispatcher
      .post('/transfer-runs')
      .send({ sortingPointId: registry.sortingPointId, vehicleIds: registry.vehicleIds, escortIds: registry.escortIds, dispatcher: '赵调度', supervisor: '王主任', dispatch: true, rules: { dispatchLeadMinutes: 2880 }, travellers: [local, traveller] })
      .expect(201);
    const { runId, plan } = created.body;
    for (const trip of plan.trips as Array<{ tripId: string }>) {
      await answered(() => as.homeDispatcher.get(`/transfer-runs/${runId}/trips/${trip.tripId}`), `trip ${trip.tripId} dispatched`);
      await driveTrip(client, runId, trip.tripId);
    }
    await expect(client.workflow.getHandle(transferRunWorkflowId(runId)).result()).resolves.toMatchObject({ status: 'completed', handedOver: 2 });

    // The run's own subdistrict enrols its resident; the other's is not enrolled by the run.
    const enrolled = await db.query(`SELECT number, subdistrict FROM observation WHERE client_request_id LIKE $1`, [`transfer:${runId}:%`]);
    expect(enrolled.map((o: { subdistrict: string }) => o.subdistrict)).toEqual(['XYL']);

    const pending = await as.farWorker.get('/incoming-hand-overs').expect(200);
    const handOver = pending.body.items.find((h: { runId: string }) => h.runId === runId);
    expect(handOver).toMatchObject({ fromSubdistrict: 'XYL', subdistrict: 'QTL', community: far.community, state: 'pending', name: traveller.name, documentNumber: traveller.documentNumber });
    // A page like every list, its instants ISO 8601 UTC text.
    expect(pending.body).toMatchObject({ page: 1, pageSize: 50, total: pending.body.items.length });
    expect(handOver).toMatchObject({ arrivalTime: new Date(arrived).toISOString(), createdAt: expect.stringMatching(ISO_UTC), acceptedAt: null });
    const firstOnly = await as.farWorker.get('/incoming-hand-overs').query({ pageSize: 1 }).expect(200);
    expect(firstOnly.body).toMatchObject({ items: [pending.body.items[0]], page: 1, pageSize: 1, total: pending.body.total });
    expect((await as.homeSupervisor.get('/incoming-hand-overs').expect(200)).body.items.map((h: { runId: string }) => h.runId)).not.toContain(runId);
    await as.homeSupervisor.post(`/incoming-hand-overs/${handOver.id}/accept`).send({ responsibleWorker: 'XYL 李社工' }).expect(403);
    await as.homeDispatcher.post(`/incoming-hand-overs/${handOver.id}/accept`).send({ responsibleWorker: 'XYL 李社工' }).expect(403);

    const accepted = await as.farWorker.post(`/incoming-hand-overs/${handOver.id.toUpperCase()}/accept`).send({ responsibleWorker: '钱社工' }).expect(200);
    expect(accepted.body).toMatchObject({ id: handOver.id, state: 'accepted', observationNumber: expect.stringMatching(/^QTL-C-/), acceptedAt: expect.stringMatching(ISO_UTC) });
    const [observation] = await db.query(`SELECT subdistrict, community, responsible_worker FROM observation WHERE number = $1`, [accepted.body.observationNumber]);
    expect(observation).toEqual({ subdistrict: 'QTL', community: far.community, responsible_worker: '钱社工' });
    // Accepting again answers the same observation.
    const again = await as.farSupervisor.post(`/incoming-hand-overs/${handOver.id}/accept`).send({ responsibleWorker: '孙社工' }).expect(200);
    expect(again.body.observationNumber).toBe(accepted.body.observationNumber);
    expect((await as.farWorker.get('/incoming-hand-overs?state=accepted').expect(200)).body.items.map((h: { id: string }) => h.id)).toContain(handOver.id);
  });
});
