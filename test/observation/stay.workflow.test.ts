/**
 * The quarantine stay over a whole period on Temporal's time-skipping test server, with the real
 * activities writing to the run's PostgreSQL: a room, the daily health checks as the stay's child
 * observation, a hand-back home on day 10 whose observation releases on day 14 of the original period.
 */
import { randomUUID } from 'crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowHandle, WorkflowNotFoundError } from '@temporalio/client';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../libs/config/config';
import { CentralizedQuarantineRepository } from '../../libs/persistence/transfer/centralized-quarantine.repository';
import { DAY, HOUR, MINUTE, localDate, localMidnight } from '../../libs/domain/local-time';
import { startOnce } from '../../libs/temporal/start-once';
import { decideHealthEscalationUpdate, endEarlyUpdate, observationStateQuery, reportSignal } from '../../workflows/observation/observation.messages';
import { periodOf, slotsOf } from '../../workflows/observation/observation-schedule';
import { HandBackCommand, handBackRequestId, handBackUpdate, HAND_BACK_UPDATE_ID, stayStateQuery, stayWorkflowId } from '../../workflows/observation/quarantine-stay.messages';
import { quarantineStayWorkflow } from '../../workflows/observation/quarantine-stay.workflow';
import { observationWorkflow } from '../../workflows/observation/observation.workflow';
import { sleepUntil, timeSkippingPerTest } from '../support/time-skipping';
import { eventually } from '../support/eventually';
import { updateWithin } from '../support/deadline';
import { enrolmentRequest, enrolmentService, freshResidentId } from '../support/observation-fixtures';

jest.setTimeout(240_000);

const OFFSET = 480;

