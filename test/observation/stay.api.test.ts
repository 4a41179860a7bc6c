/**
 * The quarantine stay over HTTP against the real API, worker, dev server and PostgreSQL: a transfer
 * run hands a traveller over at a hotel, the stay checks them into a room with their health checks,
 * and a supervisor hands them back to home observation through POST /stays/:id/hand-back (once,
 * whatever the repeats), with bad input refused naming the field.
 */
import { INestApplication } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { arrivalDate } from '../../libs/observation/arrival-enrolment';
import { MINUTE } from '../../libs/domain/local-time';
import { handBackRequestId } from '../../workflows/observation/quarantine-stay.messages';
import { Http, httpAs, signIn } from '../support/auth';
import { testConfig } from '../support/environment';
import { eventually } from '../support/eventually';
import { driveTrip, manifestRow, registerResources, Registry } from '../transfer/transfer-fixtures';
import { systemPerFile } from '../support/system';

jest.setTimeout(180_000);

describe('quarantine stays (HTTP, dev server, worker, PostgreSQL)', () => {
  const config = testConfig();
  const tag = randomUUID().slice(0, 6);
  const hotelCommunity = `Hotel-${tag}`;
  const homeCommunity = `Home-${tag}`;
  let api: INestApplication;
  let db: DataSource;
  let client: Client;
  let registry: Registry;
  let dispatcher: Http;
  let supervisor: Http;

  systemPerFile(async (system) => {
    ({ api, db, client } = system);
    registry = await registerResources(db, {
      destinations: [
        { destinationId: 'hotel', kind: 'hotel', name: 'Jinjiang quarantine hotel', travelMinutes: 20, capacity: 5 },
        { destinationId: 'small', kind: 'hotel', name: 'Small hotel', travelMinutes: 20, capacity: 1 },
      ],
      vehicles: [{ vehicleId: 'V1', seats: 4 }, { vehicleId: 'V2', seats: 4 }],
      escorts: [{ escortId: 'E1' }, { escortId: 'E2' }],
    });
    await db.query(`UPDATE transfer_destination SET subdistrict = 'XYL', community = $2, worker = 'doctor-liu' WHERE id = ANY($1)`, [[registry.destination('hotel'), registry.destination('small')], hotelCommunity]);
    dispatcher = httpAs(api, await signIn(api, 'dispatcher'));
    supervisor = httpAs(api, await signIn(api, 'supervisor', { subdistrict: 'XYL' }));
  }, { config });

  /** POSTs a run of one traveller to the hotel, dispatched at once. */
  function startRun(hotel: string, arrived: number) {
    const traveller = manifestRow(registry.destination(hotel), false, arrived);
    const request = { sortingPointId: registry.sortingPointId, dispatcher: '赵调度', supervisor: '王主任', vehicleIds: registry.vehicleIds, escortIds: registry.escortIds, dispatch: true, travellers: [traveller] };
    return { traveller, response: dispatcher.post('/transfer-runs').send(request) };
  }

  /** A run of one traveller to the hotel, driven there and handed over. */
  async function handedOverAt(hotel: string, arrived: number) {
    const { traveller, response } = startRun(hotel, arrived);
    const { runId, plan } = (await response.expect(201)).body;
    const [trip] = plan.trips as Array<{ tripId: string; travellerIds: string[] }>;
    await driveTrip(client, runId, trip.tripId, { stopAfter: 'arrived' });
    await dispatcher
      .post(`/transfer-runs/${runId}/trips/${trip.tripId}/handed-over`)
      .send({ travellerId: trip.travellerIds[0], name: traveller.name, by: '赵调度', receiver: { name: '前台 刘', role: 'hotel_staff' } })
      .expect(200);
    return traveller;
  }

  it('a full hotel is refused at planning: its room is taken by a stay, or by a traveller of a run on the way', async () => {
    const arrived = Date.now() - 5 * MINUTE;
    const refusal = (body: { errors: Array<{ field: string; reason: string }> }) => body.errors;
    // Room 1 of 1 promised to a traveller on the way: a second run there is refused before anything is recorded.
    const { response: first } = startRun('small', arrived);
    const { runId, plan } = (await first.expect(201)).body;
    expect(refusal((await startRun('small', arrived).response.expect(409)).body)).toEqual([{ field: 'travellers[0]', reason: 'hotel full' }]);
    // Handed over, the traveller is in the room: still full.
    const [trip] = plan.trips as Array<{ tripId: string; travellerIds: string[] }>;
    await driveTrip(client, runId, trip.tripId);
    await eventually(() => db.query(`SELECT status FROM quarantine_stay WHERE hotel_id = $1`, [registry.destination('small')]), (rows) => rows[0]?.status === 'in_room', { what: 'the stay in room 1' });
    expect(refusal((await startRun('small', arrived).response.expect(409)).body)).toEqual([{ field: 'travellers[0]', reason: 'hotel full' }]);
  });

  it('a hotel hand-over starts the stay (room, health checks); a supervisor hands the person back home over HTTP, once', async () => {
    const arrived = Date.now() - 5 * MINUTE;
    const home = { subdistrict: 'XYL', community: homeCommunity, building: '5', unit: '1' };
    const traveller = await handedOverAt('hotel', arrived);

    // The stay is listed at the hotel, in room 1, with its health checks' observation.
    const hotelId = registry.destination('hotel');
    const listed = await eventually(
      async () => (await supervisor.get(`/stays?hotelId=${hotelId}`).expect(200)).body,
      (page) => page.items[0]?.observationNumber,
      { what: 'the stay checked in with its health checks' },
    );
    expect(listed.total).toBe(1);
    const stay = listed.items[0];
    const anchorDate = arrivalDate(new Date(arrived), config.timeZone);
    expect(stay).toMatchObject({ hotelId, hotelName: 'Jinjiang quarantine hotel', room: 1, subdistrict: 'XYL', community: hotelCommunity, anchorDate, status: 'in_room', name: traveller.name });
    expect((await supervisor.get(`/stays/${stay.id}`).expect(200)).body).toEqual(stay);
    const checks = (await supervisor.get(`/observations/${stay.observationNumber}`).expect(200)).body;
    expect(checks.observation).toMatchObject({ community: hotelCommunity, responsibleWorker: 'doctor-liu', anchorDate, status: 'active' });

    // Refused before anything changes: each names the field and why, or whose it is.
    const badAddress = await supervisor.post(`/stays/${stay.id}/hand-back`).send({ address: { subdistrict: 'x', community: homeCommunity, building: '5' }, responsibleWorker: '李娜', by: '王主任' }).expect(422);
    expect(badAddress.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['address.subdistrict', 'address.unit']);
    const nothing = await supervisor.post(`/stays/${stay.id}/hand-back`).send({ by: '王主任' }).expect(422);
    expect(new Set(nothing.body.errors.map((e: { field: string }) => e.field))).toEqual(new Set(['address', 'responsibleWorker']));
    const elsewhere = await supervisor.post(`/stays/${stay.id}/hand-back`).send({ address: { ...home, subdistrict: 'HDN' }, responsibleWorker: '李娜', by: '王主任' }).expect(403);
    expect(elsewhere.body.detail).toContain('the home address');
    await httpAs(api, await signIn(api, 'community_worker', { subdistrict: 'XYL', community: hotelCommunity })).post(`/stays/${stay.id}/hand-back`).send({ address: home, responsibleWorker: '李娜', by: 'x' }).expect(403);
    await httpAs(api, await signIn(api, 'supervisor', { subdistrict: 'HDN' })).get(`/stays/${stay.id}`).expect(403);
    await supervisor.get(`/stays/not-a-stay`).expect(404);
    expect((await supervisor.get(`/stays/${stay.id}`).expect(200)).body.status).toBe('in_room');

    // The hand-back: home for the days left, with the same anchor date; a repeat, even at once, answers the same.
    const handBack = { address: home, responsibleWorker: '李娜', by: '王主任' };
    const [handedBack, repeat] = await Promise.all([0, 1].map(() => supervisor.post(`/stays/${stay.id}/hand-back`).send(handBack)));
    expect(handedBack.status).toBe(200);
    expect(repeat.status).toBe(200);
    expect(handedBack.body).toMatchObject({ id: stay.id, status: 'handed_back', homeObservationNumber: expect.stringMatching(/^XYL-C-\d{6}$/), endedBy: '王主任', checkedOutAt: expect.any(String) });
    expect(repeat.body).toEqual(handedBack.body);
    expect((await supervisor.post(`/stays/${stay.id}/hand-back`).send(handBack).expect(200)).body).toEqual(handedBack.body);
    expect(await db.query(`SELECT number FROM observation WHERE client_request_id = $1`, [handBackRequestId(stay.id)])).toEqual([{ number: handedBack.body.homeObservationNumber }]);

    const athome = (await supervisor.get(`/observations/${handedBack.body.homeObservationNumber}`).expect(200)).body;
    expect(athome.observation).toMatchObject({ community: homeCommunity, responsibleWorker: '李娜', anchorDate, status: 'active' });
    expect(athome.observation.releaseDueAt).toBe(checks.observation.releaseDueAt);
    const ended = await eventually(() => supervisor.get(`/observations/${stay.observationNumber}`).expect(200), (r) => r.body.observation.status === 'ended', { what: 'the hotel health checks ended' });
    expect(ended.body.observation.endReason).toBe('moved_away');
    expect((await supervisor.get(`/stays?hotelId=${hotelId}&status=in_room`).expect(200)).body.total).toBe(0);
  });
});
