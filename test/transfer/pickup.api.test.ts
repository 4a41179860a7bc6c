/**
 * A hospital decision through HTTP against the real stack (dev server, worker, PostgreSQL): a fever
 * report, the supervisor's decision, the pick-up run fetching the person from home, the escort's
 * confirmation at the door, and the hand-over at the hospital that ends the observation. With no
 * vehicle of the subdistrict's own, the decision leaves the escalation open with the reason.
 */
import { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Http, supervisorHttp } from '../support/auth';
import { testConfig } from '../support/environment';
import { eventually } from '../support/eventually';
import { allDayPolicy, enrolmentRequest, moveToPolicy } from '../support/observation-fixtures';
import { systemPerFile } from '../support/system';

jest.setTimeout(180_000);

describe('pick-up on a hospital decision over HTTP (dev server, worker, PostgreSQL)', () => {
  const config = testConfig();
  let api: INestApplication;
  let db: DataSource;
  let http: Http;
  let policyId: string;
  // A subdistrict of this file's own: its vehicles and escorts are the ones its pick-ups take.
  const subdistrict = `P${randomUUID().slice(0, 6).toUpperCase()}`;
  const ids = { sp: `SP-${subdistrict}`, hospital: `HOSP-${subdistrict}`, van: `V-${subdistrict}`, escort: `E-${subdistrict}` };

  systemPerFile(async (system) => {
    ({ api, db } = system);
    http = await supervisorHttp(api);
    policyId = await allDayPolicy(http, db, 'B');
    await http.post('/transfer/sorting-points').send({ id: ids.sp, name: '车辆基地', address: '学院路1号' }).expect(201);
    await http.post('/transfer/destinations').send({ id: ids.hospital, kind: 'hospital', name: '地坛医院', travelMinutes: 30, receiver: '急诊 王医生' }).expect(201);
    // The hospital of this subdistrict (in or near it: the nearest is taken first).
    await db.query(`UPDATE transfer_destination SET subdistrict = $1 WHERE id = $2`, [subdistrict, ids.hospital]);
    await http.post('/transfer/escorts').send({ id: ids.escort, name: '周干部', contact: '13700000001', subdistrict }).expect(201);
  }, { config });

  const detail = async (number: string) => (await http.get(`/observations/${number}`).expect(200)).body;

  it('fetches the person from home to the hospital once a vehicle is there, and ends the observation at the hand-over', async () => {
    const name = '刘发热';
    const enrolled = await http
      .post('/persons')
      .send({ ...enrolmentRequest({ name, category: 'B', anchorDate: new Date().toISOString().slice(0, 10) }), address: { subdistrict, community: '学院路社区', building: '7', unit: '2', detail: '502' } })
      .expect(201);
    const number: string = enrolled.body.observationNumber;
    await moveToPolicy(http, db, number, policyId);
    await http.post(`/observations/${number}/reports`).send({ temperature: 38.7 }).expect(201);
    const escalated = await eventually(() => detail(number), (d) => d.state?.status === 'escalated', { what: 'the fever escalation' });
    const fever = escalated.state.escalations.find((e: { kind: string }) => e.kind === 'fever');
    const decide = () => http.post(`/observations/${number}/escalations/${fever.id.split('/')[1]}/decision`).send({ decision: 'hospital', by: 'supervisor-wang' });

    // No vehicle of the subdistrict's own: the escalation stays open with the reason, the observation as it was.
    const refused = await decide().expect(200);
    expect(refused.body).toMatchObject({ status: 'escalated' });
    expect(refused.body.pickup).toBeUndefined();
    const open = await eventually(() => detail(number), (d) => d.escalations.some((e: { resolution?: string }) => e.resolution?.includes('no vehicle')), { what: 'the reason on the escalation' });
    expect(open.escalations.find((e: { id: string }) => e.id === fever.id)).toMatchObject({ state: 'open', resolution: 'hospital decided; no pick-up: no vehicle available', decidedBy: 'supervisor-wang' });
    expect(open.observation).toMatchObject({ status: 'escalated', pickupRunId: null });

    // The subdistrict gets its van; the supervisor decides again: the pick-up run starts at once.
    await http.post('/transfer/vehicles').send({ id: ids.van, plate: `京B·${ids.van}`, seats: 4, driverName: '孙师傅', driverContact: '13900000001', subdistrict }).expect(201);
    const decided = await decide().expect(200);
    const runId = `pickup-${number}-e${fever.id.split('/')[1]}-hospital`;
    expect(decided.body).toMatchObject({ status: 'awaiting_pickup', pickup: { runId, reason: 'hospital' } });
    const awaiting = await eventually(() => detail(number), (d) => d.observation.status === 'awaiting_pickup', { what: 'the record awaiting its pick-up' });
    expect(awaiting.observation.pickupRunId).toBe(runId);
    expect(awaiting.state.pickup).toMatchObject({ runId, reason: 'hospital', startedAt: expect.stringMatching(/Z$/) });
    expect(awaiting.escalations.find((e: { id: string }) => e.id === fever.id)).toMatchObject({ state: 'resolved', resolution: `hospital: pick-up run ${runId}` });
    // A third decision while the pick-up is under way is refused.
    await decide().expect(409);

    const run = await eventually(async () => (await http.get(`/transfer-runs/${runId}`).expect(200)).body, (r) => r.state?.trips?.[0]?.leg === 'dispatched', { what: 'the pick-up trip dispatched' });
    const trip = run.state.trips[0];
    expect(trip).toMatchObject({ pickup: true, destinationId: ids.hospital, vehicleId: ids.van, escortIds: [ids.escort] });
    expect(run.travellers).toEqual([expect.objectContaining({ name, disposition: 'hospital', status: 'waiting' })]);
    const travellerId = run.travellers[0].travellerId;
    const onTrip = (leg: string) => http.post(`/transfer-runs/${runId}/trips/${trip.tripId}/${leg}`);

    // At the door, by name: a wrong name is refused, a repeat is one step.
    await onTrip('boarded').send({ travellerId, by: 'escort-zhou' }).expect(409);
    const wrong = await onTrip('picked-up').send({ travellerId, name: '别人', by: 'escort-zhou' }).expect(422);
    expect(wrong.body.errors).toEqual([{ field: 'name', reason: expect.stringContaining('别人') }]);
    await onTrip('picked-up').set('Idempotency-Key', `door-${runId}`).send({ travellerId, name, by: 'escort-zhou' }).expect(200);
    const again = await onTrip('picked-up').set('Idempotency-Key', `door-${runId}`).send({ travellerId, name, by: 'escort-zhou' }).expect(200);
    expect(again.body.riders).toEqual([expect.objectContaining({ travellerId, status: 'on_board' })]);
    await onTrip('departed').send({ by: 'escort-zhou' }).expect(200);
    await onTrip('arrived').send({ by: 'escort-zhou' }).expect(200);
    // Arrived is not handed over.
    expect((await detail(number)).state.status).toBe('awaiting_pickup');

    const handedOver = await onTrip('handed-over').send({ travellerId, name, by: 'escort-zhou', receiver: { name: '王医生', role: 'hospital_staff', organisation: '地坛医院' } }).expect(200);
    expect(handedOver.body.riders).toEqual([expect.objectContaining({ travellerId, status: 'handed_over' })]);
    const ended = await eventually(() => detail(number), (d) => d.observation.status === 'ended', { what: 'the observation ended by the hand-over' });
    const [row] = (await http.get(`/transfer-runs/${runId}`).expect(200)).body.travellers;
    expect(row).toMatchObject({ status: 'handed_over', receiver: expect.stringContaining('hospital_staff') });
    expect(ended.observation).toMatchObject({ status: 'ended', endReason: 'hospital', pickupRunId: runId });
    expect(ended.state).toMatchObject({ status: 'ended', endReason: 'hospital' });
    // Ended at the hand-over, as the run recorded it.
    expect(Math.abs(Date.parse(ended.observation.endedAt) - Date.parse(row.handedOverAt))).toBeLessThan(5_000);
    expect(ended.trackingLog.map((line: { kind: string }) => line.kind)).toEqual(expect.arrayContaining(['pickup_refused', 'pickup', 'end']));
    await eventually(async () => (await http.get(`/transfer-runs/${runId}`).expect(200)).body, (r) => r.run.status === 'completed', { what: 'the pick-up run completed' });
  });
});
