/**
 * The observation clock (cohort work) on Temporal's time-skipping test server, with the real worker,
 * activities and PostgreSQL: one reminder per person and slot written by the clock, misses found by
 * one sweep at the deadline that signals only those who did not report, each escalated once.
 */
import { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../libs/config/config';
import { MINUTE, localDate } from '../../libs/domain/local-time';
import { EnrolmentService } from '../../libs/observation/enrolment.service';
import { ObservationRepository } from '../../libs/persistence/observation/observation.repository';
import { acknowledgeEscalationUpdate, deviceEventSignal, ObservationInput, observationClockId, observationStateQuery, reportSignal, slotMissedSignal } from '../../workflows/observation/observation.messages';
import { missedReport, sweptEscalationIds } from '../../workflows/observation/missed-report';
import { dayOfPeriod, periodOf, slotsOf } from '../../workflows/observation/observation-schedule';
import { enrolmentRequest, enrolmentService, reportLine } from '../support/observation-fixtures';
import { updateWithin } from '../support/deadline';
import { sleepUntil, timeSkippingPerTest } from '../support/time-skipping';

jest.setTimeout(180_000);

describe('observation clock (time-skipping server, real PostgreSQL)', () => {
  let db: DataSource;
  let env: TestWorkflowEnvironment;
  let config: AppConfig;
  let enrolment: EnrolmentService;
  let observations: ObservationRepository;

  timeSkippingPerTest((test) => {
    ({ env, config, db } = test);
    enrolment = enrolmentService(db, env.client, config);
    observations = new ObservationRepository(db);
  });

  /** People of a community of their own, so the counts are theirs alone. */
  async function enrolSome(count: number): Promise<Array<{ input: ObservationInput; handle: WorkflowHandle }>> {
    const now = await env.currentTimeMs();
    const address = { ...enrolmentRequest().address, community: `clock-${randomUUID().slice(0, 8)}` };
    const enrolled = [];
    for (let i = 0; i < count; i++) {
      const input = await enrolment.record(enrolmentRequest({ anchorDate: localDate(now, 480), address }), now);
      await enrolment.start(input);
      enrolled.push({ input, handle: env.client.workflow.getHandle(`observation-${input.number}`) });
    }
    return enrolled;
  }

  /** A plain report as the API takes it: its line only, no signal. */
  const plainReport = (input: ObservationInput, at: number) => reportLine(db, input, { requestId: `plain-${randomUUID()}`, at, temperature: 36.5, source: 'person' });

  const count = async (sql: string, number: string) => (await db.query(sql, [number]))[0].n as number;
  const reminders = (number: string) => count(`SELECT count(*)::int AS n FROM notification WHERE observation_number = $1 AND template = 'checkin_reminder'`, number);
  const reminderLines = (number: string) => count(`SELECT count(*)::int AS n FROM tracking_log WHERE observation_number = $1 AND kind = 'reminder'`, number);
  const escalations = async (number: string) => db.query(`SELECT kind, state FROM escalation WHERE observation_number = $1 ORDER BY opened_at, kind`, [number]);
  /** The notices of a template, once each: one request, stored once per account holding the role (`<id>@<account>`, as many as the shared database has there). */
  const notices = async (number: string, template: string) =>
    (await db.query(`SELECT DISTINCT split_part(id, '@', 1) AS id FROM notification WHERE observation_number = $1 AND template = $2`, [number, template])).map((r: { id: string }) => r.id);
  const signalsNamed = async (handle: WorkflowHandle, name: string) =>
    (await handle.fetchHistory()).events!.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === name).length;

  it('reminds everyone owing the slot once, and escalates once only those who did not report, signalling nobody else', async () => {
    const [plain, fever, silent, late, gone] = await enrolSome(5);
    // The clock runs on the worker's task queue, started by the worker.
    expect((await env.client.workflow.getHandle(observationClockId(config.temporal.taskQueue)).describe()).status.name).toBe('RUNNING');
    const [slot, next] = slotsOf(periodOf(plain.input)).filter((s) => s.owed);

    await sleepUntil(env, slot.remindAt + MINUTE);
    for (const { input } of [plain, fever, silent, late]) {
      expect(await reminders(input.number)).toBe(1);
      expect(await reminderLines(input.number)).toBe(1);
    }
    await plainReport(plain.input, slot.remindAt + MINUTE);
    const feverAt = await env.currentTimeMs();
    await plainReport(fever.input, feverAt);
    await fever.handle.signal(reportSignal, { requestId: 'fever-1', at: feverAt, temperature: 38.7, source: 'person' });
    // A workflow gone while its record still says active (terminated by an operator): the sweep answers its miss itself.
    await gone.handle.terminate('test: gone before the sweep');

    await sleepUntil(env, slot.deadline + MINUTE);
    expect(await escalations(plain.input.number)).toEqual([]);
    expect(await escalations(fever.input.number)).toEqual([{ kind: 'fever', state: 'open' }]);
    expect(await escalations(silent.input.number)).toEqual([{ kind: 'missed_report', state: 'open' }]);
    expect(await signalsNamed(plain.handle, 'slotMissed')).toBe(0);
    expect(await signalsNamed(plain.handle, 'report')).toBe(0);
    expect(await signalsNamed(silent.handle, 'slotMissed')).toBe(1);
    // The sweep wrote the miss (named after the slot), its notice and the next due time; the workflow took the escalation in.
    const missedId = sweptEscalationIds(silent.input.number, slot.key).missed;
    const [row] = await db.query(`SELECT id, owner FROM escalation WHERE observation_number = $1`, [silent.input.number]);
    expect(row).toEqual({ id: missedId, owner: silent.input.responsibleWorker });
    expect(await notices(silent.input.number, 'missed_report')).toEqual([`${silent.input.number}:missed:${slot.key}`]);
    expect((await observations.record(silent.input.number))!.nextDueAt!.getTime()).toBe(next.deadline);
    const silentView = await silent.handle.query(observationStateQuery);
    expect(silentView.escalations.map((e) => [e.id, e.state, e.slotKey])).toEqual([[missedId, 'open', slot.key]]);
    expect(silentView.today.find((s) => s.slotKey === slot.key)?.state).toBe('missed');
    expect(await db.query(`SELECT state, resolution FROM escalation WHERE observation_number = $1`, [gone.input.number])).toEqual([
      { state: 'resolved', resolution: 'observation closed before the clock told it of the miss' },
    ]);
    // A sweep retried (the same signal again, as it was or as before the sweep wrote) escalates nothing more.
    await silent.handle.signal(slotMissedSignal, { slotKey: slot.key, recorded: silentView.escalations });
    await silent.handle.signal(slotMissedSignal, { slotKey: slot.key });
    expect((await silent.handle.query(observationStateQuery)).escalations).toHaveLength(1);
    // The worker acknowledges the clock's escalation as any other (the API's route takes `missed:<slot>` after the number).
    await updateWithin(env.client, silent.handle, acknowledgeEscalationUpdate, { escalationId: missedId, by: 'worker-li' });
    await sleepUntil(env, (await env.currentTimeMs()) + MINUTE);
    expect(await db.query(`SELECT state, decided_by AS "decidedBy" FROM escalation WHERE id = $1`, [missedId])).toEqual([{ state: 'acknowledged', decidedBy: 'worker-li' }]);

    // A miss the sweep raised for a report it could not see (a reading the workflow took and had not written): the workflow answers it.
    const [stray] = missedReport({ ...fever.input }, 480, slot, undefined, sweptEscalationIds(fever.input.number, slot.key)).escalations;
    await observations.openEscalations([{ number: fever.input.number, escalation: stray, ownerAccount: null }]);
    await fever.handle.signal(slotMissedSignal, { slotKey: slot.key, recorded: [stray] });
    await fever.handle.query(observationStateQuery);
    await sleepUntil(env, (await env.currentTimeMs()) + MINUTE);
    expect(await escalations(fever.input.number)).toEqual([{ kind: 'fever', state: 'open' }, { kind: 'missed_report', state: 'resolved' }]);

    // A report accepted before the deadline but written after the sweep looked answers the miss.
    expect(await escalations(late.input.number)).toEqual([{ kind: 'missed_report', state: 'open' }]);
    await plainReport(late.input, slot.deadline - 1_000);
    await late.handle.signal(reportSignal, { requestId: 'late-1', at: slot.deadline - 1_000, temperature: 36.6, source: 'person' });
    await late.handle.query(observationStateQuery);
    await sleepUntil(env, (await env.currentTimeMs()) + MINUTE);
    expect(await escalations(late.input.number)).toEqual([{ kind: 'missed_report', state: 'resolved' }]);

    // The next slot: reminded once more each, and a second miss in a row goes to the supervisor.
    await sleepUntil(env, next.deadline + MINUTE);
    for (const { input } of [plain, fever, silent, late]) expect(await reminders(input.number)).toBe(2);
    expect((await escalations(silent.input.number)).map((e: { kind: string }) => e.kind)).toEqual(['missed_report', 'missed_report', 'missed_report_repeat']);
    expect(await notices(silent.input.number, 'missed_report_repeat')).toEqual([`${silent.input.number}:missed-repeat:${next.key}`]);
    expect((await silent.handle.query(observationStateQuery)).escalations.map((e) => [e.kind, e.owner])).toEqual([
      ['missed_report', silent.input.responsibleWorker],
      ['missed_report', silent.input.responsibleWorker],
      ['missed_report_repeat', `supervisor@${silent.input.subdistrict}`],
    ]);
    // Late reported the first slot, so its miss of the second is no repeat.
    expect((await escalations(late.input.number)).map((e: { kind: string }) => e.kind)).toEqual(['missed_report', 'missed_report']);
    for (const { handle } of [plain, fever, silent, late]) await handle.terminate('test done');
  });

  it("writes a thermometer's reading as the report line the sweep reads, so its slot is not missed", async () => {
    const [{ input, handle }] = await enrolSome(1);
    const [slot] = slotsOf(periodOf(input)).filter((s) => s.owed);
    await sleepUntil(env, slot.opensAt + MINUTE);
    const at = await env.currentTimeMs();
    await handle.signal(deviceEventSignal, { eventId: 'th-1', deviceId: 'TH-1', kind: 'thermometer_reading', at, value: 36.9 });
    await sleepUntil(env, slot.deadline + MINUTE);
    const lines = await db.query(`SELECT day, slot_start AS "slotStart", temperature::float8 AS temperature, detail, dedup_key AS "dedupKey" FROM tracking_log WHERE observation_number = $1 AND kind = 'report'`, [input.number]);
    expect(lines).toEqual([
      {
        day: dayOfPeriod(periodOf(input), at),
        slotStart: new Date(slot.opensAt),
        temperature: 36.9,
        detail: { requestId: 'device:th-1', source: 'thermometer', symptoms: [], fever: false },
        dedupKey: `${input.number}:report:device:th-1`,
      },
    ]);
    expect(await escalations(input.number)).toEqual([]);
    await handle.terminate('test done');
  });

  it('sleeps with nobody on it, and the first enrolment on a policy wakes it', async () => {
    const clock = env.client.workflow.getHandle(observationClockId(config.temporal.taskQueue));
    const timers = async () => (await clock.fetchHistory()).events!.filter((e) => e.timerStartedEventAttributes).length;
    await env.sleep(3 * 24 * 60 * MINUTE);
    expect(await timers()).toBe(0);
    const [{ input, handle }] = await enrolSome(1);
    const [slot] = slotsOf(periodOf(input)).filter((s) => s.owed);
    await sleepUntil(env, slot.remindAt + MINUTE);
    expect(await reminders(input.number)).toBe(1);
    await handle.terminate('test done');
  });
});
