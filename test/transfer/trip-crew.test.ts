/**
 * Escorts and drivers act on their own trip with their own login, over HTTP against the real API,
 * worker, dev server and PostgreSQL: a dispatcher links the escort and the driver to accounts (an
 * unknown account is refused by field); the escort's account, whatever its role, lists its trip by
 * name, ticks each person boarded (a repeat under one Idempotency-Key is one tick) and departs, the
 * driver's records the arrival; another account, the rest of the run and the receiving side's route
 * refuse them; the audit log names the crew account.
 */
import { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { Role } from '../../libs/auth/roles';
import { MINUTE } from '../../libs/domain/local-time';
import { Http, httpAs, signIn } from '../support/auth';
import { testConfig } from '../support/environment';
import { eventually } from '../support/eventually';
import { manifestRow, registerResources, Registry } from './transfer-fixtures';
import { systemPerFile } from '../support/system';

jest.setTimeout(180_000);

interface Account {
  http: Http;
  userId: string;
  username: string;
  displayName: string;
}

interface ListedTrip {
  runId: string;
  tripId: string;
  leg: string;
  travellers: Array<{ travellerId: string; name: string; status: string }>;
}

describe('a trip’s escort and driver act on it with their own login (dev server, worker, PostgreSQL)', () => {
  const config = testConfig();
  let api: INestApplication;
  let db: DataSource;
  let registry: Registry;
  let dispatcher: Account;

  async function account(role: Role): Promise<Account> {
    const http = httpAs(api, await signIn(api, role));
    const me = (await http.get('/auth/me').expect(200)).body;
    return { http, userId: me.userId, username: me.username, displayName: me.displayName };
  }

  systemPerFile(async (system) => {
    ({ api, db } = system);
    registry = await registerResources(db, {
      destinations: [{ destinationId: 'hotel', kind: 'hotel', name: 'Jinjiang quarantine hotel', travelMinutes: 20, capacity: 10 }],
      vehicles: [{ vehicleId: 'V1', seats: 4 }],
      escorts: [{ escortId: 'E1' }],
    });
    dispatcher = await account('dispatcher');
  }, { config });

  /** The vehicle as the API lists it, wherever it falls in the list (other test files add vehicles too). */
  async function registeredVehicle(vehicleId: string): Promise<Record<string, unknown>> {
    for (let page = 1; ; page++) {
      const { items } = (await dispatcher.http.get(`/transfer/vehicles?pageSize=100&page=${page}`).expect(200)).body;
      const found = items.find((v: { id: string }) => v.id === vehicleId);
      if (found) return found;
      if (items.length === 0) throw new Error(`vehicle ${vehicleId} is not listed`);
    }
  }

  it('links escorts and drivers to accounts; an unknown account is refused by field', async () => {
    const [vehicleId] = registry.vehicleIds;
    const unknown = randomUUID();
    const escort = await dispatcher.http.post('/transfer/escorts').send({ id: `${registry.prefix}-E9`, name: '周干部', contact: '13700000009', accountId: unknown }).expect(422);
    expect(escort.body.errors).toEqual([{ field: 'accountId', reason: `no account ${unknown}` }]);
    const current = await registeredVehicle(vehicleId);
    const vehicle = await dispatcher.http.put(`/transfer/vehicles/${vehicleId}`).send({ ...current, driverAccountId: unknown }).expect(422);
    expect(vehicle.body.errors).toEqual([{ field: 'driverAccountId', reason: `no account ${unknown}` }]);
    const notUuid = await dispatcher.http.put(`/transfer/vehicles/${vehicleId}`).send({ ...current, driverAccountId: 'driver-1' }).expect(422);
    expect(notUuid.body.errors[0].field).toBe('driverAccountId');
  });

  it('the escort ticks each person boarded and departs, the driver records the arrival; others, the rest of the run and the hand-over refuse them; audited as the crew accounts', async () => {
    const [vehicleId] = registry.vehicleIds;
    const [escortId] = registry.escortIds;
    // Whatever their role: here duty staff escort, and a community worker of elsewhere drives.
    const escort = await account('duty_staff');
    const driver = await account('duty_staff');
    const stranger = await account('duty_staff');
    const linkedEscort = await dispatcher.http.put(`/transfer/escorts/${escortId}`).send({ id: escortId, name: '周干部', contact: '13700000000', accountId: escort.userId }).expect(200);
    expect(linkedEscort.body.accountId).toBe(escort.userId);
    const vehicle = await registeredVehicle(vehicleId);
    await dispatcher.http.put(`/transfer/vehicles/${vehicleId}`).send({ ...vehicle, driverAccountId: driver.userId }).expect(200);

    const arrived = Date.now() - 5 * MINUTE;
    const travellers = [manifestRow(registry.destination('hotel'), false, arrived), manifestRow(registry.destination('hotel'), false, arrived)];
    const { runId, plan } = (
      await dispatcher.http
        .post('/transfer-runs')
        .send({ sortingPointId: registry.sortingPointId, dispatcher: '赵调度', supervisor: '王主任', vehicleIds: [vehicleId], escortIds: [escortId], dispatch: true, travellers })
        .expect(201)
    ).body;
    const [{ tripId, travellerIds }] = plan.trips as Array<{ tripId: string; travellerIds: string[] }>;
    const route = `/transfer-runs/${runId}/trips/${tripId}`;

    const mine = await eventually(
      async () => (await escort.http.get('/my-trips').expect(200)).body as ListedTrip[],
      (trips) => trips.some((t) => t.runId === runId && t.leg === 'dispatched'),
      { what: 'the dispatched trip in the escort’s list' },
    );
    expect(mine.find((t) => t.runId === runId)!.travellers.map((t) => [t.name, t.status])).toEqual(travellers.map((t) => [t.name, 'waiting']));
    expect((await driver.http.get('/my-trips').expect(200)).body.map((t: ListedTrip) => `${t.runId}/${t.tripId}`)).toContain(`${runId}/${tripId}`);
    expect((await stranger.http.get('/my-trips').expect(200)).body).toEqual([]);

    // Someone not on the crew is refused without learning whether the trip exists; the crew reaches nothing else of the run.
    const refused = await stranger.http.get(route).expect(403);
    expect(refused.body.detail).toContain('a duty_staff may not GET /transfer-runs/:runId/trips/:tripId');
    await stranger.http.post(`${route}/boarded`).send({ travellerId: travellerIds[0], by: 'x' }).expect(403);
    await escort.http.get(`/transfer-runs/${runId}/trips/trip-99`).expect(403);
    await escort.http.get(`/transfer-runs/${runId}`).expect(403);
    await escort.http.get(`/transfer-runs/${runId}/hand-over-sheet`).expect(403);
    await escort.http.post(`${route}/hotel-full`).send({ by: 'x' }).expect(403);
    await escort.http.post(`${route}/handed-over`).send({ travellerId: travellerIds[0], name: travellers[0].name, by: 'x' }).expect(403);

    expect((await escort.http.get(route).expect(200)).body).toMatchObject({ runId, tripId, leg: 'dispatched' });
    const key = randomUUID();
    const first = await escort.http.post(`${route}/boarded`).set('idempotency-key', key).send({ travellerId: travellerIds[0], by: escort.displayName }).expect(200);
    const repeat = await escort.http.post(`${route}/boarded`).set('idempotency-key', key).send({ travellerId: travellerIds[0], by: escort.displayName }).expect(200);
    expect(repeat.body).toEqual(first.body);
    await escort.http.post(`${route}/boarded`).set('idempotency-key', randomUUID()).send({ travellerId: travellerIds[1], by: escort.displayName }).expect(200);
    const departed = await escort.http.post(`${route}/departed`).set('idempotency-key', randomUUID()).send({ by: escort.displayName }).expect(200);
    expect(departed.body.leg).toBe('departed');
    expect(departed.body.riders.map((r: { status: string }) => r.status)).toEqual(['on_board', 'on_board']);
    const atHotel = await driver.http.post(`${route}/arrived`).set('idempotency-key', randomUUID()).send({ by: driver.displayName }).expect(200);
    expect(atHotel.body.leg).toBe('arrived');

    const audit = await db.query(
      `SELECT actor, actor_role, action, record_type, record_id, status FROM audit_log WHERE actor = ANY($1) AND action LIKE 'POST /transfer-runs/%' ORDER BY id`,
      [[escort.username, driver.username, stranger.username]],
    );
    expect(audit.map((a: { actor: string; action: string; status: number }) => `${a.actor} ${a.action.replace('POST /transfer-runs/:runId/trips/:tripId/', '')} ${a.status}`)).toEqual([
      `${stranger.username} boarded 403`,
      `${escort.username} hotel-full 403`,
      `${escort.username} handed-over 403`,
      `${escort.username} boarded 200`,
      `${escort.username} boarded 200`,
      `${escort.username} boarded 200`,
      `${escort.username} departed 200`,
      `${driver.username} arrived 200`,
    ]);
    expect(audit[audit.length - 1]).toMatchObject({ actor_role: 'duty_staff', record_type: 'trip', record_id: `${runId}/${tripId}` });
  });
});
