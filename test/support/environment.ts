import { TestWorkflowEnvironment } from '@temporalio/testing';
import { randomUUID } from 'node:crypto';
import { AppConfig, loadConfig } from '../../libs/config/config';
import { dataConverterFor, registerSearchAttributes } from '../../libs/temporal/connection';

/** The configuration a test's worker and API use: the run's servers, a task queue of the test's own. */
export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  const config = loadConfig(process.env);
  return {
    ...config,
    ...overrides,
    temporal: { ...config.temporal, taskQueue: `test-${randomUUID()}`, ...overrides.temporal },
  };
}

/** Temporal's in-memory test server with time skipping, from the project's own launcher; its client encrypts like the worker. */
export async function createTimeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  const path = process.env.TEMPORAL_TEST_SERVER;
  if (!path) throw new Error('TEMPORAL_TEST_SERVER is not set: run the tests through `npm test` (global setup provides it)');
  const env = await startTimeSkipping(path);
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

/**
 * sdk-core gives the Java test server a fixed 5 s to start listening; on two busy shared cores its JVM
 * sometimes needs longer, so a start that timed out is tried again (any other failure is not).
 */
async function startTimeSkipping(path: string, attempts = 3): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path } },
        client: { dataConverter: dataConverterFor(loadConfig(process.env).temporal) },
      });
    } catch (error) {
      if (attempt >= attempts || !/did not start within/.test(String((error as Error)?.message))) throw error;
    }
  }
}
