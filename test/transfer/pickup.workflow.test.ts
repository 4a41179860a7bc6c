/**
 * A supervisor's hospital decision on a fever escalation fetches the person from home: the
 * observation, its pick-up run and the trip on Temporal's time-skipping test server, with the real
 * activities writing to PostgreSQL and starting the run.
 */
import { randomUUID } from 'crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowHandle } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../libs/config/config';
import { EnrolmentService } from '../../libs/observation/enrolment.service';
import { localDate, MINUTE } from '../../libs/domain/local-time';
import { periodOf, slotsOf } from '../../workflows/observation/observation-schedule';
import { decideHealthEscalationUpdate, ObservationInput, observationStateQuery, ObservationView, reportSignal, takeMeasureUpdate } from '../../workflows/observation/observation.messages';
import { observationWorkflow } from '../../workflows/observation/observation.workflow';
import {
  arriveUpdate,
  boardUpdate,
  departUpdate,
  handOverUpdate,
  pickUpUpdate,
  runStateQuery,
  RunView,
  transferRunWorkflowId,
  transferTripWorkflowId,
} from '../../workflows/transfer/transfer.messages';
import { sleepUntil, timeSkippingPerTest } from '../support/time-skipping';
import { eventually } from '../support/eventually';
import { updateWithin } from '../support/deadline';
import { enrolmentRequest, enrolmentService } from '../support/observation-fixtures';
import { registerResources } from './transfer-fixtures';

jest.setTimeout(300_000);

