import { DefaultLogger, LogEntry, LogLevel, Runtime } from '@temporalio/worker';
import { logLine } from '../nest/json-logger';

let installed = false;

/**
 * An SDK log entry as the project's log line, at the entry's own time. Workflow and activity entries
 * carry workflowId, runId, workflowType, taskQueue (and activityId) in their metadata, so a line
 * finds its workflow.
 */
export function sdkLogLine(entry: LogEntry): void {
  logLine(entry.level.toLowerCase(), entry.message, entry.meta, new Date(Number(entry.timestampNanos / 1_000_000n)));
}

/**
 * The SDK runtime is process-wide and installable once; WORKER_LOG_LEVEL sets its verbosity
 * (default INFO: the workflows' own event lines; WARN under Jest). With a metrics port the SDK serves its Prometheus metrics (workflow and activity
 * counts and latencies, by task queue) on 127.0.0.1:<port>/metrics. A test environment may have
 * created the runtime already, and then it is kept: the result says whether this call installed it.
 */
export function installRuntimeOnce(options: { metricsPort?: number } = {}): boolean {
  if (installed) return false;
  installed = true;
  const level = (process.env.WORKER_LOG_LEVEL ?? (process.env.JEST_WORKER_ID ? 'WARN' : 'INFO')).toUpperCase() as LogLevel;
  const metrics = options.metricsPort ? { prometheus: { bindAddress: `127.0.0.1:${options.metricsPort}` } } : undefined;
  try {
    Runtime.install({ logger: new DefaultLogger(level, sdkLogLine), telemetryOptions: { metrics } });
    return true;
  } catch (error) {
    if ((error as Error).name !== 'IllegalStateError') throw error;
    return false;
  }
}
