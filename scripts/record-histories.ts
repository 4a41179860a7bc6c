/**
 * Records the workflow histories the replay tests replay (test/<family>/histories/, read by
 * test/support/replay.ts). Run it, and commit what it writes, BEFORE changing workflow code that
 * running workflows would meet on their next task:
 *   npx ts-node --transpile-only scripts/record-histories.ts [observation|transfer|roster|guard ...]
 * Each file is named after its scenario and the commit of the code that made it, so the histories
 * of every version recorded stay and keep being replayed.
 * Each scenario runs the real worker and activities on its own PostgreSQL and on Temporal's
 * time-skipping server, with the tests' fixtures, through the paths that matter: messages handled,
 * writes, deliveries, timers, a continue-as-new. Payloads are encrypted as in every run, with the
 * run's throw-away key, and decrypted before they are written, so the files replay without a key.
 */
import { WorkflowHandle } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { startWorker } from '../apps/worker/worker';
import { AppConfig } from '../libs/config/config';
import { createDataSource } from '../libs/persistence/data-source';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING } from '../libs/temporal/payload-codec';
import { installRuntimeOnce } from '../libs/temporal/runtime';
import {
  acknowledgeEscalationUpdate,
  decideHealthEscalationUpdate,
  deviceEventSignal,
  endEarlyUpdate,
  extendUpdate,
  liftGuardUpdate,
  observationClockId,
  observationStateQuery,
  ObservationInput,
  observationWorkflowId,
  reportSignal,
  resolveEscalationUpdate,
  takeMeasureUpdate,
  TemperatureReport,
} from '../workflows/observation/observation.messages';
import { periodOf, slotsOf } from '../workflows/observation/observation-schedule';
import { HOUR, MINUTE, addDays, localDate } from '../libs/domain/local-time';
import { policyRolloutWorkflow } from '../workflows/observation/policy-rollout.workflow';
import { rosterDailyWorkflow } from '../workflows/roster/roster-daily.workflow';
import { DEFAULT_SHIFT_TIMING } from '../workflows/roster/shift-policy';
import { acknowledgeHandoverUpdate, checkInUpdate, handoverOfferedSignal, logIncidentUpdate, reassignUpdate, shiftStateQuery, shiftWorkflowId, submitHandoverUpdate } from '../workflows/roster/shift.messages';
import { decideExceptionUpdate, noShowUpdate, refuseUpdate, breakdownUpdate, runStateQuery, RunView, transferRunWorkflowId, transferTripWorkflowId, boardUpdate } from '../workflows/transfer/transfer.messages';
import globalSetup from '../test/support/global-setup';
import globalTeardown from '../test/support/global-teardown';
import { createTimeSkippingEnvironment, testConfig } from '../test/support/environment';
import { eventually } from '../test/support/eventually';
import { growHistory } from '../test/support/workflow-history';
import { enrolmentRequest, enrolmentService, reportLine } from '../test/support/observation-fixtures';
import { checkpointDay, insertPost, insertStaff, rosterServices, uniqueTag } from '../test/roster/roster-fixtures';
import { communityVans, dispatchAt, driveTrip, manifestRow, registerResources, transferRunStarter } from '../test/transfer/transfer-fixtures';

const OFFSET = 480;
const ROOT = path.resolve(__dirname, '..');

interface Run {
  env: TestWorkflowEnvironment;
  db: DataSource;
  config: AppConfig;
  codec: AesGcmPayloadCodec;
  /** The commit of the workflow code being recorded. */
  commit: string;
}

/** The commit the histories are recorded at; refused while workflows/ has changes not committed. */
function recordedCommit(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  if (git('status', '--porcelain', '--', 'workflows')) throw new Error('workflows/ has changes not committed: commit them (or record before making them)');
  return git('rev-parse', '--short', 'HEAD');
}

/** Every encrypted payload of the history, decrypted in place. */
async function decrypt(value: unknown, codec: AesGcmPayloadCodec): Promise<void> {
  if (!value || typeof value !== 'object' || ArrayBuffer.isView(value)) return;
  const payload = value as Payload;
  const encoding = payload.metadata?.encoding;
  if (encoding && ArrayBuffer.isView(encoding) && Buffer.from(encoding).toString() === ENCRYPTED_ENCODING) {
    const [plain] = await codec.decode([payload]);
    payload.metadata = plain.metadata;
    payload.data = plain.data;
    return;
  }
  for (const child of Object.values(value)) await decrypt(child, codec);
}