describe('quarantine stay workflow (time-skipping server, real PostgreSQL)', () => {
  let config: AppConfig;
  let env: TestWorkflowEnvironment;
  let db: DataSource;
  let requestSeq = 0;

  timeSkippingPerTest((test) => ({ env, config, db } = test));


  /** A hotel of two rooms in a subdistrict of its own. */
  async function hotel(): Promise<{ hotelId: string; subdistrict: string }> {
    const tag = randomUUID().slice(0, 6).toUpperCase();
    const hotelId = `H-${tag}`;
    const subdistrict = `S${tag.replace(/[^A-Z0-9]/g, '0')}`.slice(0, 8);
    await db.query(
      `INSERT INTO transfer_destination (id, kind, name, travel_minutes, capacity, receiver, worker, subdistrict, community) VALUES ($1, 'hotel', 'Jinjiang quarantine hotel', 30, 2, 'front desk', 'doctor-liu', $2, 'Hotel-1')`,
      [hotelId, subdistrict],
    );
    return { hotelId, subdistrict };
  }

  /** A traveller handed over at the hotel today (a new one if none is given): the admission the stay follows. */
  async function admitted(at?: { hotelId: string; subdistrict: string }): Promise<{ stayId: string; hotelId: string; subdistrict: string; anchorDate: string }> {
    const place = at ?? (await hotel());
    const anchorDate = localDate(await env.currentTimeMs(), OFFSET);
    const stayId = await new CentralizedQuarantineRepository(db).admit({
      requestId: `transfer:test-${randomUUID()}:T001`,
      hotelId: place.hotelId,
      name: '王芳',
      documentType: 'resident_id',
      documentNumber: freshResidentId(),
      mobile: '13800138000',
      arrivalDate: anchorDate,
      runId: null as unknown as string,
      travellerId: 'T001',
    });
    return { stayId, hotelId: place.hotelId, subdistrict: place.subdistrict, anchorDate };
  }

  async function startStay(stayId: string): Promise<WorkflowHandle<typeof quarantineStayWorkflow>> {
    const options = { workflowId: stayWorkflowId(stayId), taskQueue: config.temporal.taskQueue, args: [{ stayId }] as [{ stayId: string }] };
    await expect(startOnce(env.client, quarantineStayWorkflow, options)).resolves.toBe('started');
    // The hand-over's admission is retried: the stay is not started twice.
    await expect(startOnce(env.client, quarantineStayWorkflow, options)).resolves.toBe('running');
    return env.client.workflow.getHandle(stayWorkflowId(stayId));
  }

  async function checkedIn(handle: WorkflowHandle<typeof quarantineStayWorkflow>) {
    return eventually(() => handle.query(stayStateQuery), (s) => s.status === 'in_room' && !!s.observationNumber, { what: 'the stay checked in with its health checks' });
  }

  /** Reports a normal temperature in every slot of the observation that opens before `until`. */
  async function reportEverySlot(number: string, until: number) {
    const input = await enrolmentService(db, env.client, config).inputOf(number);
    const handle = env.client.workflow.getHandle(`observation-${number}`);
    for (const slot of slotsOf(periodOf(input)).filter((s) => s.owed && s.opensAt < until)) {
      await sleepUntil(env, slot.opensAt + 5 * MINUTE);
      await handle.signal(reportSignal, { requestId: `stay-r-${++requestSeq}`, at: await env.currentTimeMs(), temperature: 36.6, source: 'worker' });
    }
    return input;
  }

  it('checks into a room with health checks at the hotel; a hand-back on day 10 (retried) enrols one home observation that releases on day 14 of the original period', async () => {
    const { stayId, hotelId, subdistrict, anchorDate } = await admitted();
    const handle = await startStay(stayId);
    const stay = await checkedIn(handle);
    expect(stay).toMatchObject({ hotelId, room: 1, anchorDate, releaseDueAt: localMidnight(anchorDate, OFFSET) + 14 * DAY });
    const [record] = await db.query(`SELECT room, status, subdistrict, community, observation_number FROM quarantine_stay WHERE id = $1`, [stayId]);
    expect(record).toEqual({ room: 1, status: 'in_room', subdistrict, community: 'Hotel-1', observation_number: stay.observationNumber });
    const [hotelObservation] = await db.query(`SELECT subdistrict, community, responsible_worker, anchor_date::text, category FROM observation WHERE number = $1`, [stay.observationNumber]);
    expect(hotelObservation).toEqual({ subdistrict, community: 'Hotel-1', responsible_worker: 'doctor-liu', anchor_date: anchorDate, category: 'C' });

    // Days 1 to 10 at the hotel, every check-in reported; on day 10 at noon the supervisor sends the person home.
    const day10Noon = localMidnight(anchorDate, OFFSET) + 9 * DAY + 12 * HOUR;
    await reportEverySlot(stay.observationNumber!, day10Noon);
    await sleepUntil(env, day10Noon);
    const home = enrolmentRequest().address;
    const command: HandBackCommand = { address: home, responsibleWorker: 'worker-li', by: 'supervisor-wang', scope: { subdistrict: null, community: null } };
    const [first, repeat] = await Promise.all([0, 1].map(() => handle.executeUpdate(handBackUpdate, { args: [command], updateId: HAND_BACK_UPDATE_ID })));
    expect(first).toMatchObject({ status: 'handed_back', homeObservationNumber: expect.stringMatching(/^XYL-C-\d{6}$/) });
    expect(repeat).toEqual(first);
    // The stay is over: another hand-back reaches no workflow (the API answers it from the record), and enrols nobody.
    await expect(handle.executeUpdate(handBackUpdate, { args: [command], updateId: 'hand-back-again' })).rejects.toBeInstanceOf(WorkflowNotFoundError);

    await expect(handle.result()).resolves.toMatchObject({ status: 'handed_back', homeObservationNumber: first.homeObservationNumber });
    const homeNumber = first.homeObservationNumber!;
    expect(await db.query(`SELECT number FROM observation WHERE client_request_id = $1`, [handBackRequestId(stayId)])).toEqual([{ number: homeNumber }]);
    const [ended] = await db.query(`SELECT status, end_reason FROM observation WHERE number = $1`, [stay.observationNumber]);
    expect(ended).toEqual({ status: 'ended', end_reason: 'moved_away' });
    const [out] = await db.query(`SELECT status, checked_out_at, home_observation_number, ended_by FROM quarantine_stay WHERE id = $1`, [stayId]);
    expect(out).toEqual({ status: 'handed_back', checked_out_at: expect.any(Date), home_observation_number: homeNumber, ended_by: 'supervisor-wang' });
    // Checked out on day 10, when the hand-back was taken (on the workflow's clock).
    expect(out.checked_out_at.getTime() - day10Noon).toBeGreaterThanOrEqual(0);
    expect(out.checked_out_at.getTime() - day10Noon).toBeLessThan(MINUTE);

    // At home: the same anchor date, released at the local midnight ending day 14 of the original period.
    const homeInput = await reportEverySlot(homeNumber, Infinity);
    expect(homeInput).toMatchObject({ anchorDate, subdistrict: 'XYL', community: home.community, responsibleWorker: 'worker-li' });
    const released = await env.client.workflow.getHandle<typeof observationWorkflow>(`observation-${homeNumber}`).result();
    expect(released).toEqual({ number: homeNumber, status: 'released', at: new Date(localMidnight(anchorDate, OFFSET) + 14 * DAY).toISOString() });
    const [person] = await db.query(`SELECT p.subdistrict, p.community FROM person p JOIN observation o ON o.person_id = p.id WHERE o.number = $1`, [homeNumber]);
    expect(person).toEqual({ subdistrict: 'XYL', community: home.community });
  });

  it('is released with its health checks at the end of day 14, and the room is given up', async () => {
    const { stayId, anchorDate } = await admitted();
    const handle = await startStay(stayId);
    const stay = await checkedIn(handle);
    await reportEverySlot(stay.observationNumber!, Infinity);
    const end = localMidnight(anchorDate, OFFSET) + 14 * DAY;
    await expect(handle.result()).resolves.toMatchObject({ status: 'released', endReason: 'the period is over' });
    const [out] = await db.query(`SELECT status, checked_out_at FROM quarantine_stay WHERE id = $1`, [stayId]);
    expect(out.status).toBe('released');
    expect(out.checked_out_at.getTime()).toBeGreaterThanOrEqual(end);
    const [observation] = await db.query(`SELECT status, ended_at FROM observation WHERE number = $1`, [stay.observationNumber]);
    expect(observation).toEqual({ status: 'released', ended_at: new Date(end) });
  });

  it('a hotel with no subdistrict keeps the room without health checks, saying why, and releases at the end of the period', async () => {
    const place = await hotel();
    await db.query(`UPDATE transfer_destination SET subdistrict = NULL, community = NULL WHERE id = $1`, [place.hotelId]);
    const { stayId, anchorDate } = await admitted(place);
    const handle = await startStay(stayId);
    const stay = await eventually(() => handle.query(stayStateQuery), (s) => s.status === 'in_room', { what: 'the stay checked in' });
    expect(stay).toMatchObject({ room: 1, healthChecksRefused: `hotel ${place.hotelId} has no subdistrict and community to hold its health checks`, releaseDueAt: localMidnight(anchorDate, OFFSET) + 14 * DAY });
    expect(stay.observationNumber).toBeUndefined();
    await expect(handle.result()).resolves.toMatchObject({ status: 'released' });
    const [out] = await db.query(`SELECT status, health_checks_refused FROM quarantine_stay WHERE id = $1`, [stayId]);
    expect(out).toEqual({ status: 'released', health_checks_refused: stay.healthChecksRefused });
  });

  it('a fever at the hotel: the hospital decision keeps the room while no pick-up can start; the person taken to hospital transfers the stay out and frees the room', async () => {
    const first = await admitted();
    const { stayId } = first;
    const handle = await startStay(stayId);
    const stay = await checkedIn(handle);
    // A second guest takes the next room.
    const neighbour = await checkedIn(await startStay((await admitted(first)).stayId));
    expect([stay.room, neighbour.room]).toEqual([1, 2]);
    const observation = env.client.workflow.getHandle(`observation-${stay.observationNumber}`);
    const input = await enrolmentService(db, env.client, config).inputOf(stay.observationNumber!);
    const [slot] = slotsOf(periodOf(input)).filter((s) => s.owed);
    await sleepUntil(env, slot.opensAt + 5 * MINUTE);
    await observation.signal(reportSignal, { requestId: `stay-r-${++requestSeq}`, at: await env.currentTimeMs(), temperature: 38.2, source: 'worker' });
    const fever = await eventually(() => observation.query(observationStateQuery), (s) => s.escalations.some((e) => e.kind === 'fever'), { what: 'the fever escalation' });
    // The hotel's subdistrict has no vehicle here: no pick-up starts, the escalation stays open with
    // the reason, and the guest keeps the room (tests of pick-ups: test/transfer/pickup.*.test.ts).
    const decided = await updateWithin(env.client, observation, decideHealthEscalationUpdate, { escalationId: fever.escalations[0].id, decision: 'hospital', by: 'supervisor-wang' });
    expect(decided.escalations[0]).toMatchObject({ kind: 'fever', state: 'open', resolution: expect.stringContaining('no pick-up') });
    expect(await handle.query(stayStateQuery)).toMatchObject({ status: 'in_room', room: 1 });
    // An ambulance took the guest: the supervisor ends the observation, and with it the stay.
    await updateWithin(env.client, observation, endEarlyUpdate, { reason: 'hospital', by: 'supervisor-wang', note: '120 ambulance' });

    await expect(handle.result()).resolves.toMatchObject({ status: 'transferred_out', endReason: 'hospital' });
    const [out] = await db.query(`SELECT status, end_reason FROM quarantine_stay WHERE id = $1`, [stayId]);
    expect(out).toEqual({ status: 'transferred_out', end_reason: 'hospital' });
    // Room 1 is free again: the next guest of the hotel takes it.
    const next = await checkedIn(await startStay((await admitted(first)).stayId));
    expect(next.room).toBe(1);
  });
});
