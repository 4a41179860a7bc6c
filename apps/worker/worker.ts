import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import { AppConfig } from '../../libs/config/config';
import { jsonLogger } from '../../libs/nest/json-logger';
import { connectWorker, workerDataConverter } from '../../libs/temporal/connection';
import { installRuntimeOnce } from '../../libs/temporal/runtime';
import { ensureObservationClock } from '../../libs/temporal/observation-clock';
import { TEMPORAL_CLIENT } from '../../libs/temporal/temporal.module';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../../libs/temporal/worker-launch';
import { ACTIVITY_CLASSES, WorkerModule } from './worker.module';

/** Every public method of each activity class, bound to its instance, keyed by method name. */
function bindActivities(app: INestApplicationContext): Record<string, (...args: unknown[]) => Promise<unknown>> {
  const activities: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const cls of ACTIVITY_CLASSES) {
    const instance = app.get(cls) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    for (const name of Object.getOwnPropertyNames(cls.prototype)) {
      if (name === 'constructor' || typeof instance[name] !== 'function') continue;
      if (activities[name]) throw new Error(`activity name ${name} is defined twice`);
      activities[name] = instance[name].bind(instance);
    }
  }
  return activities;
}

export interface RunningWorker {
  worker: Worker;
  app: INestApplicationContext;
  connection: NativeConnection;
  /** Resolves when the worker has stopped (after shutdown() or a fatal error). */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Creates the worker: Nest builds the activities; the workflow bundle is the one made ahead
 * (WORKER_WORKFLOW_BUNDLE), else made from `workflows/` at start.
 * Cache sizes: see README ("Worker memory").
 */
/**
 * `observationClock: false` (tests of one workflow's own timers with workers stopped and started)
 * leaves the task queue's observation clock to whoever runs it.
 */
export async function startWorker(config: AppConfig, overrides: Partial<WorkerOptions> = {}, { observationClock = true } = {}): Promise<RunningWorker> {
  installRuntimeOnce({ metricsPort: config.workerMetricsPort });
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: jsonLogger() });
  // A test's time-skipping environment brings its own connection, which it closes itself.
  const ownConnection = !overrides.connection;
  const connection = overrides.connection ?? (await connectWorker(config.temporal));
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...(config.worker.workflowBundle
      ? { workflowBundle: { codePath: config.worker.workflowBundle } }
      : { workflowsPath: WORKFLOWS_PATH, interceptors: { workflowModules: WORKFLOW_INTERCEPTOR_MODULES } }),
    activities: bindActivities(app),
    dataConverter: workerDataConverter(config.temporal),
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
    // Workflow code runs on one thread, so tasks taken beyond what it finishes within the 10 s task
    // timeout only wait inside the worker and time out there. At 100, a worker started after a crash
    // took every transfer workflow at once, each a full replay, and timed them out again and again
    // (README "Fault tests"). A task not yet taken waits on the server, where waiting costs nothing.
    // A task also holds its slot while its local activity writes, so at 10 a storm of writing tasks
    // (a midnight's releases) left the machine half idle; 20 (WORKER_WORKFLOW_TASK_SLOTS) keeps both.
    maxConcurrentWorkflowTaskExecutions: config.worker.workflowTaskSlots,
    maxConcurrentActivityTaskExecutions: 100,
    // The SDK's 10 s by default. In a storm of due timers most tasks time out on this worker's sticky
    // queue and go round again through the normal queue; 60 s measured a 3,000 storm 60 s → 39 s, but
    // also delays, after a crash, the tasks queued for the dead worker (README "Benchmarks").
    stickyQueueScheduleToStartTimeout: config.worker.stickyQueueTimeoutSeconds * 1000,
    ...overrides,
  });
  // The clock of this task queue's observations (reminders and missed-report sweeps once per slot).
  if (observationClock) await ensureObservationClock(app.get(TEMPORAL_CLIENT), config);
  const done = worker.run().finally(async () => {
    if (ownConnection) await connection.close().catch(() => undefined);
    await app.close();
  });
  return {
    worker,
    app,
    connection,
    done,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