async function save(run: Run, family: string, name: string, handle: WorkflowHandle, runId?: string): Promise<void> {
  const history = await run.env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
  await decrypt(history, run.codec);
  const file = path.join(ROOT, 'test', family, 'histories', `${name}-${run.commit}.json`);
  // protobufjs's object form (enum names, 64-bit ids as text), which History.fromObject reads back.
  const object = temporal.api.history.v1.History.toObject(temporal.api.history.v1.History.fromObject(history), { longs: String, enums: String, bytes: String });
  writeFileSync(file, `${JSON.stringify(object)}\n`);
  console.log(`${family}/${name}: ${history.events?.length} events`);
}

async function sleepUntil(env: TestWorkflowEnvironment, at: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (at > now) await env.sleep(at - now);
}

/** Until the workflow runs in a new run after `firstRun`. */
function continuedAsNew(handle: WorkflowHandle, firstRun: string) {
  return eventually(() => handle.describe(), (d) => d.runId !== firstRun, { what: `${handle.workflowId} continuing as new`, timeoutMs: 120_000, intervalMs: 100 });
}

// -------------------------------------------------------------------------------------------------
// Observation: a whole period with every kind of message, a continue-as-new, a policy rollout

async function observation(run: Run): Promise<void> {
  const { env, db, config } = run;
  const enrolment = enrolmentService(db, env.client, config);
  const enrol = async (overrides: Parameters<typeof enrolmentRequest>[0] = {}) => {
    const now = await env.currentTimeMs();
    const input = await enrolment.record(enrolmentRequest({ anchorDate: localDate(now, OFFSET), ...overrides }), now);
    await enrolment.start(input);
    return { input, handle: env.client.workflow.getHandle(observationWorkflowId(input.number)) };
  };
  let request = 0;
  // As the API takes a report: the signal, and the line the observation clock's sweep reads.
  const report = async (input: ObservationInput, temperature: number, symptoms?: string[], period = periodOf(input)) => {
    const taken: TemperatureReport = { requestId: `rec-${++request}`, at: await env.currentTimeMs(), temperature, symptoms, source: 'person' };
    await env.client.workflow.getHandle(observationWorkflowId(input.number)).signal(reportSignal, taken);
    await reportLine(db, input, taken, period);
  };

  {
    // Reports, two misses in a row, a fever continued, a door opened, measures, an extension, release.
    const { input, handle } = await enrol({ devices: { doorSensorId: `DS-${uniqueTag()}` } });
    const firstRun = (await handle.describe()).runId;
    const slots = slotsOf(periodOf(input)).filter((s) => s.owed);
    for (const [i, slot] of slots.entries()) {
      await sleepUntil(env, slot.opensAt + 10 * MINUTE);
      if (i === 2 || i === 3) continue;
      if (i === 5) {
        await report(input, 38.4, ['cough']);
        const fever = (await handle.query(observationStateQuery)).escalations.find((e) => e.kind === 'fever')!;
        await handle.executeUpdate(decideHealthEscalationUpdate, { args: [{ escalationId: fever.id, decision: 'continue', by: 'supervisor-wang', note: 'tested negative' }] });
        continue;
      }
      if (i === 7) {
        await handle.signal(deviceEventSignal, { eventId: 'door-1', deviceId: 'DS-1', kind: 'door_opened', at: await env.currentTimeMs() });
        await handle.executeUpdate(takeMeasureUpdate, { args: [{ measure: 'warning_talk', by: 'worker-li', note: '约谈警告' }] });
      }
      if (i === 9) {
        for (const e of (await handle.query(observationStateQuery)).escalations.filter((x) => x.state === 'open')) {
          await handle.executeUpdate(acknowledgeEscalationUpdate, { args: [{ escalationId: e.id, by: 'worker-li' }] });
          await handle.executeUpdate(resolveEscalationUpdate, { args: [{ escalationId: e.id, by: 'worker-li', note: 'reached by phone' }] });
        }
      }
      if (i === 17) {
        await report(input, 36.5);
        const newAnchorDate = localDate(await env.currentTimeMs(), OFFSET);
        await handle.executeUpdate(extendUpdate, { args: [{ newAnchorDate, reason: 'a household member tested positive', by: 'worker-li' }] });
        // Report through to the new end.
        const extended = { ...periodOf(input), anchorDate: newAnchorDate };
        for (const later of slotsOf(extended).filter((s) => s.opensAt > slot.opensAt)) {
          await sleepUntil(env, later.opensAt + 10 * MINUTE);
          await report(input, 36.6, undefined, extended);
        }
        break;
      }
      await report(input, 36.5);
    }
    await handle.result();
    await save(run, 'observation', 'observation-period-with-every-message', handle);
    // Its first run, with the misses and the decisions (the period outgrows one run on the clock's history limit).
    if ((await handle.describe()).runId !== firstRun) await save(run, 'observation', 'observation-period-first-run', handle, firstRun);
    // The clock that reminded and swept for it (still running: its history so far).
    await save(run, 'observation', 'observation-clock', env.client.workflow.getHandle(observationClockId(config.temporal.taskQueue)));
  }

  {
    // Enough camera motion to continue as new; the next run takes a report and ends early.
    const { input, handle } = await enrol({ devices: { cameraId: `CAM-${uniqueTag()}` } });
    const [first] = slotsOf(periodOf(input)).filter((s) => s.owed);
    await sleepUntil(env, first.opensAt + 5 * MINUTE);
    await report(input, 36.8);
    const firstRun = (await handle.describe()).runId;
    const camera = async (i: number | string) => handle.signal(deviceEventSignal, { eventId: `cam-${i}`, deviceId: 'CAM-7', kind: 'camera_motion', at: await env.currentTimeMs() });
    // 300: the history limit of an observation on the clock (2,000 before it).
    await growHistory(handle, 300, camera, () => handle.query(observationStateQuery));
    await camera('last');
    await continuedAsNew(handle, firstRun);
    await handle.executeUpdate(endEarlyUpdate, { args: [{ reason: 'moved_away', by: 'worker-li', note: 'moved to another district' }] });
    await handle.result();
    await save(run, 'observation', 'observation-continued-as-new', handle, firstRun);
    await save(run, 'observation', 'observation-after-continue-as-new', handle);
  }

  {
    // A rollout moving a community's running observations to a new policy version.
    const community = `rollout-${uniqueTag()}`;
    const enrolled = [];
    for (let i = 0; i < 3; i++) enrolled.push(await enrol({ address: { subdistrict: 'XYL', community, building: '1', unit: '1' } }));
    const policy = enrolled[0].input.policy;
    const policyId = `C-record-${uniqueTag()}`;
    await db.query(`INSERT INTO observation_policy (id, category, version, effective_from, rules) VALUES ($1, 'C', $2, '2099-01-01', $3)`, [
      policyId,
      1000 + Math.floor(Math.random() * 1e6),
      JSON.stringify({ ...policy.rules, periodDays: 10 }),
    ]);
    const handle = await env.client.workflow.start(policyRolloutWorkflow, { workflowId: `policy-rollout-${policyId}`, taskQueue: config.temporal.taskQueue, args: [{ policyId, by: 'supervisor-wang', community }] });
    await handle.result();
    await save(run, 'observation', 'policy-rollout-community', handle);
    for (const { handle: h } of enrolled) await h.terminate('recorded');
  }
}

