import { INestApplication } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { supervisorHttp } from '../support/auth';
import { DataSource } from 'typeorm';
import { createApi } from '../../apps/api/api';
import { RunningWorker, startWorker } from '../../apps/worker/worker';
import { PROBE_RESULT_WAIT_MS } from '../../apps/api/system/system.controller';
import { createDataSource } from '../../libs/persistence/data-source';
import { connectClient } from '../../libs/temporal/connection';
import { prepareWorkerLaunch, WorkerLaunch } from '../../libs/temporal/worker-launch';
import { testConfig } from '../support/environment';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

describe('API → Temporal → worker → PostgreSQL (dev server, embedded PostgreSQL)', () => {
  const config = testConfig();
  let worker: RunningWorker;
  let api: INestApplication;
  let db: DataSource;
  let client: Client;

  const bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'epi-bundle-'));
  let launch: WorkerLaunch;

  beforeAll(async () => {
    // As `npm start` runs it: the workflow bundle made ahead by its own process.
    launch = await prepareWorkerLaunch(config, path.join(bundleDir, 'workflow-bundle.js'));
    worker = await startWorker({ ...config, worker: { ...config.worker, workflowBundle: launch.env.WORKER_WORKFLOW_BUNDLE } });
    api = await createApi(config);
    await api.init();
    db = await createDataSource(config.databaseUrl!).initialize();
    client = await connectClient(config.temporal);
  });

  afterAll(async () => {
    await api?.close();
    await worker?.shutdown();
    await db?.destroy();
    await client?.connection.close();
    fs.rmSync(bundleDir, { recursive: true, force: true });
  });

  it('launches the worker on a bundle made ahead, with a heap limit', () => {
    expect(fs.statSync(launch.env.WORKER_WORKFLOW_BUNDLE).size).toBeGreaterThan(100_000);
    expect(launch.nodeArgs).toEqual([`--max-old-space-size=${config.worker.maxHeapMiB}`]);
  });

  it('bundles the bench’s baseline workflows only into the bench’s bundle', async () => {
    const production = fs.readFileSync(launch.env.WORKER_WORKFLOW_BUNDLE, 'utf8');
    expect(production).toContain('observationWorkflow');
    expect(production).not.toContain('baselineNoopWorkflow');
    const bench = await prepareWorkerLaunch(config, path.join(bundleDir, 'bench-bundle.js'), require.resolve('../../bench/workflows'));
    const benchCode = fs.readFileSync(bench.env.WORKER_WORKFLOW_BUNDLE, 'utf8');
    expect(benchCode).toContain('observationWorkflow');
    expect(benchCode).toContain('baselineNoopWorkflow');
  });

  it('runs a workflow whose activity writes a row, and returns that row', async () => {
    const response = await (await supervisorHttp(api)).post('/system/probe').send({ requestedBy: 'jest' }).expect(201);
    expect(response.body.workflowId).toMatch(/^system-probe-/);
    const [row] = await db.query(`SELECT requested_by AS "requestedBy", worker_identity AS "workerIdentity", written_at AS "writtenAt" FROM system_probe WHERE workflow_id = $1`, [
      response.body.workflowId,
    ]);
    expect(row.requestedBy).toBe('jest');
    expect(row.workerIdentity).toBe(response.body.workerIdentity);
    expect(row.writtenAt.toISOString()).toBe(response.body.writtenAt);
  });

  it('answers a probe’s result, not any other workflow’s, and does not wait past its time limit', async () => {
    const http = await supervisorHttp(api);
    const done = await http.post('/system/probe').send({ requestedBy: 'jest' }).expect(201);
    const again = await http.get(`/system/probe/${done.body.workflowId}`).expect(200);
    expect(again.body).toEqual(done.body);
    // Nobody polls these task queues: the workflows run until terminated.
    const idle = `idle-${randomUUID()}`;
    const other = await client.workflow.start('someOtherWorkflow', { workflowId: `observation-${randomUUID()}`, taskQueue: idle });
    const disguised = await client.workflow.start('someOtherWorkflow', { workflowId: `system-probe-${randomUUID()}`, taskQueue: idle });
    const stuck = await client.workflow.start('systemProbeWorkflow', { workflowId: `system-probe-${randomUUID()}`, taskQueue: idle, args: [{ requestedBy: 'jest' }] });
    try {
      for (const id of [other.workflowId, disguised.workflowId, `system-probe-${randomUUID()}`]) {
        const refused = await http.get(`/system/probe/${id}`).expect(404);
        expect(refused.body.detail).toBe(`system probe ${id} not found`);
      }
      const started = Date.now();
      const running = await http.get(`/system/probe/${stuck.workflowId}`).expect(202);
      expect(running.body).toEqual({ workflowId: stuck.workflowId, status: 'running' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(PROBE_RESULT_WAIT_MS - 100);
      expect(Date.now() - started).toBeLessThan(PROBE_RESULT_WAIT_MS + 5_000);
    } finally {
      for (const handle of [other, disguised, stuck]) await handle.terminate('test over');
    }
  });

  it('rejects a probe without requestedBy, naming the field', async () => {
    const response = await (await supervisorHttp(api)).post('/system/probe').send({}).expect(422);
    expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'requestedBy' })]));
  });

  it('reports Temporal, PostgreSQL and the worker up', async () => {
    const response = await request(api.getHttpServer()).get('/health').expect(200);
    expect(response.body).toMatchObject({ status: 'ok', temporal: { status: 'up' }, database: { status: 'up' }, worker: { status: 'up' } });
  });

  it('serves its OpenAPI document', async () => {
    const response = await request(api.getHttpServer()).get('/docs-json').expect(200);
    expect(response.body.paths).toHaveProperty('/health');
  });
});
