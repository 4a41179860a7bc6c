/**
 * Workflow tests on Temporal's time-skipping test server, with the real worker and PostgreSQL.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkerOptions } from '@temporalio/worker';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../libs/persistence/data-source';
import { RunningWorker, startWorker } from '../../apps/worker/worker';
import type { AppConfig } from '../../libs/config/config';
import { createTimeSkippingEnvironment, testConfig } from './environment';

export interface TimeSkippingTest {
  env: TestWorkflowEnvironment;
  /** The test's configuration, its Temporal address the test server's. */
  config: AppConfig;
  /** The test's worker; a test that stops it and starts another puts that one here, for the end of the test. */
  worker?: RunningWorker;
  /** The file's connection to the test database, for its fixtures and checks. */
  db: DataSource;
}

/**
 * Each test of the file on a test server of its own (the server's clock has stayed locked after
 * earlier tests, and a later test's sleep over days then never ended), with a worker on it whose own
 * client reaches it too (activities start and signal workflows: shifts, runs, observations), and the
 * file's one connection to PostgreSQL. `ready` gets them before each test, for the file's own set-up.
 */
export function timeSkippingPerTest(ready: (test: TimeSkippingTest) => void, worker: Pick<WorkerOptions, 'interceptors'> = {}): void {
  let db: DataSource | undefined;
  let current: Partial<TimeSkippingTest> = {};
  beforeAll(async () => {
    db = await createDataSource(testConfig().databaseUrl!).initialize();
  });
  afterAll(async () => {
    await db?.destroy();
  });
  beforeEach(async () => {
    const env = await createTimeSkippingEnvironment();
    const base = testConfig();
    const config = { ...base, temporal: { ...base.temporal, address: env.address } };
    current = { env, config, db, worker: await startWorker(config, { connection: env.nativeConnection, ...worker }) };
    ready(current as TimeSkippingTest);
  });
  afterEach(async () => {
    await current.worker?.shutdown();
    await current.env?.teardown();
  });
}

/** Advances the test server's clock to `at` (epoch ms); nothing when it is there already. */
export async function sleepUntil(env: TestWorkflowEnvironment, at: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (at > now) await env.sleep(at - now);
}