// -------------------------------------------------------------------------------------------------
// Transfer: a run with a no-show, a refusal sent as a key-person transfer, a breakdown re-planned

async function transfer(run: Run): Promise<void> {
  const { env, db, config } = run;
  const runs = transferRunStarter(db, env.client, config);
  const state = (runId: string) => env.client.workflow.getHandle(transferRunWorkflowId(runId)).query(runStateQuery);
  const waitFor = (runId: string, ready: (view: RunView) => boolean) => eventually(() => state(runId), ready, { what: `run ${runId}`, timeoutMs: 60_000, intervalMs: 50 });
  const trip = (runId: string, tripId: string) => env.client.workflow.getHandle(transferTripWorkflowId(runId, tripId));
  const now = await env.currentTimeMs();
  const registry = await registerResources(db, communityVans(3));
  const travellers = Array.from({ length: 8 }, () => manifestRow(registry.destination('community-1'), true, now - 10 * MINUTE));
  const started = await runs.start(
    { sortingPointId: registry.sortingPointId, vehicleIds: registry.vehicleIds, escortIds: registry.escortIds, travellers, dispatcher: 'dispatcher-zhao', supervisor: 'supervisor-wang', dispatch: true },
    now,
  );
  const { runId } = started;
  const [first, second] = started.plan.trips;
  await waitFor(runId, (v) => v.trips.filter((t) => t.leg === 'dispatched').length === 2);

  // trip-01: one no-show, one refusal, the others taken home.
  const [absent, refusing, ...boarding] = first.travellerIds;
  await trip(runId, first.tripId).executeUpdate(noShowUpdate, { args: [{ travellerId: absent, by: 'escort', note: 'not at the sorting point' }] });
  await trip(runId, first.tripId).executeUpdate(refuseUpdate, { args: [{ travellerIds: [refusing], by: 'escort', note: 'refuses to go by bus' }] });
  for (const id of boarding) await trip(runId, first.tripId).executeUpdate(boardUpdate, { args: [{ travellerId: id, by: 'escort' }] });
  await driveTrip(env.client, runId, first.tripId);

  // trip-02 breaks down on the way: its people are re-planned onto another vehicle.
  await driveTrip(env.client, runId, second.tripId, { stopAfter: 'departed' });
  await trip(runId, second.tripId).executeUpdate(breakdownUpdate, { args: [{ by: 'escort', note: 'engine failure' }] });

  let view = await waitFor(runId, (v) => v.exceptions.some((e) => e.kind === 'refusal') && v.exceptions.some((e) => e.kind === 'no_show') && v.exceptions.some((e) => e.kind === 'breakdown'));
  const noShow = view.exceptions.find((e) => e.kind === 'no_show')!;
  const refusal = view.exceptions.find((e) => e.kind === 'refusal')!;
  await env.client.workflow.getHandle(transferRunWorkflowId(runId)).executeUpdate(decideExceptionUpdate, { args: [{ exceptionId: noShow.id, decision: 'close', closedAs: 'did_not_arrive', by: 'supervisor-wang' }] });
  const meetingAt = (await env.currentTimeMs()) + 3 * HOUR;
  await env.client.workflow.getHandle(transferRunWorkflowId(runId)).executeUpdate(decideExceptionUpdate, {
    args: [{ exceptionId: refusal.id, decision: 'key_person_transfer', meeting: { point: 'G4 provincial checkpoint', at: meetingAt }, by: 'supervisor-wang' }],
  });

  // Drive every trip as it is dispatched, the rescue and the key-person trip included.
  const driven = new Set([first.tripId, second.tripId]);
  for (;;) {
    view = await state(runId);
    const ready = view.trips.filter((t) => t.leg === 'dispatched' && !driven.has(t.tripId));
    for (const t of ready) {
      await driveTrip(env.client, runId, t.tripId);
      driven.add(t.tripId);
    }
    if (ready.length) continue;
    const planned = view.trips.filter((t) => t.leg === 'planned');
    if (!planned.length) break;
    await sleepUntil(env, Math.min(...planned.map((t) => dispatchAt(t))) + MINUTE);
  }
  const handle = env.client.workflow.getHandle(transferRunWorkflowId(runId));
  await handle.result();
  await save(run, 'transfer', 'transfer-run-no-show-refusal-breakdown', handle);
  view = await state(runId).catch(() => view);
  await save(run, 'transfer', 'transfer-trip-no-show-refusal-handed-over', trip(runId, first.tripId));
  await save(run, 'transfer', 'transfer-trip-broken-down', trip(runId, second.tripId));
  const keyTrip = [...driven].find((id) => id !== first.tripId && id !== second.tripId && view.trips.find((t) => t.tripId === id)?.meeting)!;
  await save(run, 'transfer', 'transfer-trip-key-person-meeting-point', trip(runId, keyTrip));
}

