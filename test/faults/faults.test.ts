/**
 * Fault tests with servers of the test's own, so they can be killed and restarted: an embedded
 * PostgreSQL, a Temporal dev server on a SQLite file, and the worker as a separate process.
 */
import { INestApplication } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Http, signIn, supervisorHttp } from '../support/auth';
import { DataSource } from 'typeorm';
import { createApi } from '../../apps/api/api';
import { releasedWithNotice, startObservationsDueAt } from '../../bench/observation-bench';
import { nodeEntry, PROJECT_ROOT } from '../../libs/config/checkout';
import { AppConfig, loadConfig } from '../../libs/config/config';
import { createDataSource, runMigrations } from '../../libs/persistence/data-source';
import { EmbeddedDatabase, newDatabasePassword, startEmbeddedPostgres } from '../../libs/persistence/embedded-postgres';
import { appRoleUrl } from '../../libs/persistence/app-role';
import { RECONCILE_GRACE_SECONDS } from '../../activities/system/reconciler.activities';
import { connectClient } from '../../libs/temporal/connection';
import { workflowState } from '../../libs/temporal/start-once';
import { DevServer, freePort, startDevServer } from '../../libs/temporal/dev-server';
import { prepareWorkerLaunch, spawnWorkerProcess, WorkerLaunch } from '../../libs/temporal/worker-launch';
import { deviceEventSignal, observationStateQuery, observationWorkflowId } from '../../workflows/observation/observation.messages';
import type { ReconcilerOutcome } from '../../workflows/system/reconciler.workflow';
import { transferRunWorkflowId } from '../../workflows/transfer/transfer.messages';
import { ALL_DAY_RULES, DEFAULT_RULES } from '../../workflows/observation/observation-policy';
import { MINUTE, localDate } from '../../libs/domain/local-time';
import { answered, eventually } from '../support/eventually';
import { makeLedgerFile, makeLedgerRecords } from '../support/ledger-fixtures';
import { enrolmentRequest, freshResidentId } from '../support/observation-fixtures';
import { manifestRow, registerResources } from '../transfer/transfer-fixtures';

jest.setTimeout(300_000);

/** The reconciler's period here (the worker process creates its schedule at start). */
const RECONCILE_SECONDS = 10;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Recovery after a fault takes a while: poll gently, wait long. */
const PATIENTLY = { timeoutMs: 90_000, intervalMs: 500 };

