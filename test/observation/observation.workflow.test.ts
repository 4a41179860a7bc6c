import { randomUUID } from 'crypto';
/**
 * The observation workflow over whole 14-day periods on Temporal's time-skipping test server,
 * with the real activities writing to the run's PostgreSQL.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowHandle } from '@temporalio/client';
import { DataSource } from 'typeorm';
import type { ObservationChanges } from '../../activities/observation/observation.activities';
import { RunningWorker, startWorker } from '../../apps/worker/worker';
import type { AppConfig } from '../../libs/config/config';
import { EnrolmentService } from '../../libs/observation/enrolment.service';
import {
  decideHealthEscalationUpdate,
  deviceEventSignal,
  extendUpdate,
  ObservationInput,
  observationStateQuery,
  reportSignal,
  takeMeasureUpdate,
  changePolicyUpdate,
} from '../../workflows/observation/observation.messages';
import { periodOf, releaseAt, slotsOf } from '../../workflows/observation/observation-schedule';
import { DAY, MINUTE, localDate } from '../../libs/domain/local-time';
import { observationWorkflow } from '../../workflows/observation/observation.workflow';
import { ActivityHolds } from '../support/activity-holds';
import { sleepUntil, timeSkippingPerTest } from '../support/time-skipping';
import { createTimeSkippingEnvironment } from '../support/environment';
import { ensureObservationClock } from '../../libs/temporal/observation-clock';
import { eventually } from '../support/eventually';
import { growHistory, handledWhileHeld } from '../support/workflow-history';
import { updateWithin } from '../support/deadline';
import { enrolmentRequest, enrolmentService, reportLine } from '../support/observation-fixtures';

jest.setTimeout(180_000);

describe('observation workflow (time-skipping server, real PostgreSQL)', () => {
  let config: AppConfig;
  let env: TestWorkflowEnvironment;
  let db: DataSource;
  let enrolment: EnrolmentService;
  let requestSeq = 0;
  const holds = new ActivityHolds();

  timeSkippingPerTest(
    (test) => {
      ({ env, config, db } = test);
      enrolment = enrolmentService(db, env.client, config);
    },
    { interceptors: holds.interceptors },
  );

  async function enrol(overrides: Parameters<typeof enrolmentRequest>[0] = {}): Promise<{ input: ObservationInput; handle: WorkflowHandle<typeof observationWorkflow> }> {
    const now = await env.currentTimeMs();
    // Recorded at the test server's clock, not the machine's.
    const input = await enrolment.record(enrolmentRequest({ anchorDate: localDate(now, 480), ...overrides }), now);
    await enrolment.start(input);
    return { input, handle: env.client.workflow.getHandle(`observation-${input.number}`) };
  }

  /** A subdistrict of its own with a medical desk account and a supervisor account, and an enrolment there. */
  async function staffedSubdistrict(): Promise<{ subdistrict: string; medical: string; supervisor: string; address: ReturnType<typeof enrolmentRequest>['address'] }> {
    const subdistrict = `SD-${randomUUID().slice(0, 6)}`;
    const account = async (role: string) =>
      (await db.query(`INSERT INTO app_user (username, display_name, password_hash, role, subdistrict) VALUES ($1, $1, 'x', $2, $3) RETURNING id`, [`${role}-${subdistrict}`, role, subdistrict]))[0].id as string;
    return { subdistrict, medical: await account('medical'), supervisor: await account('supervisor'), address: { ...enrolmentRequest().address, subdistrict } };
  }
  const feverAlerts = async (number: string) =>
    (await db.query(`SELECT recipient FROM notification WHERE observation_number = $1 AND template = 'fever_alert' ORDER BY recipient`, [number])).map((a: { recipient: string }) => a.recipient);


  async function report(handle: WorkflowHandle, temperature: number, symptoms?: string[]) {
    await handle.signal(reportSignal, { requestId: `r-${++requestSeq}`, at: await env.currentTimeMs(), temperature, symptoms, source: 'person' });
  }

  async function escalationsOf(number: string): Promise<Array<{ kind: string; opened_at: Date }>> {
    return db.query(`SELECT kind, opened_at FROM escalation WHERE observation_number = $1 ORDER BY opened_at, id`, [number]);
  }

  async function trackingKinds(number: string): Promise<string[]> {
    const rows = await db.query(`SELECT kind FROM tracking_log WHERE observation_number = $1 ORDER BY at, id`, [number]);
    return rows.map((r: { kind: string }) => r.kind);
  }

  it('releases at the local midnight ending day 14 (anchor 2040-02-20 in Asia/Shanghai, across a leap day), with the notice recorded', async () => {
    // Written out, not computed: day 14 ends at 2040-03-05 00:00 +08:00.
    const released = '2040-03-04T16:00:00.000Z';
    // The first test of the file, so the test server's clock is still before the anchor date.
    await sleepUntil(env, Date.parse('2040-02-20T07:00:00+08:00'));
    // The test server closes a workflow after ten years unless told otherwise: the observation clock
    // its worker started in 2026 is gone by 2040, so it is started again, as a worker does when it starts.
    await ensureObservationClock(env.client, config);
    const { input, handle } = await enrol();
    expect(input.anchorDate).toBe('2040-02-20');
    const period = periodOf(input);
    for (const slot of slotsOf(period)) {
      await sleepUntil(env, slot.opensAt + 5 * MINUTE);
      // As the API takes it: the signal, and the line the clock's sweep reads.
      const at = await env.currentTimeMs();
      await handle.signal(reportSignal, { requestId: `r-${++requestSeq}`, at, temperature: 36.5, source: 'person' });
      await reportLine(db, input, { requestId: `r-${requestSeq}`, at, temperature: 36.5, source: 'person' });
    }
    const outcome = await handle.result();
    expect(outcome).toEqual({ number: input.number, status: 'released', at: released });

    const [row] = await db.query(`SELECT status, ended_at FROM observation WHERE number = $1`, [input.number]);
    expect(row.status).toBe('released');
    expect(new Date(row.ended_at).toISOString()).toBe(released);
    const kinds = await trackingKinds(input.number);
    expect(kinds).not.toContain('missed_report');
    expect(kinds.filter((k) => k === 'reminder').length).toBe(slotsOf(period).filter((s) => s.owed).length);
    expect(kinds[kinds.length - 1]).toBe('release');
    const notices = await db.query(`SELECT template, recipient FROM notification WHERE observation_number = $1 AND template = 'release_notice'`, [input.number]);
    expect(notices).toEqual([{ template: 'release_notice', recipient: `person:${input.personId}` }]);
  });

  it('reminds at slot start, escalates a miss to the worker at the deadline, and a second miss to the supervisor', async () => {
    // A subdistrict of its own, so each message has exactly one holder to reach (no worker there: the supervisor).
    const place = await staffedSubdistrict();
    const { input, handle } = await enrol({ address: place.address });
    const [first, second] = slotsOf(periodOf(input)).filter((s) => s.owed);

    await sleepUntil(env, first.opensAt + MINUTE);
    await expect(trackingKinds(input.number)).resolves.toEqual(['enrolled', 'reminder']);

    try {
      await sleepUntil(env, first.deadline + MINUTE);
      let state = await handle.query(observationStateQuery);
      expect(state.escalations).toEqual([expect.objectContaining({ kind: 'missed_report', ownerRole: 'community_worker', owner: 'worker-li', state: 'open', openedAt: first.deadline })]);

      await sleepUntil(env, second.deadline + MINUTE);
      state = await handle.query(observationStateQuery);
      expect(state.escalations.map((e) => [e.kind, e.owner, e.openedAt])).toEqual([
        ['missed_report', 'worker-li', first.deadline],
        ['missed_report', 'worker-li', second.deadline],
        ['missed_report_repeat', `supervisor@${place.subdistrict}`, second.deadline],
      ]);
      const rows = await db.query(`SELECT kind, owner, state FROM escalation WHERE observation_number = $1 ORDER BY opened_at, id`, [input.number]);
      expect(rows).toHaveLength(3);
      const messages = await db.query(`SELECT template, recipient FROM notification WHERE observation_number = $1 ORDER BY template, created_at`, [input.number]);
      // The enrolment's message brings the person their report link.
      const person = `person:${input.personId}`;
      const supervisor = `account:${place.supervisor}`;
      expect(messages.map((m: { template: string; recipient: string }) => [m.template, m.recipient])).toEqual([
        ['checkin_reminder', person],
        ['checkin_reminder', person],
        ['missed_report', supervisor],
        ['missed_report', supervisor],
        ['missed_report_repeat', supervisor],
        ['observation_enrolled', person],
      ]);
    } finally {
      await handle.terminate('test done');
    }
  });

  // A hospital decision's pick-up and the hand-over that ends the observation: test/transfer/pickup.workflow.test.ts.
  it('escalates fever on day 9 to medical staff and the supervisor; a hospital decision no vehicle can carry out leaves it open', async () => {
    const place = await staffedSubdistrict();
    const { input, handle } = await enrol({ address: place.address });
    const period = periodOf(input);
    const day9 = slotsOf(period).find((s) => s.day === 9)!;
    await sleepUntil(env, day9.opensAt + 10 * MINUTE);
    await report(handle, 38.2);
    let state = await handle.query(observationStateQuery);
    expect(state.status).toBe('escalated');
    const fever = state.escalations.find((e) => e.kind === 'fever')!;
    expect(fever).toMatchObject({ ownerRole: 'medical', owner: `medical@${place.subdistrict}`, state: 'open' });
    expect(fever.reason).toContain('38.2');

    // The subdistrict has no vehicle of its own: no pick-up, the escalation stays open with the reason.
    state = await updateWithin(env.client, handle, decideHealthEscalationUpdate, { escalationId: fever.id, decision: 'hospital', by: 'supervisor-wang' });
    expect(state.status).toBe('escalated');
    expect(state.escalations.find((e) => e.id === fever.id)).toMatchObject({ state: 'open', resolution: expect.stringContaining('no vehicle available') });
    expect(await feverAlerts(input.number)).toEqual([`account:${place.medical}`, `account:${place.supervisor}`].sort());
    // The medical desk owns the escalation; the supervisor sees it too.
    expect(await db.query(`SELECT owner_account FROM escalation WHERE id = $1`, [fever.id])).toEqual([{ owner_account: place.medical }]);
    await handle.terminate('test done');
  });

  it('escalates a fever reported while a camera event is being written within the same minute, the write outlasting the task timeout', async () => {
    const place = await staffedSubdistrict();
    const camera = `CAM-${randomUUID().slice(0, 8)}`;
    const { input, handle } = await enrol({ address: place.address, devices: { cameraId: camera } });
    const [slot] = slotsOf(periodOf(input)).filter((s) => s.owed);
    // The event's write (a local activity) is held past the workflow task's heartbeat (at 80 % of
    // its 10 s timeout): the report then arrives in a task of its own and is handled during the write.
    const write = holds.hold((type, [changes]) => type === 'recordObservationChanges' && (changes as ObservationChanges).tracking.some((t) => t.kind === 'device_event'), { every: true });
    try {
      await sleepUntil(env, slot.remindAt);
      await handle.signal(deviceEventSignal, { eventId: 'cam-1', deviceId: camera, kind: 'camera_motion', at: await env.currentTimeMs() });
      await write.started;
      const reportedAt = await env.currentTimeMs();
      await handle.signal(reportSignal, { requestId: `r-${++requestSeq}`, at: reportedAt, temperature: 38.6, source: 'person' });
      await eventually(() => handle.fetchHistory(), handledWhileHeld('report'), { what: 'the report handled while the reminder is being written', timeoutMs: 60_000, intervalMs: 500 });
      write.release();
      await env.sleep(MINUTE);
      expect(await escalationsOf(input.number)).toEqual([{ kind: 'fever', opened_at: new Date(reportedAt) }]);
      expect(await feverAlerts(input.number)).toEqual([`account:${place.medical}`, `account:${place.supervisor}`].sort());
    } finally {
      write.release();
      await handle.terminate('test done');
    }
  });

  it('writes in its next run a report handled while the last write before continuing as new is held', async () => {
    const { input, handle } = await enrol({ devices: { cameraId: 'CAM-10' } });
    const [slot] = slotsOf(periodOf(input)).filter((s) => s.owed);
    await sleepUntil(env, slot.opensAt + 5 * MINUTE);
    const firstRun = (await handle.describe()).runId;
    const camera = async (eventId: string) => handle.signal(deviceEventSignal, { eventId, deviceId: 'CAM-10', kind: 'camera_motion', at: await env.currentTimeMs() });
    // 300: the history limit of an observation on the clock (CLOCK_HISTORY_LIMIT).
    await growHistory(handle, 300, (i) => camera(`cam-${i}`), () => handle.query(observationStateQuery));
    // The next pass is the first past the history limit: it writes, then continues as new. Its write
    // is held past the task's heartbeat, and a report comes meanwhile.
    const write = holds.hold((type, [changes]) => type === 'recordObservationChanges' && (changes as ObservationChanges).tracking.some((t) => t.detail.eventId === 'cam-last'), { every: true });
    try {
      await camera('cam-last');
      await write.started;
      await report(handle, 38.5);
      await eventually(() => handle.fetchHistory(), handledWhileHeld('report'), { what: 'the report handled while the write is held', timeoutMs: 60_000, intervalMs: 500 });
    } finally {
      write.release();
    }
    await eventually(() => handle.describe(), (d) => d.runId !== firstRun, { what: 'the continue-as-new', timeoutMs: 60_000 });
    try {
      const rows = await eventually(() => escalationsOf(input.number), (r) => r.length > 0, { what: 'the fever escalation written', timeoutMs: 30_000 });
      expect(rows.map((e) => e.kind)).toEqual(['fever']);
    } finally {
      await handle.terminate('test done');
    }
  });

  it('starts the non-cooperation ladder on a door event outside allowed times, one recorded step at a time', async () => {
    // A subdistrict of its own, without vehicles: the last step cannot fetch the person.
    const { input, handle } = await enrol({ devices: { doorSensorId: 'DS-9' }, address: { ...enrolmentRequest().address, subdistrict: `SD-${randomUUID().slice(0, 6)}` } });
    await env.sleep(30 * MINUTE);
    await handle.signal(deviceEventSignal, { eventId: 'door-1', deviceId: 'DS-9', kind: 'door_opened', at: await env.currentTimeMs() });
    let state = await handle.query(observationStateQuery);
    expect(state.escalations).toEqual([expect.objectContaining({ kind: 'non_cooperation', state: 'open' })]);

    await expect(updateWithin(env.client, handle, takeMeasureUpdate, { measure: 'guard_posted', by: 'worker-li' })).rejects.toMatchObject({
      cause: { type: 'conflict', message: expect.stringMatching(/next measure is warning_talk/) },
    });
    state = await updateWithin(env.client, handle, takeMeasureUpdate, { measure: 'warning_talk', by: 'worker-li', note: '约谈警告' });
    expect(state.measuresTaken).toEqual(['warning_talk']);
    expect(state.openEscalations).toBe(0);
    await updateWithin(env.client, handle, takeMeasureUpdate, { measure: 'guard_posted', by: 'worker-li' });
    // The last step starts a pick-up (test/transfer/pickup.workflow.test.ts); with no vehicle there it stays the next step.
    state = await updateWithin(env.client, handle, takeMeasureUpdate, { measure: 'centralized_quarantine', by: 'supervisor-wang' });
    expect(state).toMatchObject({ status: 'active', measuresTaken: ['warning_talk', 'guard_posted'] });
    await handle.terminate('test done');
    const decisions = await db.query(`SELECT detail->>'measure' AS measure FROM tracking_log WHERE observation_number = $1 AND kind = 'decision' ORDER BY at, id`, [input.number]);
    expect(decisions.map((d: { measure: string }) => d.measure)).toEqual(['warning_talk', 'guard_posted', 'centralized_quarantine']);
  });

  it('moves the release on an extension on day 10', async () => {
    const { input, handle } = await enrol();
    const period = periodOf(input);
    const slots = slotsOf(period);
    for (const slot of slots.filter((s) => s.day <= 10)) {
      await sleepUntil(env, slot.opensAt + 5 * MINUTE);
      await report(handle, 36.4);
    }
    const newAnchor = localDate(await env.currentTimeMs(), input.utcOffsetMinutes);
    const state = await updateWithin(env.client, handle, extendUpdate, { newAnchorDate: newAnchor, reason: 'new exposure', by: 'worker-li' });
    const newRelease = releaseAt({ ...period, anchorDate: newAnchor });
    expect(state.releaseDueAt).toBe(new Date(newRelease).toISOString());
    expect(newRelease - releaseAt(period)).toBe(9 * DAY);
    // Report through to the new end.
    const lastReported = slots.filter((s) => s.day <= 10).pop()!;
    for (const slot of slotsOf({ ...period, anchorDate: newAnchor }).filter((s) => s.opensAt > lastReported.opensAt)) {
      await sleepUntil(env, slot.opensAt + 5 * MINUTE);
      await report(handle, 36.4);
    }
    await expect(handle.result()).resolves.toMatchObject({ status: 'released', at: new Date(newRelease).toISOString() });
  });

  it('applies a policy moved to mid-observation: the new period and slots', async () => {
    const { input, handle } = await enrol();
    const shorter = { ...input.policy, id: 'C-test-10d', version: 99, rules: { ...input.policy.rules, periodDays: 10, slots: [{ start: '09:00', end: '11:00' }] } };
    await db.query(`INSERT INTO observation_policy (id, category, version, effective_from, rules) VALUES ($1, 'C', 99, '2099-01-01', $2) ON CONFLICT DO NOTHING`, [shorter.id, JSON.stringify(shorter.rules)]);
    const state = await updateWithin(env.client, handle, changePolicyUpdate, { policy: shorter, by: 'supervisor-wang' });
    const period = periodOf({ ...input, policy: shorter });
    expect(state.policyId).toBe('C-test-10d');
    expect(state.releaseDueAt).toBe(new Date(releaseAt(period)).toISOString());
    for (const slot of slotsOf(period)) {
      await sleepUntil(env, slot.opensAt + 5 * MINUTE);
      await report(handle, 36.6);
    }
    await expect(handle.result()).resolves.toMatchObject({ status: 'released', at: new Date(releaseAt(period)).toISOString() });
    const [row] = await db.query(`SELECT policy_id FROM observation WHERE number = $1`, [input.number]);
    expect(row.policy_id).toBe('C-test-10d');
  });

  it('releases when a worker returns, if the release fell due while none was running', async () => {
    // The observation's own release timer, alone: a test server of its own that never ran an
    // observation clock, and the per-slot timers of workflows started before the clock. (On the
    // file's server, once its worker and clock were stopped, this test's sleeps stalled.)
    const own = await createTimeSkippingEnvironment();
    const ownConfig = { ...config, temporal: { ...config.temporal, address: own.address } };
    const ownEnrolment = enrolmentService(db, own.client, ownConfig);
    const now = await own.currentTimeMs();
    const input = { ...(await ownEnrolment.record(enrolmentRequest({ anchorDate: localDate(now, 480) }), now)), slotClock: 'own' };
    // No sticky cache: the test server would hold the due task for the stopped worker's sticky
    // queue, on a clock it keeps still while that task waits.
    let worker: RunningWorker | undefined = await startWorker(ownConfig, { connection: own.nativeConnection, maxCachedWorkflows: 0 }, { observationClock: false });
    try {
      await ownEnrolment.start(input);
      const handle = own.client.workflow.getHandle(`observation-${input.number}`);
      const period = periodOf(input);
      const slots = slotsOf(period);
      for (const slot of slots) {
        await sleepUntil(own, slot.opensAt + 5 * MINUTE);
        await handle.signal(reportSignal, { requestId: `r-${++requestSeq}`, at: await own.currentTimeMs(), temperature: 36.5, source: 'person' });
      }
      await sleepUntil(own, slots[slots.length - 1].deadline + MINUTE);
      await worker.shutdown();
      worker = undefined;
      const release = releaseAt(period);
      await sleepUntil(own, release - MINUTE);
      // The release timer fires with no worker: the test server holds its clock at the due
      // workflow task until a worker takes it, so this sleep ends only once one is back.
      const pastRelease = own.sleep(2 * MINUTE);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const [before] = await db.query(`SELECT status FROM observation WHERE number = $1`, [input.number]);
      expect(before.status).toBe('active');

      worker = await startWorker(ownConfig, { connection: own.nativeConnection }, { observationClock: false });
      await pastRelease;
      // Released as of the due instant, not when the worker came back.
      await expect(handle.result()).resolves.toMatchObject({ status: 'released', at: new Date(release).toISOString() });
    } finally {
      await worker?.shutdown();
      await own.teardown();
    }
  });
});