// -------------------------------------------------------------------------------------------------
// Roster: a day's three shifts (a no-show covered, the hand-over chain), a continue-as-new, the daily roll-forward

async function roster(run: Run): Promise<void> {
  const { env, db, config } = run;
  const services = rosterServices(db, env.client, config);
  const handle = (shiftId: string) => env.client.workflow.getHandle(shiftWorkflowId(shiftId));
  const { shifts, backup } = await checkpointDay(db, services, await env.currentTimeMs());
  const [night, day, evening] = shifts;
  const grace = DEFAULT_SHIFT_TIMING.graceMinutes * MINUTE;
  const offered = (shiftId: string) => eventually(() => handle(shiftId).query(shiftStateQuery), (s) => Boolean(s.received), { what: `offer to ${shiftId}`, timeoutMs: 20_000, intervalMs: 50 });

  // A roster's change the evening shift is told of, and taken back: reassigned away and back before it starts.
  await handle(evening.id).executeUpdate(reassignUpdate, { args: [{ staffId: backup, by: 'supervisor-zhao', reason: 'roster re-planned' }] });
  await handle(evening.id).executeUpdate(reassignUpdate, { args: [{ staffId: evening.staff_id, by: 'supervisor-zhao', reason: 'roster re-planned again' }] });
  await sleepUntil(env, night.start_at.getTime() - 5 * MINUTE);
  await handle(night.id).executeUpdate(checkInUpdate, { args: [{ staffId: night.staff_id }] });
  await sleepUntil(env, night.start_at.getTime() + 3 * HOUR);
  await handle(night.id).executeUpdate(logIncidentUpdate, { args: [{ incidentId: 'inc-1', by: night.staff_id, kind: 'refused_check', description: 'a driver refused a temperature check' }] });
  await sleepUntil(env, night.end_at.getTime() - 10 * MINUTE);
  await handle(night.id).executeUpdate(submitHandoverUpdate, { args: [{ by: night.staff_id, note: 'quiet night, 12 vehicles checked' }] });
  // The day shift does not come: backup called, supervisor told, the backup covers 50 minutes in.
  await sleepUntil(env, day.start_at.getTime() + grace + DEFAULT_SHIFT_TIMING.supervisorAfterMinutes * MINUTE + MINUTE);
  await sleepUntil(env, day.start_at.getTime() + 50 * MINUTE);
  await handle(day.id).executeUpdate(checkInUpdate, { args: [{ staffId: backup }] });
  await offered(day.id);
  await handle(day.id).executeUpdate(acknowledgeHandoverUpdate, { args: [{ by: backup }] });
  await sleepUntil(env, day.end_at.getTime() - 10 * MINUTE);
  await handle(day.id).executeUpdate(submitHandoverUpdate, { args: [{ by: backup, note: 'covered the day shift' }] });
  await sleepUntil(env, evening.start_at.getTime() - 5 * MINUTE);
  await handle(evening.id).executeUpdate(checkInUpdate, { args: [{ staffId: evening.staff_id }] });
  await offered(evening.id);
  await handle(evening.id).executeUpdate(acknowledgeHandoverUpdate, { args: [{ by: evening.staff_id }] });
  // Offers repeated by the outgoing shift (each ignored) enough to continue as new, at the next pass an
  // incident wakes; the next run closes the seat at its end, with no incoming shift.
  const firstRun = (await handle(evening.id).describe()).runId;
  const offer = { fromShiftId: day.id, by: backup, note: 'covered the day shift', at: await env.currentTimeMs() };
  // An update's task starts two events on, a signal's three: grown one further, the incident's pass is past the limit.
  await growHistory(handle(evening.id), 2_001, () => handle(evening.id).signal(handoverOfferedSignal, offer), () => handle(evening.id).query(shiftStateQuery));
  await handle(evening.id).executeUpdate(logIncidentUpdate, { args: [{ incidentId: 'inc-2', by: evening.staff_id, kind: 'refused_check', description: 'a van refused a temperature check' }] });
  await continuedAsNew(handle(evening.id), firstRun);
  await sleepUntil(env, evening.end_at.getTime() + MINUTE);
  for (const shift of shifts) await handle(shift.id).result();
  await save(run, 'roster', 'shift-checked-in-incident-handed-over', handle(night.id));
  await save(run, 'roster', 'shift-no-show-covered-by-backup', handle(day.id));
  await save(run, 'roster', 'shift-continued-as-new', handle(evening.id), firstRun);
  await save(run, 'roster', 'shift-after-continue-as-new-closes-seat', handle(evening.id));

  // The daily roll-forward over a post with an unfilled seat: started, the gap flagged, the report written.
  const gapTag = uniqueTag();
  const gapPost = `gate-${gapTag}`;
  await insertPost(db, { id: gapPost, kind: 'community_gate', jurisdiction: `community-${gapTag}`, requirements: { peace: [{ skill: `gate-${gapTag}`, headcount: 1 }], war: [] }, supervisor: `sup-${gapTag}`, onCall: [] });
  await insertStaff(db, { id: `g-${gapTag}`, skills: [`gate-${gapTag}`] });
  const later = await env.currentTimeMs();
  const from = addDays(localDate(later, OFFSET), 1);
  const gapPlan = await services.planning.whenSolved((await services.planning.createPlan({ from, to: addDays(from, 1), postIds: [gapPost], by: 'supervisor-zhao' }, later)).id);
  // Publishing starts the shifts of the next 48 h; half a day later the roll-forward starts the rest.
  await services.planning.publish(gapPlan.id, 'supervisor-zhao', later);
  await env.sleep(12 * HOUR);
  const daily = await env.client.workflow.start(rosterDailyWorkflow, { workflowId: `roster-daily-${gapTag}`, taskQueue: config.temporal.taskQueue, args: [{ utcOffsetMinutes: OFFSET }] });
  await daily.result();
  await save(run, 'roster', 'roster-daily-starts-flags-reports', daily);
}