describe('pick-up on a hospital decision (time-skipping server, real PostgreSQL)', () => {
  let config: AppConfig;
  let env: TestWorkflowEnvironment;
  let db: DataSource;
  let enrolment: EnrolmentService;

  timeSkippingPerTest((test) => {
    ({ env, config, db } = test);
    enrolment = enrolmentService(db, env.client, config);
  });

  /** A subdistrict of its own with a hospital and, if asked, its own van; its escort always. */
  async function subdistrict(withVan: boolean): Promise<{ code: string; hospitalId: string; addVan: () => Promise<void> }> {
    const code = `SD-${randomUUID().slice(0, 6)}`;
    const registry = await registerResources(db, {
      destinations: [{ destinationId: 'HOSP', kind: 'hospital', name: 'Ditan hospital', travelMinutes: 25 }],
      vehicles: [{ vehicleId: 'V1', seats: 4 }],
      escorts: [{ escortId: 'E1' }],
    });
    await db.query(`UPDATE transfer_destination SET subdistrict = $1 WHERE id = $2`, [code, registry.destination('HOSP')]);
    await db.query(`UPDATE transfer_escort SET subdistrict = $1 WHERE id = ANY($2)`, [code, registry.escortIds]);
    const addVan = async () => {
      await db.query(`UPDATE transfer_vehicle SET subdistrict = $1 WHERE id = ANY($2)`, [code, registry.vehicleIds]);
    };
    if (withVan) await addVan();
    return { code, hospitalId: registry.destination('HOSP'), addVan };
  }

  async function enrol(code: string): Promise<{ input: ObservationInput; handle: WorkflowHandle<typeof observationWorkflow> }> {
    const now = await env.currentTimeMs();
    const input = await enrolment.record(enrolmentRequest({ anchorDate: localDate(now, 480), address: { ...enrolmentRequest().address, subdistrict: code } }), now);
    await enrolment.start(input);
    return { input, handle: env.client.workflow.getHandle(`observation-${input.number}`) };
  }

  /** A fever reported in the day-3 morning slot; the open fever escalation. */
  async function fever(input: ObservationInput, handle: WorkflowHandle): Promise<ObservationView['escalations'][number]> {
    const slot = slotsOf(periodOf(input)).find((s) => s.day === 3)!;
    await sleepUntil(env, slot.opensAt + 10 * MINUTE);
    await handle.signal(reportSignal, { requestId: `fever-${input.number}`, at: await env.currentTimeMs(), temperature: 38.6, source: 'person' });
    const state = await eventually(() => handle.query(observationStateQuery), (s) => s.status === 'escalated', { what: 'the fever escalation' });
    return state.escalations.find((e) => e.kind === 'fever')!;
  }

  const runState = (runId: string) => env.client.workflow.getHandle(transferRunWorkflowId(runId)).query(runStateQuery);
  const waitForRun = (runId: string, ready: (view: RunView) => boolean) =>
    eventually(() => runState(runId), ready, { what: `run ${runId}`, timeoutMs: 60_000, intervalMs: 100, show: (v) => ({ trips: v.trips, travellers: v.travellers }) });

  it('fetches the person from home to the hospital and ends the observation at the hand-over, not before', async () => {
    const place = await subdistrict(true);
    const { input, handle } = await enrol(place.code);
    const escalation = await fever(input, handle);

    const decided = await updateWithin(env.client, handle, decideHealthEscalationUpdate, { escalationId: escalation.id, decision: 'hospital', by: 'supervisor-wang' });
    const runId = `pickup-${input.number}-e${escalation.id.split('/').pop()}-hospital`;
    expect(decided.status).toBe('awaiting_pickup');
    expect(decided.pickup).toMatchObject({ runId, reason: 'hospital' });
    expect(decided.escalations.find((e) => e.id === escalation.id)).toMatchObject({ state: 'resolved', resolution: `hospital: pick-up run ${runId}` });
    // A second decision while the pick-up is under way is refused: one run per decision.
    await expect(updateWithin(env.client, handle, decideHealthEscalationUpdate, { escalationId: escalation.id, decision: 'hospital', by: 'supervisor-wang' })).rejects.toThrow();
    await eventually(
      () => db.query(`SELECT status, pickup_run_id AS "pickupRunId" FROM observation WHERE number = $1`, [input.number]),
      (rows) => rows[0]?.status === 'awaiting_pickup',
      { what: 'the observation row awaiting its pick-up' },
    ).then((rows) => expect(rows).toEqual([{ status: 'awaiting_pickup', pickupRunId: runId }]));

    // The run fetches one person from home to this subdistrict's hospital, dispatched at once.
    const run = await waitForRun(runId, (v) => v.trips.some((t) => t.leg === 'dispatched'));
    expect(run.trips).toHaveLength(1);
    expect(run.trips[0]).toMatchObject({ pickup: true, destinationId: place.hospitalId, travellerIds: ['T001'] });
    const [traveller] = await db.query(`SELECT name, disposition, address FROM transfer_traveller WHERE run_id = $1`, [runId]);
    expect(traveller).toMatchObject({ name: '张伟', disposition: 'hospital', address: expect.objectContaining({ subdistrict: place.code, building: '3' }) });

    const trip = env.client.workflow.getHandle(transferTripWorkflowId(runId, run.trips[0].tripId));
    // At the door, not at a sorting point; the confirmation is one step however often it is sent.
    await expect(updateWithin(env.client, trip, boardUpdate, { travellerId: 'T001', by: 'escort' })).rejects.toThrow();
    await updateWithin(env.client, trip, pickUpUpdate, { travellerId: 'T001', by: 'escort' });
    const again = await updateWithin(env.client, trip, pickUpUpdate, { travellerId: 'T001', by: 'escort' });
    expect(again.riders).toEqual([{ travellerId: 'T001', status: 'on_board' }]);
    await updateWithin(env.client, trip, departUpdate, { by: 'escort' });
    await env.sleep(25 * MINUTE);
    await updateWithin(env.client, trip, arriveUpdate, { by: 'escort' });
    await waitForRun(runId, (v) => v.travellers.T001.status === 'arrived');
    // Arrived is not handed over: the observation still waits.
    expect((await handle.query(observationStateQuery)).status).toBe('awaiting_pickup');

    const handedOverAt = await env.currentTimeMs();
    await updateWithin(env.client, trip, handOverUpdate, { travellerId: 'T001', by: 'escort', receiver: { name: 'Dr Wang', role: 'hospital_staff', organisation: 'Ditan hospital' } });
    const outcome = await handle.result();
    expect(outcome).toMatchObject({ status: 'ended', endReason: 'hospital' });
    expect(Date.parse(outcome.at)).toBeGreaterThanOrEqual(handedOverAt);
    expect(Date.parse(outcome.at)).toBeLessThan(handedOverAt + MINUTE);
    const done = await waitForRun(runId, (v) => v.status === 'completed');
    expect(done.travellers.T001).toMatchObject({ status: 'handed_over', aftercare: 'done', receiver: { role: 'hospital_staff' } });
    const [row] = await db.query(`SELECT status, end_reason AS "endReason", ended_at AS "endedAt" FROM observation WHERE number = $1`, [input.number]);
    expect(row).toEqual({ status: 'ended', endReason: 'hospital', endedAt: new Date(outcome.at) });
  });

  it('keeps the escalation open with the reason when the subdistrict has no vehicle, and starts the pick-up on a later decision', async () => {
    const place = await subdistrict(false);
    const { input, handle } = await enrol(place.code);
    const escalation = await fever(input, handle);

    const refused = await updateWithin(env.client, handle, decideHealthEscalationUpdate, { escalationId: escalation.id, decision: 'hospital', by: 'supervisor-wang' });
    expect(refused.status).toBe('escalated');
    expect(refused.pickup).toBeUndefined();
    expect(refused.escalations.find((e) => e.id === escalation.id)).toMatchObject({ state: 'open', resolution: 'hospital decided; no pick-up: no vehicle available' });
    const escalationRow = () => db.query(`SELECT state, resolution FROM escalation WHERE id = $1`, [escalation.id]);
    await eventually(escalationRow, (rows) => rows[0]?.resolution?.includes('no vehicle'), { what: 'the reason on the escalation row' }).then((rows) =>
      expect(rows).toEqual([{ state: 'open', resolution: 'hospital decided; no pick-up: no vehicle available' }]),
    );
    expect(await db.query(`SELECT id FROM transfer_run WHERE id LIKE $1`, [`pickup-${input.number}-%`])).toEqual([]);

    // The subdistrict gets a van; the supervisor decides again.
    await place.addVan();
    const decided = await updateWithin(env.client, handle, decideHealthEscalationUpdate, { escalationId: escalation.id, decision: 'hospital', by: 'supervisor-wang' });
    expect(decided).toMatchObject({ status: 'awaiting_pickup', pickup: { runId: `pickup-${input.number}-e${escalation.id.split('/').pop()}-hospital` } });
    await handle.terminate('test done');
  });

  it("starts a pick-up to the centralized quarantine site on the ladder's last step, which stays the next step while none can start", async () => {
    const place = await subdistrict(false);
    const hotel = await registerResources(db, { destinations: [{ destinationId: 'CQ', kind: 'hotel', name: 'Centralized quarantine site', travelMinutes: 40, capacity: 20 }], vehicles: [], escorts: [] });
    await db.query(`UPDATE transfer_destination SET subdistrict = $1 WHERE id = $2`, [place.code, hotel.destination('CQ')]);
    const { input, handle } = await enrol(place.code);
    for (const measure of ['warning_talk', 'guard_posted'] as const) await updateWithin(env.client, handle, takeMeasureUpdate, { measure, by: 'supervisor-wang' });

    const refused = await updateWithin(env.client, handle, takeMeasureUpdate, { measure: 'centralized_quarantine', by: 'supervisor-wang' });
    expect(refused).toMatchObject({ status: 'active', measuresTaken: ['warning_talk', 'guard_posted'] });
    await place.addVan();
    const taken = await updateWithin(env.client, handle, takeMeasureUpdate, { measure: 'centralized_quarantine', by: 'supervisor-wang' });
    const runId = `pickup-${input.number}-ladder`;
    expect(taken).toMatchObject({ status: 'awaiting_pickup', measuresTaken: ['warning_talk', 'guard_posted', 'centralized_quarantine'], pickup: { runId, reason: 'centralized_quarantine' } });
    const run = await waitForRun(runId, (v) => v.trips.length === 1);
    expect(run.trips[0]).toMatchObject({ pickup: true, destinationId: hotel.destination('CQ') });
    await handle.terminate('test done');
    await env.client.workflow.getHandle(transferRunWorkflowId(runId)).terminate('test done');
  });
});
