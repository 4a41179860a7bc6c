import { DefaultLogger, LogLevel, Runtime } from '@temporalio/worker';

let installed = false;

/**
 * The SDK runtime is process-wide and installable once; WORKER_LOG_LEVEL sets its verbosity
 * (default WARN). With a metrics port the SDK serves its Prometheus metrics (workflow and activity
 * counts and latencies, by task queue) on 127.0.0.1:<port>/metrics. A test environment may have
 * created the runtime already, and then it is kept: the result says whether this call installed it.
 */
export function installRuntimeOnce(options: { metricsPort?: number } = {}): boolean {
  if (installed) return false;
  installed = true;
  const level = (process.env.WORKER_LOG_LEVEL ?? 'WARN').toUpperCase() as LogLevel;
  const metrics = options.metricsPort ? { prometheus: { bindAddress: `127.0.0.1:${options.metricsPort}` } } : undefined;
  try {
    Runtime.install({ logger: new DefaultLogger(level), telemetryOptions: { metrics } });
    return true;
  } catch (error) {
    if ((error as Error).name !== 'IllegalStateError') throw error;
    return false;
  }
}