// -------------------------------------------------------------------------------------------------
// Guard posted: the ladder's second step, then the guard lifted or the observation ended

async function guardPosted(run: Run): Promise<void> {
  const { env, db, config } = run;
  const enrolment = enrolmentService(db, env.client, config);
  for (const ending of ['ended', 'lifted-then-ended'] as const) {
    const community = `guarded-${uniqueTag()}`;
    for (let i = 0; i < 4; i++) await insertStaff(db, { id: `guard-${i}-${uniqueTag()}`, skills: ['guard'], role: 'guard', homeCommunity: community });
    const now = await env.currentTimeMs();
    const request = enrolmentRequest({ anchorDate: localDate(now, OFFSET) });
    const input = await enrolment.record({ ...request, address: { ...request.address, community } }, now);
    await enrolment.start(input);
    const handle = env.client.workflow.getHandle(observationWorkflowId(input.number));
    await handle.executeUpdate(takeMeasureUpdate, { args: [{ measure: 'warning_talk', by: 'worker-li' }] });
    await handle.executeUpdate(takeMeasureUpdate, { args: [{ measure: 'guard_posted', by: 'supervisor-wang' }] });
    await env.sleep(HOUR);
    if (ending === 'lifted-then-ended') await handle.executeUpdate(liftGuardUpdate, { args: [{ by: 'supervisor-wang', note: 'cooperates now' }] });
    await handle.executeUpdate(endEarlyUpdate, { args: [{ reason: 'moved_away', by: 'supervisor-wang' }] });
    await handle.result();
    await save(run, 'observation', `observation-guard-posted-${ending}`, handle);
  }
}

