import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { supervisorHttp } from '../support/auth';
import { DataSource } from 'typeorm';
import { createApi } from '../../apps/api/api';
import { RunningWorker, startWorker } from '../../apps/worker/worker';
import { createDataSource } from '../../libs/persistence/data-source';
import { SystemProbeEntity } from '../../libs/persistence/entities';
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

  const bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'epi-bundle-'));
  let launch: WorkerLaunch;

  beforeAll(async () => {
    // As `npm start` runs it: the workflow bundle made ahead by its own process.
    launch = await prepareWorkerLaunch(config, path.join(bundleDir, 'workflow-bundle.js'));
    worker = await startWorker({ ...config, worker: { ...config.worker, workflowBundle: launch.env.WORKER_WORKFLOW_BUNDLE } });
    api = await createApi(config);
    await api.init();
    db = await createDataSource(config.databaseUrl!).initialize();
  });

  afterAll(async () => {
    await api?.close();
    await worker?.shutdown();
    await db?.destroy();
    fs.rmSync(bundleDir, { recursive: true, force: true });
  });

  it('launches the worker on a bundle made ahead, with a heap limit', () => {
    expect(fs.statSync(launch.env.WORKER_WORKFLOW_BUNDLE).size).toBeGreaterThan(100_000);
    expect(launch.nodeArgs).toEqual([`--max-old-space-size=${config.worker.maxHeapMiB}`]);
  });

  it('runs a workflow whose activity writes a row, and returns that row', async () => {
    const response = await (await supervisorHttp(api)).post('/system/probe').send({ requestedBy: 'jest' }).expect(201);
    expect(response.body.workflowId).toMatch(/^system-probe-/);
    const row = await db.getRepository(SystemProbeEntity).findOneByOrFail({ workflowId: response.body.workflowId });
    expect(row.requestedBy).toBe('jest');
    expect(row.workerIdentity).toBe(response.body.workerIdentity);
    expect(row.writtenAt.toISOString()).toBe(response.body.writtenAt);
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
