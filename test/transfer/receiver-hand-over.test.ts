/**
 * Receivers take people over with their own login, over HTTP against the real API, worker, dev
 * server and PostgreSQL: a hotel's receiver and a community's worker each hand over a person by
 * name on a real run, recorded (and audited) as their account; another destination's receiver,
 * another community's worker and every other transfer route are refused; GET /receiving lists what
 * is coming to me.
 */
import { INestApplication } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { Role } from '../../libs/auth/roles';
import { MINUTE } from '../../libs/domain/local-time';
import { Http, httpAs, Scope, signIn } from '../support/auth';
import { testConfig } from '../support/environment';
import { eventually } from '../support/eventually';
import { driveTrip, manifestRow, registerResources, Registry } from './transfer-fixtures';
import { systemPerFile } from '../support/system';

jest.setTimeout(180_000);

interface Account {
  http: Http;
  username: string;
  displayName: string;
}

describe('receivers hand over with their own login (dev server, worker, PostgreSQL)', () => {
  const config = testConfig();
  const community = `Recv-${randomUUID().slice(0, 6)}`;
  let api: INestApplication;
  let db: DataSource;
  let client: Client;
  let registry: Registry;
  let dispatcher: Account;

  async function account(role: Role, scope: Scope = {}): Promise<Account> {
    const http = httpAs(api, await signIn(api, role, scope));
    const me = (await http.get('/auth/me').expect(200)).body;
    return { http, username: me.username, displayName: me.displayName };
  }

  systemPerFile(async (system) => {
    ({ api, db, client } = system);
    registry = await registerResources(db, {
      destinations: [
        { destinationId: 'hotel', kind: 'hotel', name: 'Jinjiang quarantine hotel', travelMinutes: 20, capacity: 10 },
        { destinationId: 'home', kind: 'community', name: 'Meilong community', travelMinutes: 20 },
      ],
      vehicles: [{ vehicleId: 'V1', seats: 4 }, { vehicleId: 'V2', seats: 4 }],
      escorts: [{ escortId: 'E1' }, { escortId: 'E2' }],
    });
    await db.query(`UPDATE transfer_destination SET subdistrict = 'XYL', community = $2 WHERE id = $1`, [registry.destination('home'), community]);
    dispatcher = await account('dispatcher');
  }, { config });

  /** A run of two people to the hotel and one home, dispatched at once, its trips driven to their destinations. */
  async function arrivedRun() {
    const arrived = Date.now() - 5 * MINUTE;
    const home = registry.destination('home');
    const travellers = [
      manifestRow(registry.destination('hotel'), false, arrived),
      manifestRow(registry.destination('hotel'), false, arrived),
      manifestRow(home, true, arrived, { address: { subdistrict: 'XYL', community, building: '1', unit: '1' } }),
    ];
    const created = await dispatcher.http
      .post('/transfer-runs')
      .send({ sortingPointId: registry.sortingPointId, dispatcher: '赵调度', supervisor: '王主任', vehicleIds: registry.vehicleIds, escortIds: registry.escortIds, dispatch: true, travellers })
      .expect(201);
    const { runId, plan } = created.body;
    const trips = plan.trips as Array<{ tripId: string; destinationId: string; travellerIds: string[] }>;
    for (const trip of trips) await driveTrip(client, runId, trip.tripId, { stopAfter: 'arrived' });
    const nameOf = (travellerId: string) => String(travellers[Number(travellerId.slice(1)) - 1].name);
    const tripTo = (where: string) => trips.find((t) => t.destinationId === registry.destination(where))!;
    return { runId, hotelTrip: tripTo('hotel'), homeTrip: tripTo('home'), nameOf };
  }

  it('a hotel’s receiver sees the trip at the hotel and takes each person over by name as themselves; another hotel’s receiver and every other transfer route refuse them', async () => {
    const receiver = await account('receiver', { destinationId: registry.destination('hotel') });
    const stranger = await account('receiver');
    const { runId, hotelTrip, nameOf } = await arrivedRun();
    const route = `/transfer-runs/${runId}/trips/${hotelTrip.tripId}`;
    const [first, second] = hotelTrip.travellerIds;

    const coming = await eventually(
      async () => (await receiver.http.get('/receiving').expect(200)).body,
      (trips) => trips.some((t: { tripId: string; runId: string; leg: string }) => t.runId === runId && t.tripId === hotelTrip.tripId && t.leg === 'arrived'),
      { what: 'the hotel trip listed as arrived' },
    );
    const listed = coming.find((t: { runId: string }) => t.runId === runId);
    expect(listed).toMatchObject({ destinationId: registry.destination('hotel'), destinationName: 'Jinjiang quarantine hotel', plate: expect.any(String), arriveAt: expect.stringMatching(/Z$/) });
    expect(listed.travellers.map((t: { name: string }) => t.name)).toEqual([nameOf(first), nameOf(second)]);
    expect(coming.every((t: { destinationId: string }) => t.destinationId === registry.destination('hotel'))).toBe(true);
    expect((await stranger.http.get('/receiving').expect(200)).body.some((t: { runId: string }) => t.runId === runId)).toBe(false);

    // Another destination's receiver may not hand over here; nor may a receiver use any other transfer route.
    const elsewhere = await stranger.http.post(`${route}/handed-over`).send({ travellerId: first, name: nameOf(first), by: 'x' }).expect(403);
    expect(elsewhere.body.detail).toContain('is not at your destination');
    await receiver.http.get(`/transfer-runs/${runId}`).expect(403);
    await receiver.http.get(route).expect(403);
    await receiver.http.post(`${route}/breakdown`).send({ by: 'x' }).expect(403);
    await receiver.http.post(`/transfer-runs/${runId}/trips/trip-99/handed-over`).send({ travellerId: first, name: nameOf(first), by: 'x' }).expect(404);

    const wrongName = await receiver.http.post(`${route}/handed-over`).send({ travellerId: first, name: '别人', by: receiver.displayName }).expect(422);
    expect(wrongName.body.errors[0].field).toBe('name');
    // The body's receiver is not the record's: the logged-in receiver is.
    const handed = await receiver.http
      .post(`${route}/handed-over`)
      .send({ travellerId: first, name: nameOf(first), by: receiver.displayName, receiver: { name: 'someone else', role: 'community_worker' } })
      .expect(200);
    expect(handed.body.riders.find((r: { travellerId: string }) => r.travellerId === first).status).toBe('handed_over');
    const [recorded] = await eventually(
      () => db.query(`SELECT status, receiver FROM transfer_traveller WHERE run_id = $1 AND traveller_id = $2`, [runId, first]),
      (rows) => rows[0]?.status === 'handed_over',
      { what: `${first} recorded handed over` },
    );
    expect(recorded.receiver).toEqual({ name: receiver.displayName, role: 'hotel_staff', organisation: 'Jinjiang quarantine hotel', account: receiver.username });
    const audit = await db.query(`SELECT actor, actor_role, record_type, record_id, status FROM audit_log WHERE action = 'POST /transfer-runs/:runId/trips/:tripId/handed-over' AND actor = $1 ORDER BY id`, [
      receiver.username,
    ]);
    expect(audit.map((a: { status: number }) => a.status)).toEqual([404, 422, 200]);
    expect(audit[2]).toEqual({ actor: receiver.username, actor_role: 'receiver', record_type: 'trip', record_id: `${runId}/${hotelTrip.tripId}`, status: 200 });

    const sheet = (await dispatcher.http.get(`/transfer-runs/${runId}/hand-over-sheet`).expect(200)).body;
    expect(sheet.find((r: { name: string }) => r.name === nameOf(first)).receiver).toBe(`${receiver.displayName} (hotel_staff, Jinjiang quarantine hotel, ${receiver.username})`);
  });

  it('a community worker of the destination’s community hands over a person home as themselves; another community’s worker may not; a dispatcher names the receiver', async () => {
    const worker = await account('community_worker', { subdistrict: 'XYL', community });
    const neighbour = await account('community_worker', { subdistrict: 'XYL', community: `${community}-next` });
    const { runId, homeTrip, hotelTrip, nameOf } = await arrivedRun();
    const [person] = homeTrip.travellerIds;
    const route = `/transfer-runs/${runId}/trips/${homeTrip.tripId}`;

    const mine = (await worker.http.get('/receiving').expect(200)).body;
    expect(mine.some((t: { runId: string; tripId: string }) => t.runId === runId && t.tripId === homeTrip.tripId)).toBe(true);
    expect(mine.some((t: { runId: string; tripId: string }) => t.runId === runId && t.tripId === hotelTrip.tripId)).toBe(false);
    const far = await neighbour.http.post(`${route}/handed-over`).send({ travellerId: person, name: nameOf(person), by: 'x' }).expect(403);
    expect(far.body.detail).toContain('outside your jurisdiction');

    await worker.http.post(`${route}/handed-over`).send({ travellerId: person, name: nameOf(person), by: worker.displayName }).expect(200);
    const [recorded] = await eventually(
      () => db.query(`SELECT status, receiver FROM transfer_traveller WHERE run_id = $1 AND traveller_id = $2`, [runId, person]),
      (rows) => rows[0]?.status === 'handed_over',
      { what: `${person} recorded handed over` },
    );
    expect(recorded.receiver).toEqual({ name: worker.displayName, role: 'community_worker', organisation: 'Meilong community', account: worker.username });

    // Recording someone else's hand-over, a dispatcher names who took the person over.
    const [hotelGuest] = hotelTrip.travellerIds;
    const hotelRoute = `/transfer-runs/${runId}/trips/${hotelTrip.tripId}`;
    const unnamed = await dispatcher.http.post(`${hotelRoute}/handed-over`).send({ travellerId: hotelGuest, name: nameOf(hotelGuest), by: '赵调度' }).expect(422);
    expect(unnamed.body.errors[0].field).toBe('receiver');
    await dispatcher.http.post(`${hotelRoute}/handed-over`).send({ travellerId: hotelGuest, name: nameOf(hotelGuest), by: '赵调度', receiver: { name: '前台 刘', role: 'hotel_staff' } }).expect(200);
  });
});