const FAMILIES: Record<string, (run: Run) => Promise<void>> = { observation, transfer, roster, guard: guardPosted };

/** Runs `work` with servers, a worker and a database of its own, stopping them all after. */
async function withServers(work: (stops: Array<() => Promise<unknown>>) => Promise<void>): Promise<void> {
  const stops: Array<() => Promise<unknown>> = [];
  try {
    await work(stops);
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

async function main(families: string[]): Promise<void> {
  const unknown = families.filter((f) => !FAMILIES[f]);
  if (unknown.length) throw new Error(`unknown family ${unknown.join(', ')}: choose from ${Object.keys(FAMILIES).join(', ')}`);
  const commit = recordedCommit();
  process.env.WORKER_LOG_LEVEL ||= 'WARN';
  // Before the test environment installs the SDK's runtime with its own (INFO) logger.
  installRuntimeOnce();
  await withServers(async (stops) => {
    await globalSetup();
    stops.push(globalTeardown);
    const base = testConfig();
    const db = await createDataSource(base.databaseUrl!).initialize();
    stops.push(() => db.destroy());
    // A time-skipping server per family: one family's skipped clock does not run into another's workflows.
    for (const family of families) {
      await withServers(async (ownStops) => {
        const env = await createTimeSkippingEnvironment();
        ownStops.push(() => env.teardown());
        // The worker's own client (a hand-over home starts an observation, a rollout updates them) must reach this server too.
        const config: AppConfig = { ...base, temporal: { ...base.temporal, address: env.address } };
        const worker = await startWorker(config, { connection: env.nativeConnection });
        ownStops.push(() => worker.shutdown());
        await FAMILIES[family]({ env, db, config, codec: new AesGcmPayloadCodec(config.temporal.payloadKeys!), commit });
      });
    }
  });
}

void main(process.argv.length > 2 ? process.argv.slice(2) : Object.keys(FAMILIES)).then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
