/**
 * The worker's Temporal SDK metrics: served by the SDK's Prometheus exporter on the worker's metrics
 * port and appended to the API's /metrics. The SDK runtime is installable once per process (each
 * Jest test file has its own module registry, so its own runtime): this file installs it with the
 * metrics port before anything else can make one.
 */
import { INestApplication } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createApi } from '../../apps/api/api';
import { RunningWorker, startWorker } from '../../apps/worker/worker';
import { AppConfig } from '../../libs/config/config';
import { connectClient } from '../../libs/temporal/connection';
import { freePort } from '../../libs/temporal/dev-server';
import { installRuntimeOnce } from '../../libs/temporal/runtime';
import { systemProbeWorkflow } from '../../workflows/system/system-probe.workflow';
import { testConfig } from '../support/environment';

describe('worker SDK metrics in the API /metrics (dev server)', () => {
  let config: AppConfig;
  let skipped: string | undefined;
  let worker: RunningWorker | undefined;
  let api: INestApplication;
  let client: Client;

  beforeAll(async () => {
    const port = await freePort();
    config = testConfig({ workerMetricsPort: port, workerMetricsUrl: `http://127.0.0.1:${port}/metrics` });
    if (!installRuntimeOnce({ metricsPort: port })) {
      skipped = 'skipped: the Temporal SDK runtime already existed in this process, so no metrics port could be set';
      return;
    }
    worker = await startWorker(config);
    api = await createApi(config);
    await api.init();
    client = await connectClient(config.temporal);
  });

  afterAll(async () => {
    await client?.connection.close();
    await api?.close();
    await worker?.shutdown();
  });

  it('shows completed workflows and activity latency by task queue, and epi_worker_metrics_up 1', async () => {
    if (skipped) return console.warn(skipped);
    const { taskQueue } = config.temporal;
    await client.workflow.execute(systemProbeWorkflow, { workflowId: `system-probe-${randomUUID()}`, taskQueue, args: [{ requestedBy: 'metrics test' }] });

    const { text } = await request(api.getHttpServer()).get('/metrics').expect(200);
    expect(text).toMatch(new RegExp(`^temporal_workflow_completed\\{[^}]*task_queue="${taskQueue}"[^}]*\\} 1$`, 'm'));
    expect(text).toMatch(new RegExp(`^temporal_activity_execution_latency_count\\{[^}]*activity_type="recordProbe"[^}]*task_queue="${taskQueue}"[^}]*\\} 1$`, 'm'));
    expect(text).toMatch(/^epi_worker_metrics_up 1$/m);
    expect(text).toMatch(/^process_cpu_seconds_total/m); // the API's own metrics are still there
  });

  it('keeps answering with epi_worker_metrics_up 0 and the reason when the worker does not', async () => {
    if (skipped) return console.warn(skipped);
    const unreachable = await freePort();
    const lonely = await createApi(testConfig({ workerMetricsUrl: `http://127.0.0.1:${unreachable}/metrics` }));
    try {
      await lonely.init();
      const { text } = await request(lonely.getHttpServer()).get('/metrics').expect(200);
      expect(text).toMatch(/^# worker metrics unavailable: fetch failed: .*ECONNREFUSED/m);
      expect(text).toMatch(/^epi_worker_metrics_up 0$/m);
      expect(text).toMatch(/^process_cpu_seconds_total/m);
    } finally {
      await lonely.close();
    }
  });
});
