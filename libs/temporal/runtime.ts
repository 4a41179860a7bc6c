import { DefaultLogger, LogLevel, Runtime } from '@temporalio/worker';

let installed = false;

/**
 * The SDK runtime is process-wide and installable once; WORKER_LOG_LEVEL sets its verbosity
 * (default WARN). A test environment may have created it already, and then it is kept.
 */
export function installRuntimeOnce(): void {
  if (installed) return;
  installed = true;
  const level = (process.env.WORKER_LOG_LEVEL ?? 'WARN').toUpperCase() as LogLevel;
  try {
    Runtime.install({ logger: new DefaultLogger(level) });
  } catch (error) {
    if ((error as Error).name !== 'IllegalStateError') throw error;
  }
}