describe('faults: worker killed, PostgreSQL and Temporal stopped, duplicate requests', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epi-ops-faults-'));
  let pgPort: number;
  let pg: EmbeddedDatabase;
  let temporal: DevServer;
  let temporalPort: number;
  let config: AppConfig;
  let env: NodeJS.ProcessEnv;
  let worker: ChildProcess | undefined;
  let launch: WorkerLaunch;
  let api: INestApplication;
  let http: Http;
  let db: DataSource;
  let client: Client;

  const startTemporal = () => startDevServer({ cli: process.env.TEMPORAL_CLI!, port: temporalPort, dbFile: path.join(dir, 'temporal.sqlite') });
  const pgPassword = newDatabasePassword();
  const startPostgres = () => startEmbeddedPostgres({ dir: path.join(dir, 'db'), port: pgPort, password: pgPassword });

  /** As `npm start` runs it: on the bundle made ahead, with its heap limit. */
  function startWorkerProcess(): ChildProcess {
    return spawnWorkerProcess(launch, env, { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  async function stopWorkerProcess(signal: NodeJS.Signals) {
    const child = worker!;
    worker = undefined;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
  const healthy = () => answered(() => http.get('/health'), 'health 200', { ...PATIENTLY, timeoutMs: 120_000 });

  beforeAll(async () => {
    fs.chmodSync(dir, 0o755); // as root the server runs as user postgres, which must reach its data folder
    pgPort = await freePort();
    temporalPort = await freePort();
    pg = await startPostgres();
    await runMigrations(pg.url);
    temporal = await startTemporal();
    // The API and worker as the application role, as everywhere; the test's own reads as the owner.
    env = { ...process.env, DATABASE_URL: await appRoleUrl(pg.url), DATABASE_OWNER_URL: pg.url, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_TASK_QUEUE: 'faults', EPI_RECONCILE_SECONDS: String(RECONCILE_SECONDS) };
    config = loadConfig(env);
    launch = await prepareWorkerLaunch(config, path.join(dir, 'workflow-bundle.js'));
    db = await createDataSource(pg.url, { poolSize: 4 }).initialize();
    // Reports accepted whenever the test runs: category B gets an all-day slot from today.
    await db.query(`INSERT INTO observation_policy (id, category, version, effective_from, rules) VALUES ('B-faults', 'B', 2, $1, $2)`, [
      localDate(Date.now(), 480),
      JSON.stringify(ALL_DAY_RULES),
    ]);
    api = await createApi(config);
    await api.init();
    http = await supervisorHttp(api);
    client = await connectClient(config.temporal);
    worker = startWorkerProcess();
    await healthy();
  });

  afterAll(async () => {
    if (worker) await stopWorkerProcess('SIGTERM');
    await api?.close();
    await client?.connection.close();
    await db?.destroy().catch(() => undefined);
    await temporal?.stop();
    await pg?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const enrol = (overrides: Record<string, unknown> = {}) => http.post('/persons').send({ ...enrolmentRequest({ category: 'B', anchorDate: localDate(Date.now(), 480) }), ...overrides });

  it('releases every observation exactly once when the worker is killed with SIGKILL during a release storm', async () => {
    const size = 100;
    const dueAt = Math.ceil((Date.now() + 25_000) / MINUTE) * MINUTE;
    await startObservationsDueAt(db, client, config, { size, dueAt, prefix: 'KILL', concurrency: 32 });
    await sleep(dueAt - Date.now() + 300);
    await stopWorkerProcess('SIGKILL');
    await sleep(2_000);
    worker = startWorkerProcess();
    await eventually(() => releasedWithNotice(db, 'KILL'), (n) => n === size, { ...PATIENTLY, what: 'all released', timeoutMs: 180_000 });
    const [{ releases, notices, distinct }] = await db.query(
      `SELECT (SELECT count(*)::int FROM tracking_log WHERE kind = 'release' AND observation_number LIKE 'KILL-%') AS releases,
              (SELECT count(*)::int FROM notification WHERE template = 'release_notice' AND observation_number LIKE 'KILL-%') AS notices,
              (SELECT count(DISTINCT observation_number)::int FROM tracking_log WHERE kind = 'release' AND observation_number LIKE 'KILL-%') AS distinct`,
    );
    expect({ releases, notices, distinct }).toEqual({ releases: size, notices: size, distinct: size });
    const completed = await eventually(async () => (await client.workflow.count(`WorkflowId STARTS_WITH 'observation-KILL-' AND ExecutionStatus = 'Completed'`)).count, (n) => n === size, { ...PATIENTLY, what: 'workflows completed' });
    expect(completed).toBe(size);
  });

  it('reminds each person once and escalates each missed report once when the worker is killed with SIGKILL as the clock reminds and as it sweeps', async () => {
    // Category C gets a slot of its own opening in a minute or two (local time), so the whole slot runs here.
    const local = (at: number) => new Date(at + 480 * MINUTE).toISOString().slice(11, 16);
    let opensAt = Math.ceil((Date.now() + 60_000) / MINUTE) * MINUTE + MINUTE;
    // A window may not cross local midnight: start after it.
    while (local(opensAt) > local(opensAt + 3 * MINUTE)) opensAt += MINUTE;
    const closesAt = opensAt + 2 * MINUTE;
    const deadline = closesAt + MINUTE;
    await http.post('/observation-policies').send({
      category: 'C',
      effectiveFrom: localDate(Date.now(), 480),
      rules: { ...DEFAULT_RULES, slots: [{ start: local(opensAt), end: local(closesAt) }], reminderMinutes: 0, graceMinutes: 1 },
    }).expect(201);
    const community = `clock-${freshResidentId().slice(-6)}`;
    const numbers: string[] = [];
    for (let i = 0; i < 60; i++) {
      const { body } = await enrol({ category: 'C', address: { ...enrolmentRequest().address, community } }).expect(201);
      numbers.push(body.observationNumber);
    }
    if (Date.now() > opensAt - 5_000) throw new Error('enrolling took past the slot opening; nothing tested');

    await sleep(opensAt - Date.now() + 300);
    await stopWorkerProcess('SIGKILL');
    await sleep(2_000);
    worker = startWorkerProcess();
    // The killed pass is retried (its heartbeat missed): everyone is reminded, once, while the slot is open.
    const reminderLines = async () => (await db.query(`SELECT count(*)::int AS n FROM tracking_log WHERE kind = 'reminder' AND observation_number = ANY($1)`, [numbers]))[0].n;
    await eventually(reminderLines, (n) => n === numbers.length, { ...PATIENTLY, what: 'every reminder written' });
    expect(Date.now()).toBeLessThan(closesAt);
    const reporters = numbers.slice(0, 40);
    for (const number of reporters) await http.post(`/observations/${number}/reports`).send({ temperature: 36.5, source: 'person' }).expect(201);

    await sleep(deadline - Date.now() + 300);
    await stopWorkerProcess('SIGKILL');
    await sleep(2_000);
    worker = startWorkerProcess();
    const missers = numbers.slice(40);
    const missed = () => db.query(`SELECT observation_number AS number, count(*)::int AS n FROM escalation WHERE kind = 'missed_report' AND observation_number = ANY($1) GROUP BY 1`, [numbers]);
    const escalated = await eventually(missed, (rows) => rows.length === missers.length, { ...PATIENTLY, what: 'every missed report escalated', timeoutMs: 180_000 });
    expect(escalated.map((r: { number: string; n: number }) => [r.number, r.n]).sort()).toEqual(missers.map((n) => [n, 1]).sort());
    const [reminded] = await db.query(
      `SELECT (SELECT count(*)::int FROM notification WHERE template = 'checkin_reminder' AND observation_number = ANY($1)) AS notices,
              (SELECT count(DISTINCT observation_number)::int FROM notification WHERE template = 'checkin_reminder' AND observation_number = ANY($1)) AS people,
              (SELECT count(*)::int FROM tracking_log WHERE kind = 'reminder' AND observation_number = ANY($1)) AS lines`,
      [numbers],
    );
    expect(reminded).toEqual({ notices: numbers.length, people: numbers.length, lines: numbers.length });
    // Escalations stay once, however long one waits for a late duplicate.
    await sleep(5_000);
    expect((await missed()).every((r: { n: number }) => r.n === 1)).toBe(true);
  }, 480_000);

  it('answers 503 naming PostgreSQL while it is stopped for 30 s, loses nothing, and recovers by itself', async () => {
    const { body } = await enrol().expect(201);
    const number = body.observationNumber;
    await eventually(() => db.query(`SELECT 1 FROM tracking_log WHERE observation_number = $1`, [number]), (r) => r.length > 0, { ...PATIENTLY, what: 'enrolled logged' });
    await db.destroy();
    await pg.stop();
    const stoppedAt = Date.now();

    const health = await http.get('/health').expect(503);
    expect(health.body.database).toMatchObject({ status: 'down' });
    const refused = await enrol().expect(503);
    expect(refused.body.detail).toMatch(/database unavailable/);
    // Workflows keep taking events; their PostgreSQL writes retry until the database is back.
    await client.workflow.getHandle(observationWorkflowId(number)).signal(deviceEventSignal, { eventId: 'during-outage', deviceId: 'CAM-1', kind: 'camera_motion', at: Date.now() });

    await sleep(Math.max(0, 30_000 - (Date.now() - stoppedAt)));
    pg = await startPostgres();
    db = await createDataSource(pg.url, { poolSize: 4 }).initialize();
    await healthy();
    await eventually(
      () => db.query(`SELECT 1 FROM tracking_log WHERE observation_number = $1 AND detail->>'eventId' = 'during-outage'`, [number]),
      (r) => r.length === 1,
      { ...PATIENTLY, what: 'event written after the outage' },
    );
    await http.post(`/observations/${number}/reports`).send({ temperature: 36.6 }).expect(201);
  });

  it('answers 503 naming Temporal while the dev server is down; workflows survive its restart on the SQLite file', async () => {
    const { body } = await enrol().expect(201);
    const number = body.observationNumber;
    await temporal.stop();
    const health = await http.get('/health').expect(503);
    expect(health.body.temporal).toMatchObject({ status: 'down' });
    // A fever must reach the workflow: refused, nothing recorded. A plain report is its line alone
    // (the observation clock reads it), so PostgreSQL is all it needs: taken.
    const refused = await http.post(`/observations/${number}/reports`).send({ temperature: 38.6 }).expect(503);
    expect(refused.body.detail).toMatch(/Temporal unavailable/);
    const reports = async () => (await db.query(`SELECT count(*)::int AS count FROM tracking_log WHERE observation_number = $1 AND kind = 'report'`, [number]))[0].count;
    expect(await reports()).toBe(0);
    await http.post(`/observations/${number}/reports`).send({ temperature: 36.6 }).expect(201);
    expect(await reports()).toBe(1);

    temporal = await startTemporal();
    await healthy();
    const state = await eventually(() => client.workflow.getHandle(observationWorkflowId(number)).query(observationStateQuery), (s) => s.status === 'active', { ...PATIENTLY, what: 'query after restart' });
    expect(state.number).toBe(number);
    await http.post(`/observations/${number}/reports`).send({ temperature: 36.6 }).expect(201);
  });

  it('gives one observation for 1,000 concurrent enrolments of the same ID number, and repeats of a request id create nothing twice', async () => {
    const documentNumber = freshResidentId();
    const responses = (await Promise.all(Array.from({ length: 1_000 }, () => enrol({ documentNumber })))).map((r) => r.status);
    expect(responses.filter((s) => s === 201)).toHaveLength(1);
    expect(responses.filter((s) => s === 409)).toHaveLength(999);
    const requestId = `dup-${Date.now()}`;
    const repeats = await Promise.all(Array.from({ length: 50 }, () => enrol({ requestId, documentNumber: freshResidentId() })));
    expect(new Set(repeats.map((r) => r.body.observationNumber)).size).toBe(1);
    const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM observation WHERE client_request_id = $1`, [requestId]);
    expect(count).toBe(1);
  });

  it('starts the workflow of every record whose start was lost while Temporal was down, by a retry or the reconciler within a period, never twice', async () => {
    const registry = await registerResources(db, {
      destinations: [{ destinationId: 'home', kind: 'community', name: '学院路社区', travelMinutes: 30 }],
      vehicles: [{ vehicleId: 'V1', seats: 4 }],
      escorts: [{ escortId: 'E1' }],
    });
    const run = { sortingPointId: registry.sortingPointId, dispatcher: '赵调度', supervisor: '王主任', vehicleIds: registry.vehicleIds, escortIds: registry.escortIds };
    const retried = { documentNumber: freshResidentId() };
    const orphan = { documentNumber: freshResidentId() };

    await temporal.stop();
    const lost = [await enrol(retried), await enrol(orphan), await http.post('/transfer-runs').send({ ...run, travellers: [manifestRow(registry.destination('home'), true, Date.now() - 5 * MINUTE)] })];
    expect(lost.map((r) => [r.status, r.body.detail])).toEqual(Array(3).fill([503, expect.stringMatching(/^Temporal unavailable/)]));
    // The records went in before the starts failed.
    const numberOf = async (d: { documentNumber: string }) =>
      (await db.query(`SELECT o.number FROM observation o JOIN person p ON p.id = o.person_id WHERE p.document_number = $1 AND o.status = 'active'`, [d.documentNumber]))[0].number as string;
    const [{ id: runId, created_at: recordedAt }] = await db.query(`SELECT id, created_at FROM transfer_run WHERE sorting_point_id = $1`, [registry.sortingPointId]);
    const ids = { retried: observationWorkflowId(await numberOf(retried)), orphan: observationWorkflowId(await numberOf(orphan)), run: transferRunWorkflowId(runId) };

    temporal = await startTemporal();
    await healthy();
    // A retry without a client request id is the 409 naming the open record, whose workflow runs
    // (started by the retry, or by the reconciler if the restart took longer than its grace).
    const again = await enrol(retried).expect(409);
    expect(observationWorkflowId(again.body.observationNumber)).toBe(ids.retried);
    expect(await workflowState(client, ids.retried)).toBe('running');

    // The others have no one to retry them: the reconciler starts them once they are older than its
    // grace, within one period of that.
    const dueBy = new Date(recordedAt).getTime() + (RECONCILE_GRACE_SECONDS + RECONCILE_SECONDS) * 1000;
    await eventually(() => Promise.all([workflowState(client, ids.orphan), workflowState(client, ids.run)]), (states) => states.every((s) => s === 'running'), {
      what: 'the reconciler starts the orphans',
      // + a period and a minute: the pass's own time and the server's catching up after its restart
      // (a clean-clone CI run, its cores shared, once took more than half a minute past the due time).
      timeoutMs: dueBy - Date.now() + RECONCILE_SECONDS * 1000 + 60_000,
    });
    await http.get(`/transfer-runs/${runId}`).expect(200);

    for (const workflowId of Object.values(ids)) expect((await client.workflow.count(`WorkflowId = '${workflowId}'`)).count).toBe(1);
    const reportedStarted = async () => {
      const started: string[] = [];
      for await (const pass of client.workflow.list({ query: `WorkflowType = 'reconcilerWorkflow' AND ExecutionStatus = 'Completed'` })) {
        const outcome: ReconcilerOutcome = await client.workflow.getHandle(pass.workflowId, pass.runId).result();
        started.push(...Object.values(outcome).flatMap((kind) => kind.started));
      }
      return started;
    };
    // A workflow runs from the moment its pass starts it; the pass reports it once all its kinds are
    // done (the run, recorded seconds after the enrolments, may fall to the next pass).
    const startedByReconciler = await eventually(reportedStarted, (started) => started.includes(ids.orphan) && started.includes(ids.run), { ...PATIENTLY, what: 'the passes that started the orphans completed' });
    expect(startedByReconciler).toEqual(expect.arrayContaining([ids.orphan, ids.run]));
    for (const workflowId of Object.values(ids)) expect(startedByReconciler.filter((id) => id === workflowId).length).toBeLessThanOrEqual(1);
  });

  describe('a ledger import with the API as a process of its own', () => {
    let apiProcess: ChildProcess | undefined;
    let apiUrl: string;
    let token: string;

    const startApiProcess = async () => {
      const port = await freePort();
      apiUrl = `http://127.0.0.1:${port}`;
      apiProcess = spawn(process.execPath, nodeEntry('apps/api/main'), {
        cwd: PROJECT_ROOT,
        env: { ...env, API_PORT: String(port), EPI_HTTP_LOG: '0' },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      await eventually(() => fetch(`${apiUrl}/health`).then((r) => r.status), (status) => status === 200, { ...PATIENTLY, what: 'the API process answers' });
    };
    const killApiProcess = async () => {
      const exited = new Promise((resolve) => apiProcess!.once('exit', resolve));
      apiProcess!.kill('SIGKILL');
      await exited;
      apiProcess = undefined;
    };
    const upload = async (file: Buffer) => {
      const form = new FormData();
      form.append('file', new Blob([file]), 'ledger.csv');
      const response = await fetch(`${apiUrl}/persons/import`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(202);
      return ((await response.json()) as { id: string }).id;
    };
    const job = async (id: string) => (await db.query(`SELECT state, total_rows, processed_rows, accepted, rejected, error FROM import_job WHERE id = $1`, [id]))[0];
    const ledger = (count: number, community: string) => makeLedgerFile(makeLedgerRecords(count, { seed: Date.now() % 100_000, anchorDate: localDate(Date.now(), 480), communities: [community] }), 'csv');

    beforeAll(async () => {
      token = await signIn(api, 'supervisor');
      await startApiProcess();
    });
    afterAll(async () => {
      if (apiProcess) await killApiProcess();
    });

    it('finishes a 2,000-row import after the API, then the worker, is killed in the middle of it, enrolling each person once', async () => {
      const community = `import-kill-${Date.now()}`;
      const id = await upload(await ledger(2_000, community));
      await eventually(() => job(id), (j) => j.processed_rows > 0, { ...PATIENTLY, what: 'rows being enrolled' });
      await killApiProcess();
      const atWorkerKill = await eventually(() => job(id), (j) => j.processed_rows >= 600 || j.state !== 'running', { ...PATIENTLY, what: 'rows being enrolled without the API' });
      expect(atWorkerKill).toMatchObject({ state: 'running' });
      await stopWorkerProcess('SIGKILL');
      worker = startWorkerProcess();

      const done = await eventually(() => job(id), (j) => j.state !== 'running', { ...PATIENTLY, what: 'the import done', timeoutMs: 240_000 });
      expect(done).toMatchObject({ state: 'done', total_rows: 2_000, processed_rows: 2_000, accepted: 2_000, rejected: 0, error: null });
      const [{ observations, people }] = await db.query(
        `SELECT count(*)::int AS observations, count(DISTINCT person_id)::int AS people FROM observation WHERE community = $1`,
        [community],
      );
      expect({ observations, people }).toEqual({ observations: 2_000, people: 2_000 });
      const [{ results }] = await db.query(`SELECT count(*)::int AS results FROM import_row WHERE job_id = $1 AND result->>'status' = 'accepted' AND record IS NULL`, [id]);
      expect(results).toBe(2_000);
      expect((await client.workflow.count(`EpiCommunity = '${community}'`)).count).toBe(2_000);
    });

    it('import-ledger shows an import to its end, and stops with the reason when it makes no progress', async () => {
      if (!apiProcess) await startApiProcess();
      const cli = (file: string, stallSeconds: number) =>
        new Promise<{ code: number | null; stderr: string }>((resolve) => {
          const child = spawn(process.execPath, [...nodeEntry('apps/cli/import-ledger'), file, '--api', apiUrl, '--stall-seconds', String(stallSeconds)], {
            cwd: PROJECT_ROOT,
            env: { ...process.env, EPI_TOKEN: token },
            stdio: ['ignore', 'ignore', 'pipe'],
          });
          let stderr = '';
          child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
          child.once('exit', (code) => resolve({ code, stderr }));
        });
      const file = (name: string) => path.join(dir, name);
      fs.writeFileSync(file('small.csv'), await ledger(50, `cli-${Date.now()}`));
      const shown = await cli(file('small.csv'), 120);
      expect(shown).toMatchObject({ code: 0, stderr: expect.stringMatching(/50\/50\s+accepted 50\s+rejected 0\s+in [\d.]+ s/) });

      await stopWorkerProcess('SIGTERM');
      fs.writeFileSync(file('stalled.csv'), await ledger(50, `cli-stalled-${Date.now()}`));
      const stalled = await cli(file('stalled.csv'), 5);
      worker = startWorkerProcess();
      expect(stalled.code).toBe(1);
      expect(stalled.stderr).toMatch(/\[import-ledger\] import [0-9a-f-]{36} made no progress for 5 s at 0\/50 rows\. Check that a worker and the database are up/);
      const id = /import ([0-9a-f-]{36}) made no progress/.exec(stalled.stderr)![1];
      await eventually(() => job(id), (j) => j.state === 'done', { ...PATIENTLY, what: 'the stalled import resumes with the worker' });
    });
  });
});
