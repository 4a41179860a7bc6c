/**
 * Observations over HTTP against the real dev server, a real worker and PostgreSQL:
 * enrol, report, list, and see the row and the workflow agree; bad input gets a clear 4xx.
 */
import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { parse as parseCsv } from 'csv-parse/sync';
import { Client, ServiceError, type WorkflowClientInterceptor } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Http, supervisorHttp } from '../support/auth';
import { DataSource } from 'typeorm';
import { zonedIso } from '../../libs/config/time-zone';
import { workflowState } from '../../libs/temporal/start-once';
import { EnrolmentService } from '../../libs/observation/enrolment.service';
import { validateEnrolment } from '../../libs/domain/person/enrolment';
import { NEXT_DUE_AT, STATUS } from '../../libs/temporal/search-attributes';
import { deviceEventSignal, endEarlyUpdate, observationStateQuery, observationWorkflowId, reportSignal } from '../../workflows/observation/observation.messages';
import { UpdateOnceInterceptor } from '../../libs/temporal/workflow-calls';
import { clientOn } from '../../libs/temporal/connection';
import { missedReport, sweptEscalationIds } from '../../workflows/observation/missed-report';
import { ObservationRepository } from '../../libs/persistence/observation/observation.repository';
import { PolicyRolloutActivities } from '../../activities/observation/policy-rollout.activities';
import { localDate } from '../../libs/domain/local-time';
import { testConfig } from '../support/environment';
import { makeCsvOfCopies, makeLedgerFile, makeLedgerRecords, makeZipBomb } from '../support/ledger-fixtures';
import { eventually } from '../support/eventually';
import { allDayPolicy, enrolmentRequest, freshResidentId, ISO_UTC, moveToPolicy } from '../support/observation-fixtures';
import { systemPerFile } from '../support/system';
import type { RunningWorker } from '../../apps/worker/worker';

jest.setTimeout(120_000);

