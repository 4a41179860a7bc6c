import { DefaultLogger, LogLevel, Runtime } from '@temporalio/worker';

let installed = false;

/** The SDK runtime is process-wide and installable once; WORKER_LOG_LEVEL sets its verbosity (default WARN). */
export function installRuntimeOnce(): void {
  if (installed) return;
  installed = true;
  const level = (process.env.WORKER_LOG_LEVEL ?? 'WARN').toUpperCase() as LogLevel;
  Runtime.install({ logger: new DefaultLogger(level) });
}
