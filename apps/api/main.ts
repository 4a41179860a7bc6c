import 'reflect-metadata';
import { loadConfigOrExit, requireMigrationUrl, requireJwtSecret, requirePayloadKeys } from '../../libs/config/config';
import { runMigrations } from '../../libs/persistence/data-source';
import { createApi } from './api';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  requirePayloadKeys(config);
  requireJwtSecret(config);
  await runMigrations(requireMigrationUrl(config));
  const app = await createApi(config);
  await app.listen(config.apiPort, '127.0.0.1');
  console.log(`[api] listening on http://127.0.0.1:${config.apiPort} (docs at /docs)`);
}

main().catch((error) => {
  console.error(`[api] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