describe('observations API (dev server, worker, PostgreSQL)', () => {
  const config = testConfig();
  // Read when used: a run can cross the local midnight.
  const today = () => localDate(Date.now(), 480);
  const community = `api-test-${Date.now()}`;
  let api: INestApplication;
  let worker: RunningWorker;
  let db: DataSource;
  let client: Client;
  let http: Http;
  let allDayPolicyId: string;

  systemPerFile(async (system) => {
    ({ api, db, client } = system);
    worker = system.worker!;
    http = await supervisorHttp(api);
    allDayPolicyId = await allDayPolicy(http, db, 'B');
  }, { config });

  const enrol = (overrides: Record<string, unknown> = {}) =>
    http.post('/persons').send({ ...enrolmentRequest({ category: 'B', anchorDate: today() }), address: { subdistrict: 'XYL', community, building: '1', unit: '1' }, ...overrides });

  /** The sequence part of an observation number (XYL-B-000123 → 123). */
  const sequence = (number: string) => Number(number.split('-').pop());

  /** Enrols and moves the observation to the all-day policy, waiting until the record shows it. */
  async function enrolReportable(overrides: Record<string, unknown> = {}): Promise<string> {
    const { body } = await enrol(overrides).expect(201);
    await moveToPolicy(http, db, body.observationNumber, allDayPolicyId);
    return body.observationNumber;
  }

  it('documents the answer of every home-observation operation in the OpenAPI document', async () => {
    const document = (await http.get('/docs-json').expect(200)).body;
    const family = /^\/(persons|imports|observations|observation-policies|device-events|incoming-hand-overs|worklist|dashboard\/(summary|observations))\b/;
    const operations = Object.entries(document.paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: object }> }> }>>)
      .filter(([path]) => family.test(path))
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, operation })));
    expect(operations.length).toBe(30);
    const undocumented = operations
      .filter(({ operation }) => {
        const answers = Object.entries(operation.responses).filter(([status]) => /^2\d\d$/.test(status));
        return !answers.length || answers.some(([, answer]) => !answer.content || Object.values(answer.content).some((media) => !media.schema));
      })
      .map(({ name }) => name);
    expect(undocumented).toEqual([]);
    // Every schema the document refers to is in it.
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(([, name]) => name);
    expect(refs.filter((name) => !document.components.schemas[name])).toEqual([]);
  });

  it('enrols a person: the record, the workflow and the tracking log agree', async () => {
    const response = await enrol().expect(201);
    expect(response.body).toMatchObject({ status: 'created', policyId: 'B-v1', observationNumber: expect.stringMatching(/^XYL-B-\d{6}$/) });
    const number = response.body.observationNumber;
    const detail = (await http.get(`/observations/${number}`).expect(200)).body;
    expect(detail.observation).toMatchObject({ number, status: 'active', category: 'B', community });
    expect(detail.state).toMatchObject({ number, status: 'active', periodDays: 14, policyId: 'B-v1' });
    expect(detail.state.releaseDueAt).toBe(detail.observation.releaseDueAt);
    expect(detail.trackingLog[0].kind).toBe('enrolled');
    expect(detail.person.documentNumber).toBeDefined();
  });

  it("writes the enrolment's line and search attributes with the record, so the workflow's first task writes nothing and only sets its timer", async () => {
    const { body } = await enrol().expect(201);
    const [line] = await db.query(`SELECT kind FROM tracking_log WHERE observation_number = $1`, [body.observationNumber]);
    expect(line).toEqual({ kind: 'enrolled' });
    const handle = client.workflow.getHandle(observationWorkflowId(body.observationNumber));
    const { EventType } = temporal.api.enums.v1;
    const events = await eventually(
      async () => (await handle.fetchHistory()).events ?? [],
      (all) => all.some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
      { what: 'the first workflow task completed' },
    );
    const afterFirstTask = events.slice(events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) + 1).map((e) => e.eventType);
    // The observation-clock patch's marker, with the TemporalChangeVersion search attribute the SDK
    // keeps for it, then the release timer: no local activity (nothing to write).
    expect(afterFirstTask).toEqual([EventType.EVENT_TYPE_MARKER_RECORDED, EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, EventType.EVENT_TYPE_TIMER_STARTED]);
    const marker = events.find((e) => e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED)!;
    expect(marker.markerRecordedEventAttributes!.markerName).toBe('core_patch');
  });

  it("keeps the Web UI's search attributes current: set at start, changed with the observation", async () => {
    const { body } = await enrol().expect(201);
    const handle = client.workflow.getHandle(observationWorkflowId(body.observationNumber));
    await eventually(() => db.query(`SELECT 1 FROM tracking_log WHERE observation_number = $1 AND kind = 'enrolled'`, [body.observationNumber]), (rows) => rows.length > 0);
    const started = (await handle.describe()).typedSearchAttributes;
    expect(started.get(STATUS)).toBe('active');
    expect(started.get(NEXT_DUE_AT)).toBeInstanceOf(Date);

    await http.post(`/observations/${body.observationNumber}/early-end`).send({ reason: 'moved_away', by: 'worker-li' }).expect(200);
    const ended = await eventually(async () => (await handle.describe()).typedSearchAttributes, (attributes) => attributes.get(STATUS) === 'ended');
    expect(ended.get(STATUS)).toBe('ended');
    expect(ended.get(NEXT_DUE_AT)).toBeUndefined();
  });

  it('refuses a second open observation for the same ID with 409 naming the open number', async () => {
    const documentNumber = freshResidentId();
    const first = await enrol({ documentNumber }).expect(201);
    const second = await enrol({ documentNumber, mobile: '13900139000' }).expect(409);
    // The number the caller sent is not repeated: refusals are audited and reused in notices.
    expect(JSON.stringify(second.body)).not.toContain(documentNumber);
    expect(second.body).toMatchObject({ observationNumber: first.body.observationNumber, errors: [{ field: 'documentNumber', reason: expect.stringContaining(first.body.observationNumber) }] });
    // The refusal took no number and changed nothing of the person.
    const next = await enrol().expect(201);
    expect(sequence(next.body.observationNumber)).toBe(sequence(first.body.observationNumber) + 1);
    const [person] = await db.query(`SELECT mobile FROM person WHERE document_number = $1`, [documentNumber]);
    expect(person.mobile).toBe('13800138000');
  });

  it('starts the workflow of an open observation whose start was lost when its enrolment comes again, as a 409 or a retried request id', async () => {
    const enrolments = api.get(EnrolmentService);
    const body = { ...enrolmentRequest({ category: 'B', anchorDate: today() }), address: { subdistrict: 'XYL', community, building: '1', unit: '1' } };
    // What an enrolment leaves when Temporal is down at its start: the record, and no workflow.
    const lost = async (request: Record<string, unknown>) => {
      const input = await enrolments.record(validateEnrolment(request).enrolment!);
      expect(await workflowState(client, observationWorkflowId(input.number))).toBeUndefined();
      return input.number;
    };

    const number = await lost(body);
    const again = await http.post('/persons').send(body).expect(409);
    expect(again.body.observationNumber).toBe(number);
    expect(await workflowState(client, observationWorkflowId(number))).toBe('running');

    const withRequestId = { ...body, documentNumber: freshResidentId(), requestId: `lost-${Date.now()}` };
    const numbered = await lost(withRequestId);
    const retried = await http.post('/persons').send(withRequestId).expect(200);
    expect(retried.body).toMatchObject({ observationNumber: numbered, status: 'existing' });
    expect(await workflowState(client, observationWorkflowId(numbered))).toBe('running');
    for (const n of [number, numbered]) expect((await client.workflow.count(`WorkflowId = '${observationWorkflowId(n)}'`)).count).toBe(1);
  });

  it('is idempotent on requestId, and one of many concurrent enrolments of one ID wins', async () => {
    const requestId = `req-${Date.now()}`;
    const first = await enrol({ requestId }).expect(201);
    const again = await enrol({ requestId }).expect(200);
    expect(again.body).toMatchObject({ status: 'existing', observationNumber: first.body.observationNumber });
    // Retried after its observation ended: still that observation, not a new one.
    await http.post(`/observations/${first.body.observationNumber}/early-end`).send({ reason: 'moved_away', by: 'worker-li' }).expect(200);
    await eventually(() => db.query(`SELECT status FROM observation WHERE number = $1`, [first.body.observationNumber]), (rows) => rows[0].status === 'ended', { what: 'the end recorded' });
    const late = await enrol({ requestId }).expect(200);
    expect(late.body).toMatchObject({ status: 'existing', observationNumber: first.body.observationNumber });
    // The retries took no number.
    const next = await enrol().expect(201);
    expect(sequence(next.body.observationNumber)).toBe(sequence(first.body.observationNumber) + 1);

    const sameRequest = { requestId: `req-many-${Date.now()}`, documentNumber: freshResidentId() };
    const retries = await Promise.all(Array.from({ length: 20 }, () => enrol(sameRequest)));
    expect(retries.filter((r) => r.status === 201)).toHaveLength(1);
    expect(retries.filter((r) => r.status === 200)).toHaveLength(19);
    expect(new Set(retries.map((r) => r.body.observationNumber)).size).toBe(1);

    const documentNumber = freshResidentId();
    const results = await Promise.all(Array.from({ length: 20 }, () => enrol({ documentNumber })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(19);
    const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM observation o JOIN person p ON p.id = o.person_id WHERE p.document_number = $1`, [documentNumber]);
    expect(count).toBe(1);
  });

  it('takes the enrolment idempotency key as the Idempotency-Key header or the body’s requestId, and refuses its old name', async () => {
    const key = `header-${Date.now()}`;
    const first = await enrol().set('Idempotency-Key', key).expect(201);
    const again = await enrol({ requestId: key }).expect(200);
    expect(again.body).toMatchObject({ status: 'existing', observationNumber: first.body.observationNumber });
    const differing = await enrol({ requestId: 'another' }).set('Idempotency-Key', key).expect(422);
    expect(differing.body.errors).toEqual([{ field: 'requestId', reason: expect.stringContaining('Idempotency-Key') }]);
    // Dropped silently, the old name would let a retry enrol the person again.
    const renamed = await enrol({ clientRequestId: key }).expect(422);
    expect(renamed.body.errors).toEqual([{ field: 'clientRequestId', reason: expect.stringContaining('requestId') }]);
  });

  it.each([
    [{ documentNumber: '110105194912310021' }, 'documentNumber', /check digit/],
    [{ category: 'E' }, 'category', /A \(close contact\)/],
    [{ mobile: '12345' }, 'mobile', /mobile/],
    [{ anchorDate: '2020-01-01' }, 'anchorDate', /ended/],
    [{ documentType: 'passport', documentNumber: 'E12345678' }, 'documentType', /category C/],
  ])('rejects %j with 422 naming %s', async (overrides, field, reason) => {
    const response = await enrol(overrides).expect(422);
    expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, reason: expect.stringMatching(reason) })]));
  });

  it('takes a report in an open slot: durable in the tracking log before it answers; the workflow is told only of a report that changes something', async () => {
    const number = await enrolReportable();
    const response = await http.post(`/observations/${number}/reports`).send({ temperature: 36.5, requestId: 'r1' }).expect(201);
    expect(response.body).toMatchObject({ number, temperature: 36.5, fever: false, requestId: 'r1' });
    const [log] = await db.query(`SELECT temperature FROM tracking_log WHERE observation_number = $1 AND kind = 'report'`, [number]);
    expect(Number(log.temperature)).toBe(36.5);
    // A retried report (same requestId) is recorded once, and answered as the first was.
    const retried = await http.post(`/observations/${number}/reports`).send({ temperature: 36.5, requestId: 'r1' }).expect(201);
    expect(retried.body).toEqual(response.body);
    const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM tracking_log WHERE observation_number = $1 AND kind = 'report'`, [number]);
    expect(count).toBe(1);
    const { body } = await http.get(`/observations/${number}`).expect(200);
    expect(body.state.reportsReceived).toBe(1);
    expect(body.observation.lastReportAt).toMatch(ISO_UTC);
    // The key may come as the Idempotency-Key header too: the same report again is recorded once.
    const byHeader = await http.post(`/observations/${number}/reports`).set('Idempotency-Key', 'r1').send({ temperature: 36.5 }).expect(201);
    expect(byHeader.body.requestId).toBe('r1');
    const [{ again }] = await db.query(`SELECT count(*)::int AS again FROM tracking_log WHERE observation_number = $1 AND kind = 'report'`, [number]);
    expect(again).toBe(1);
    // Ten at once under a new key: one line, and every answer is the first's.
    const together = await Promise.all(Array.from({ length: 10 }, () => http.post(`/observations/${number}/reports`).send({ temperature: 36.7, requestId: 'r2' })));
    expect(together.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(new Set(together.map((r) => JSON.stringify(r.body))).size).toBe(1);
    const [{ lines }] = await db.query(`SELECT count(*)::int AS lines FROM tracking_log WHERE observation_number = $1 AND kind = 'report'`, [number]);
    expect(lines).toBe(2);
    // On the observation clock a plain report is its line alone (the clock's sweep reads it); a symptom is signalled.
    const reportSignals = async () => (await client.workflow.getHandle(observationWorkflowId(number)).fetchHistory()).events!.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'report').length;
    expect(await reportSignals()).toBe(0);
    await http.post(`/observations/${number}/reports`).send({ temperature: 36.6, symptoms: ['cough'] }).expect(201);
    expect(await reportSignals()).toBe(1);
  });

  it('escalates a fever report; a supervisor decides to continue', async () => {
    const number = await enrolReportable();
    await http.post(`/observations/${number}/reports`).send({ temperature: 38.4 }).expect(201);
    const detail = await eventually(async () => (await http.get(`/observations/${number}`)).body, (d) => d.state.status === 'escalated');
    const fever = detail.state.escalations.find((e: { kind: string }) => e.kind === 'fever');
    expect(fever).toMatchObject({ ownerRole: 'medical', state: 'open' });
    await http.post(`/observations/${number}/escalations/${fever.id.split('/')[1]}/resolve`).send({ by: 'x' }).expect(409);
    const decided = await http.post(`/observations/${number}/escalations/${fever.id.split('/')[1]}/decision`).send({ decision: 'continue', by: 'supervisor-wang' }).expect(200);
    expect(decided.body.status).toBe('active');
    const rows = await eventually(() => db.query(`SELECT state, resolution FROM escalation WHERE id = $1`, [fever.id]), (r) => r[0]?.state === 'resolved');
    expect(rows[0]).toEqual({ state: 'resolved', resolution: 'continue' });
    // One style in every answer: camelCase fields, instants as ISO 8601 UTC text (the live state's too).
    expect(fever.openedAt).toMatch(ISO_UTC);
    expect(decided.body.escalations.find((e: { id: string }) => e.id === fever.id)).toMatchObject({ state: 'resolved', openedAt: fever.openedAt });
    const { body: detail2 } = await http.get(`/observations/${number}`).expect(200);
    expect(detail2.escalations).toEqual([
      { id: fever.id, kind: 'fever', ownerRole: 'medical', owner: expect.any(String), state: 'resolved', reason: expect.any(String), openedAt: fever.openedAt, resolution: 'continue', decidedBy: 'supervisor-wang', updatedAt: expect.stringMatching(ISO_UTC) },
    ]);
    expect(detail2.trackingLog.every((line: { at: string }) => ISO_UTC.test(line.at))).toBe(true);
    expect(Object.keys(detail2.person.address)).toEqual(['subdistrict', 'community', 'building', 'unit', 'detail']);
  });

  it("answers 409, try again, for a clock's escalation its observation has not taken in yet, and 404 for one nobody raised", async () => {
    const { body } = await enrol().expect(201);
    const number = body.observationNumber;
    const slotKey = '2026-03-02T00:00:00.000Z';
    // As the clock's sweep leaves it between writing the miss and telling the workflow.
    const [written] = missedReport({ number, anchorDate: today(), subdistrict: 'XYL', community, responsibleWorker: 'worker-li' }, 480, { key: slotKey, opensAt: Date.parse(slotKey), remindAt: Date.parse(slotKey), closesAt: Date.parse(slotKey) + 7_200_000, deadline: Date.parse(slotKey) + 10_800_000 }, undefined, sweptEscalationIds(number, slotKey)).escalations;
    await new ObservationRepository(db).openEscalations([{ number, escalation: written, ownerAccount: null }]);
    const pending = await http.post(`/observations/${number}/escalations/${encodeURIComponent(`missed:${slotKey}`)}/acknowledge`).send({ by: 'worker-li' }).expect(409);
    expect(pending.body.errors).toEqual([{ field: 'escalationId', reason: 'not yet taken in by its observation' }]);
    expect(pending.body.detail).toContain('try again in a few seconds');
    const unknown = await http.post(`/observations/${number}/escalations/${encodeURIComponent('missed:2026-03-03T00:00:00.000Z')}/acknowledge`).send({ by: 'worker-li' }).expect(404);
    expect(unknown.body.detail).toContain(`no escalation ${number}/missed:2026-03-03T00:00:00.000Z`);
  });

  it('routes a door-sensor event by device id and opens the non-cooperation ladder', async () => {
    const doorSensorId = `DS-${Date.now()}`;
    const { body } = await enrol({ devices: { doorSensorId } }).expect(201);
    await http.post('/device-events').send({ deviceId: doorSensorId, kind: 'door_opened', eventId: 'e1' }).expect(202);
    const detail = await eventually(async () => (await http.get(`/observations/${body.observationNumber}`)).body, (d) => d.state.openEscalations > 0);
    expect(detail.state.escalations[0]).toMatchObject({ kind: 'non_cooperation' });
    // The workflow names the responsible worker; its write gives the escalation to an account (that
    // worker's, else one level up), and that account is the owner people read.
    const [recorded] = await eventually(
      () => db.query(`SELECT e.owner, u.display_name AS account FROM escalation e JOIN app_user u ON u.id = e.owner_account WHERE e.id = $1`, [detail.state.escalations[0].id]),
      (rows) => rows.length === 1,
      { what: 'the escalation recorded with its owner account' },
    );
    expect(recorded.owner).toBe('worker-li');
    expect((await http.get(`/observations/${body.observationNumber}`).expect(200)).body.state.escalations[0].owner).toBe(recorded.account);
    await http.post(`/observations/${body.observationNumber}/measures`).send({ measure: 'guard_posted', by: 'worker-li' }).expect(409);
    await http.post(`/observations/${body.observationNumber}/measures`).send({ measure: 'warning_talk', by: 'worker-li' }).expect(200);
    await http.post('/device-events').send({ deviceId: 'no-such-device', kind: 'door_opened' }).expect(404);
    await http.post('/device-events').send({ deviceId: doorSensorId, kind: 'smoke' }).expect(422);
  });

  it('refuses a device event dated before the enrolment, naming the field, and records nothing', async () => {
    const thermometerId = `TH-${Date.now()}`;
    const before = new Date(Date.now() - 60_000).toISOString();
    const { body } = await enrol({ devices: { thermometerId } }).expect(201);
    const early = await http.post('/device-events').send({ deviceId: thermometerId, kind: 'thermometer_reading', value: 38.5, at: before, eventId: 'early' }).expect(422);
    expect(early.body.errors).toEqual([{ field: 'at', reason: expect.stringContaining(`is before the observation ${body.observationNumber} began`) }]);
    const detail = (await http.get(`/observations/${body.observationNumber}`).expect(200)).body;
    expect(detail.state.openEscalations).toBe(0);
    expect(detail.trackingLog.filter((e: { kind: string }) => e.kind !== 'enrolled')).toEqual([]);
  });

  it('answers bad reports clearly: temperature 50, unknown number, a released or ended observation', async () => {
    const number = await enrolReportable();
    const hot = await http.post(`/observations/${number}/reports`).send({ temperature: 50 }).expect(422);
    expect(hot.body.errors).toEqual([{ field: 'temperature', reason: expect.stringContaining('34') }]);
    await http.post(`/observations/${number}/reports`).send({ temperature: 'warm' }).expect(422);
    await http.post('/observations/XYL-B-999999/reports').send({ temperature: 36.5 }).expect(404);
    await http.post(`/observations/${number}/early-end`).send({ reason: 'moved_away', by: 'worker-li' }).expect(200);
    await eventually(() => db.query(`SELECT status FROM observation WHERE number = $1`, [number]), (r) => r[0].status === 'ended');
    const closed = await http.post(`/observations/${number}/reports`).send({ temperature: 36.5 }).expect(409);
    expect(closed.body.detail).toMatch(/ended/);
    const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM tracking_log WHERE observation_number = $1 AND kind = 'report'`, [number]);
    expect(count).toBe(0);
  });

  it("sends again an early end dropped with a failed workflow task, reads back one that closed its workflow when the call failed on the way, and says the first error when there was no such update", async () => {
    expect((client.options.interceptors.workflow as WorkflowClientInterceptor[])[0]).toBeInstanceOf(UpdateOnceInterceptor);
    // A client like the API's whose updates meet `fault` on their way to the server, below the interceptor.
    let fault: NonNullable<WorkflowClientInterceptor['startUpdate']> = (input, next) => next(input);
    const faulty = clientOn(client.connection, config.temporal, { startUpdate: (input, next) => fault(input, next) });

    // Dropped with a failed workflow task (FAILED_PRECONDITION, the update not taken): sent again under its id.
    const dropped = Object.assign(new ServiceError('Workflow Update failed'), { cause: { code: 9, details: 'Unable to perform workflow execution update due to unexpected workflow task failure.' } });
    const ids: (string | undefined)[] = [];
    fault = (input, next) => (ids.push(input.options.updateId), ids.length === 1 ? Promise.reject(dropped) : next(input));
    const first = faulty.workflow.getHandle(observationWorkflowId(await enrolReportable()));
    await expect(first.executeUpdate(endEarlyUpdate, { args: [{ reason: 'moved_away', by: 'worker-li' }] })).resolves.toMatchObject({ status: 'ended' });
    expect(ids.length).toBeGreaterThanOrEqual(2); // more when a real task dropped it too (under load)
    expect(new Set(ids).size).toBe(1);

    // Carried out, the call failing on its way back (what the API answered 503 for): the outcome is read back by the id.
    const number = await enrolReportable();
    const real = faulty.workflow.getHandle(observationWorkflowId(number));
    const lost = new ServiceError('Workflow Update failed');
    fault = async (input, next) => {
      await next(input);
      throw lost;
    };
    await expect(real.executeUpdate(endEarlyUpdate, { args: [{ reason: 'moved_away', by: 'worker-li' }] })).resolves.toMatchObject({ number, status: 'ended' });
    await expect(real.result()).resolves.toBeDefined();
    // The workflow is closed now: an update the server never took is not to be found, so the call's own error stands.
    fault = () => Promise.reject(lost);
    await expect(real.executeUpdate(endEarlyUpdate, { args: [{ reason: 'moved_away', by: 'worker-li' }] })).rejects.toBe(lost);
  });

  // On the dev server: the time-skipping server's continue-as-new is not atomic (temporalio/sdk-java#1538), and a signal it takes meanwhile can be lost.
  it('continues as new before its history grows long, carrying its state: every device event, sent before, during and after the new run, in the log once', async () => {
    const number = await enrolReportable();
    const handle = client.workflow.getHandle(observationWorkflowId(number));
    await handle.signal(reportSignal, { requestId: `can-${number}`, at: Date.now(), temperature: 36.8, source: 'person' });
    const firstRun = (await handle.describe()).runId;
    // Camera motion is only logged, so the events grow the history and nothing else.
    let sent = 0;
    while (sent < 2_200) {
      const at = Date.now();
      await Promise.all(Array.from({ length: 100 }, () => handle.signal(deviceEventSignal, { eventId: `cam-${sent++}`, deviceId: 'CAM-7', kind: 'camera_motion', at })));
    }
    await eventually(async () => (await handle.describe()).runId, (runId) => runId !== firstRun, { what: 'a new run', timeoutMs: 60_000 });
    expect(await handle.query(observationStateQuery)).toMatchObject({ status: 'active', reportsReceived: 1 });
    await handle.signal(deviceEventSignal, { eventId: 'cam-last', deviceId: 'CAM-7', kind: 'camera_motion', at: Date.now() });
    const logged = async () => (await db.query(`SELECT count(*)::int AS count FROM tracking_log WHERE observation_number = $1 AND kind = 'device_event'`, [number]))[0].count;
    await eventually(logged, (count) => count === sent + 1, { what: `${sent + 1} device events logged`, timeoutMs: 60_000 });
  });

  it('moves every running observation of a community onto a new policy version, with progress', async () => {
    const rolloutCommunity = `${community}-rollout`;
    const numbers = [];
    for (let i = 0; i < 3; i++) numbers.push((await enrol({ address: { subdistrict: 'XYL', community: rolloutCommunity, building: '1', unit: '1' } }).expect(201)).body.observationNumber);
    const key = `rollout-${randomUUID()}`;
    const started = await http.post(`/observation-policies/${allDayPolicyId}/rollouts`).set('Idempotency-Key', key).send({ by: 'supervisor-wang', community: rolloutCommunity }).expect(202);
    // The same key, as the header or as the body's requestId, answers the same rollout and starts none besides.
    const repeated = await http.post(`/observation-policies/${allDayPolicyId}/rollouts`).set('Idempotency-Key', key).send({ by: 'supervisor-wang', community: rolloutCommunity }).expect(202);
    const keyed = await http.post(`/observation-policies/${allDayPolicyId}/rollouts`).send({ by: 'supervisor-wang', community: rolloutCommunity, requestId: key }).expect(202);
    expect([repeated.body.rolloutId, keyed.body.rolloutId]).toEqual([started.body.rolloutId, started.body.rolloutId]);
    expect((await client.workflow.count(`WorkflowId = '${started.body.rolloutId}'`)).count).toBe(1);
    const progress = await eventually(async () => (await http.get(`/observation-policies/rollouts/${started.body.rolloutId}`)).body, (p) => p.done === true);
    expect(progress).toMatchObject({ total: 3, moved: 3, skipped: [], done: true });
    const rows = await eventually(
      () => db.query(`SELECT policy_id FROM observation WHERE community = $1`, [rolloutCommunity]),
      (r) => r.every((row: { policy_id: string }) => row.policy_id === allDayPolicyId),
    );
    expect(rows.map((r: { policy_id: string }) => r.policy_id)).toEqual([allDayPolicyId, allDayPolicyId, allDayPolicyId]);
    await http.post('/observation-policies/Z-v9/rollouts').send({ by: 'x' }).expect(404);
  });

  it("counts a rollout's move retried after it was taken as moved (the same update id), and a move another rollout made as not moved", async () => {
    const number = (await enrol().expect(201)).body.observationNumber;
    const activities = worker.app.get(PolicyRolloutActivities);
    const inRollout = (workflowId: string) =>
      new MockActivityEnvironment({ workflowExecution: { workflowId, runId: randomUUID() } }).run((input) => activities.moveObservationToPolicy(input), { number, policyId: allDayPolicyId, by: 'supervisor-wang' });
    const rollout = `policy-rollout-${allDayPolicyId}-${randomUUID()}`;
    await expect(inRollout(rollout)).resolves.toEqual({ moved: true });
    // The activity again, as Temporal retries it when its first attempt's answer was lost.
    await expect(inRollout(rollout)).resolves.toEqual({ moved: true });
    await expect(inRollout(`policy-rollout-${allDayPolicyId}-${randomUUID()}`)).resolves.toEqual({ moved: false, reason: expect.stringContaining(`already on ${allDayPolicyId}`) });
  });

  it('previews a rollout, changing nothing; the rollout with its previewId moves exactly those, or nothing when more have come since', async () => {
    const place = { subdistrict: 'XYL', community: `${community}-preview`, building: '1', unit: '1' };
    const first: string[] = [];
    for (let i = 0; i < 2; i++) first.push((await enrol({ address: place }).expect(201)).body.observationNumber);
    const preview = await http.post(`/observation-policies/${allDayPolicyId}/rollouts/preview`).send({ community: place.community }).expect(200);
    expect(preview.body).toMatchObject({ policyId: allDayPolicyId, observations: 2, byPlace: [{ subdistrict: 'XYL', community: place.community, observations: 2 }], notices: [] });
    expect(preview.body.numbers).toEqual([...first].sort());
    expect(await db.query(`SELECT count(*)::int AS n FROM observation WHERE community = $1 AND policy_id = $2`, [place.community, allDayPolicyId])).toEqual([{ n: 0 }]);

    // Someone is enrolled in between: the rollout as previewed no longer holds, nothing starts, the new preview says 3.
    const third = (await enrol({ address: place }).expect(201)).body.observationNumber;
    const moved = await http.post(`/observation-policies/${allDayPolicyId}/rollouts`).send({ by: 'supervisor-wang', community: place.community, previewId: preview.body.previewId }).expect(409);
    expect(moved.body.errors).toEqual([{ field: 'previewId', reason: 'outdated' }]);
    expect(moved.body.preview).toMatchObject({ observations: 3, numbers: [...first, third].sort() });

    const started = await http.post(`/observation-policies/${allDayPolicyId}/rollouts`).send({ by: 'supervisor-wang', community: place.community, previewId: moved.body.preview.previewId }).expect(202);
    const progress = await eventually(async () => (await http.get(`/observation-policies/rollouts/${started.body.rolloutId}`)).body, (p) => p.done === true);
    expect(progress).toMatchObject({ total: 3, moved: 3, skipped: [] });
    await eventually(
      () => db.query(`SELECT number FROM observation WHERE community = $1 AND policy_id = $2 ORDER BY number`, [place.community, allDayPolicyId]),
      (rows) => rows.map((r: { number: string }) => r.number).join() === [...first, third].sort().join(),
    );
    await http.post('/observation-policies/Z-v9/rollouts/preview').send({}).expect(404);
  });

  it('lists policy versions as a page, by category and version', async () => {
    const all = await http.get('/observation-policies').expect(200);
    expect(all.body).toMatchObject({ page: 1, pageSize: 50, total: expect.any(Number) });
    const b = await http.get('/observation-policies').query({ category: 'B', pageSize: 1 }).expect(200);
    expect(b.body).toMatchObject({ items: [{ id: 'B-v1', category: 'B', version: 1, effectiveFrom: '2020-01-01' }], page: 1, pageSize: 1 });
    expect(b.body.total).toBeGreaterThanOrEqual(2);
    await http.get('/observation-policies').query({ category: 'E' }).expect(422);
  });

  it('lists with filters and paging, and exports the list and a tracking log', async () => {
    const page = await http.get('/observations').query({ community, pageSize: 2, page: 1 }).expect(200);
    expect(page.body.items).toHaveLength(2);
    expect(page.body.total).toBeGreaterThan(2);
    const escalated = await http.get('/observations').query({ community, status: 'ended' }).expect(200);
    expect(escalated.body.items.every((i: { status: string }) => i.status === 'ended')).toBe(true);
    await http.get('/observations').query({ status: 'sleeping' }).expect(422);
    const csv = await http.get('/observations/export').query({ community, format: 'csv' }).expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text).toContain(page.body.items[0].number);
    const xlsx = await http.get('/observations/export').query({ community, format: 'xlsx' }).buffer(true).expect(200);
    expect(xlsx.headers['content-type']).toMatch(/spreadsheetml/);
    const log = await http.get(`/observations/${page.body.items[0].number}/tracking-log`).query({ format: 'csv' }).expect(200);
    expect(log.text).toContain('enrolled');
    // Spreadsheets have no time zones: the offices' local time, with the offset named.
    const logged = await http.get(`/observations/${page.body.items[0].number}/tracking-log`).expect(200);
    const [, first]: string[][] = parseCsv(log.text, { bom: true });
    expect(first[0]).toBe(zonedIso(Date.parse(logged.body.items[0].at), config.timeZone));
    // The JSON log is a page like every list; the files hold the whole log.
    expect(logged.body).toMatchObject({ page: 1, pageSize: 50, total: logged.body.items.length });
    const second = await http.get(`/observations/${page.body.items[0].number}/tracking-log`).query({ pageSize: 1, page: 2 }).expect(200);
    expect(second.body).toMatchObject({ items: logged.body.items.slice(1, 2), page: 2, pageSize: 1, total: logged.body.total });
  });

  it('imports a ledger with a result per row, and a second upload enrols nobody twice', async () => {
    const records = makeLedgerRecords(30, { seed: Date.now() % 100_000, anchorDate: today(), communities: [`${community}-import`] });
    records[7] = { ...records[7], documentNumber: '110105194912310021' };
    records[11] = { ...records[11], documentNumber: '1.10105E+17' }; // as a CSV saved from Excel shows an ID typed as a number
    const file = await makeLedgerFile(records, 'csv');
    const started = await http.post('/persons/import').attach('file', file, 'ledger.csv').expect(202);
    // Every row is stored before the answer: the API may die the moment it has answered.
    const [{ stored }] = await db.query(`SELECT count(*)::int AS stored FROM import_row WHERE job_id = $1`, [started.body.id]);
    expect(stored).toBe(30);
    const done = await eventually(async () => (await http.get(`/imports/${started.body.id}`)).body, (j) => j.state === 'done', { what: 'import done', timeoutMs: 60_000 });
    expect(done).toMatchObject({ totalRows: 30, processedRows: 30, accepted: 28, rejected: 2 });
    expect(done.results).toEqual([
      expect.objectContaining({ row: 9, status: 'rejected', field: 'documentNumber' }),
      expect.objectContaining({ row: 13, status: 'rejected', field: 'documentNumber', reason: expect.stringContaining('format the column as text') }),
    ]);

    const again = await http.post('/persons/import').attach('file', file, 'ledger.csv').expect(202);
    const second = await eventually(async () => (await http.get(`/imports/${again.body.id}`).query({ results: 'all' })).body, (j) => j.state === 'done', { what: 'import done', timeoutMs: 60_000 });
    expect(second.accepted).toBe(28);
    const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM observation WHERE community = $1`, [`${community}-import`]);
    expect(count).toBe(28);
    await http.post('/persons/import').attach('file', Buffer.from('x'), 'ledger.pdf').expect(422);
    await http.get('/imports/not-a-job').expect(404);
  });

  it('refuses a ledger over its limits with the limit named: 50 MiB uploaded, 200 MiB unpacked, 50,000 rows', async () => {
    const bigFile = await http.post('/persons/import').attach('file', Buffer.alloc(50 * 1024 * 1024 + 1, 'a'), 'ledger.csv').expect(413);
    expect(bigFile.body.errors).toEqual([{ field: 'file', reason: 'is larger than 50 MiB, the most a ledger upload may be; split the ledger' }]);
    const bomb = await http.post('/persons/import').attach('file', makeZipBomb(3, 70), 'ledger.xlsx').expect(413);
    expect(bomb.body.errors).toEqual([{ field: 'file', reason: 'unpacks to 210 MiB, more than the 200 MiB a ledger workbook may hold; split the ledger' }]);
    const tooManyRows = await http.post('/persons/import').attach('file', await makeCsvOfCopies(50_001), 'ledger.csv').expect(422);
    expect(tooManyRows.body.errors).toEqual([{ field: 'file', reason: 'has more than 50,000 rows, the most a ledger may hold; split it into files of at most that many' }]);
  });
});
