import 'reflect-metadata';
import { loadConfigOrExit, requireMigrationUrl, requirePayloadKeys, requireReportLinkKey } from '../../libs/config/config';
import { logLine } from '../../libs/nest/json-logger';
import { runMigrations } from '../../libs/persistence/data-source';
import { ensureSchedules } from '../../libs/temporal/schedules';
import { TEMPORAL_CLIENT } from '../../libs/temporal/temporal.module';
import { startWorker } from './worker';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  requirePayloadKeys(config);
  requireReportLinkKey(config); // reminders carry the report link
  await runMigrations(requireMigrationUrl(config));
  const running = await startWorker(config);
  const { taskQueue, address, namespace } = config.temporal;
  logLine('info', 'worker polling', { taskQueue, address, namespace });
  // The reconciler and the outbox relay come with every worker process; tests running a worker inside
  // Jest leave them out, since on the shared test database they would reach into other tests' records.
  const schedules = await ensureSchedules(running.app.get(TEMPORAL_CLIENT), config);
  logLine('info', 'schedules in place', { schedules });
  // The SDK's runtime shuts the worker down on SIGINT/SIGTERM, letting running tasks finish.
  await running.done;
}

main().catch((error) => {
  logLine('error', 'worker stopped', { error });
  process.exit(1);
});
