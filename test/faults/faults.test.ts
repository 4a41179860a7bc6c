/**
 * Fault tests with servers of the test's own, so they can be killed and restarted: an embedded
 * PostgreSQL, a Temporal dev server on a SQLite file, and the worker as a separate process.
 */
import { INestApplication } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Http, supervisorHttp } from '../support/auth';
import { DataSource } from 'typeorm';
import { createApi } from '../../apps/api/api';
import { releasedWithNotice, startObservationsDueAt } from '../../bench/observation-bench';
import { AppConfig, loadConfig } from '../../libs/config/config';
import { createDataSource, runMigrations } from '../../libs/persistence/data-source';
import { EmbeddedDatabase, newDatabasePassword, startEmbeddedPostgres } from '../../libs/persistence/embedded-postgres';
import { appRoleUrl } from '../../libs/persistence/app-role';
import { connectClient } from '../../libs/temporal/connection';
import { DevServer, freePort, startDevServer } from '../../libs/temporal/dev-server';
import { prepareWorkerLaunch, spawnWorkerProcess, WorkerLaunch } from '../../libs/temporal/worker-launch';
import { deviceEventSignal, observationStateQuery, observationWorkflowId } from '../../workflows/observation/observation.messages';
import { DEFAULT_RULES } from '../../workflows/observation/observation-policy';
import { localDate, MINUTE } from '../../workflows/observation/observation-schedule';
import { answered, eventually } from '../support/eventually';
import { enrolmentRequest, freshResidentId } from '../support/observation-fixtures';

jest.setTimeout(300_000);

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
    env = { ...process.env, DATABASE_URL: await appRoleUrl(pg.url), DATABASE_OWNER_URL: pg.url, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_TASK_QUEUE: 'faults' };
    config = loadConfig(env);
    launch = await prepareWorkerLaunch(config, path.join(dir, 'workflow-bundle.js'));
    db = await createDataSource(pg.url, { poolSize: 4 }).initialize();
    // Reports accepted whenever the test runs: category B gets an all-day slot from today.
    await db.query(`INSERT INTO observation_policy (id, category, version, effective_from, rules) VALUES ('B-faults', 'B', 2, $1, $2)`, [
      localDate(Date.now(), 480),
      JSON.stringify({ ...DEFAULT_RULES, slots: [{ start: '00:00', end: '23:59' }], graceMinutes: 0 }),
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
    expect(refused.body.message).toMatch(/database unavailable/);
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
    const refused = await http.post(`/observations/${number}/reports`).send({ temperature: 36.6 }).expect(503);
    expect(refused.body.message).toMatch(/Temporal unavailable/);
    const [{ count: before }] = await db.query(`SELECT count(*)::int AS count FROM tracking_log WHERE observation_number = $1 AND kind = 'report'`, [number]);
    expect(before).toBe(0);

    temporal = await startTemporal();
    await healthy();
    const state = await eventually(() => client.workflow.getHandle(observationWorkflowId(number)).query(observationStateQuery), (s) => s.status === 'active', { ...PATIENTLY, what: 'query after restart' });
    expect(state.number).toBe(number);
    await http.post(`/observations/${number}/reports`).send({ temperature: 36.6 }).expect(201);
  });

  it('gives one observation for 1,000 concurrent enrolments of the same ID number, and repeats of a client request id create nothing twice', async () => {
    const documentNumber = freshResidentId();
    const responses = (await Promise.all(Array.from({ length: 1_000 }, () => enrol({ documentNumber })))).map((r) => r.status);
    expect(responses.filter((s) => s === 201)).toHaveLength(1);
    expect(responses.filter((s) => s === 409)).toHaveLength(999);
    const clientRequestId = `dup-${Date.now()}`;
    const repeats = await Promise.all(Array.from({ length: 50 }, () => enrol({ clientRequestId, documentNumber: freshResidentId() })));
    expect(new Set(repeats.map((r) => r.body.observationNumber)).size).toBe(1);
    const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM observation WHERE client_request_id = $1`, [clientRequestId]);
    expect(count).toBe(1);
  });
});
