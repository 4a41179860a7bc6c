import 'reflect-metadata';
import { loadConfigOrExit, requireMigrationUrl, requireJwtSecret, requirePayloadKeys } from '../../libs/config/config';
import { logLine } from '../../libs/nest/json-logger';
import { runMigrations } from '../../libs/persistence/data-source';
import { createApi } from './api';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  requirePayloadKeys(config);
  requireJwtSecret(config);
  await runMigrations(requireMigrationUrl(config));
  const app = await createApi(config);
  await app.listen(config.apiPort, '127.0.0.1');
  logLine('info', 'API listening', { url: `http://127.0.0.1:${config.apiPort}`, docs: `http://127.0.0.1:${config.apiPort}/docs` });
}

main().catch((error) => {
  logLine('error', 'API stopped', { error });
  process.exit(1);
});
