import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { temporalCli, testServer } from '../../scripts/tools';
import { appRoleUrl } from '../../libs/persistence/app-role';
import { runMigrations } from '../../libs/persistence/data-source';
import { newDatabasePassword, startEmbeddedPostgres } from '../../libs/persistence/embedded-postgres';
import { freePort, startDevServer } from '../../libs/temporal/dev-server';
import { newPayloadKeyEntry } from '../../libs/temporal/payload-codec';

/**
 * Real servers for the whole run, on free ports so a running system never collides with the tests:
 * an embedded PostgreSQL (or $TEST_DATABASE_URL, as its owner) and a Temporal dev server. The tests
 * and the apps they start connect as the application role (DATABASE_URL); DATABASE_OWNER_URL is the
 * owner's. Workflow tests start the time-skipping server themselves from $TEMPORAL_TEST_SERVER.
 * EPI_TEST_SERVERS=none skips all of this for a quick run of pure unit tests.
 */
export default async function globalSetup(): Promise<void> {
  // Every test runs with payload encryption on, as every deployment does.
  process.env.EPI_PAYLOAD_KEYS ||= newPayloadKeyEntry('test');
  // Logins are signed with a key of the run's own.
  process.env.EPI_JWT_SECRET ||= randomBytes(32).toString('base64');
  if (process.env.EPI_TEST_SERVERS === 'none') return;
  const started: Array<() => Promise<void>> = [];
  (globalThis as { __epiStop?: typeof started }).__epiStop = started;

  process.env.TEMPORAL_TEST_SERVER = testServer();
  process.env.TEMPORAL_CLI = temporalCli();

  let ownerUrl = process.env.TEST_DATABASE_URL;
  if (!ownerUrl) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epi-ops-test-pg-'));
    fs.chmodSync(dir, 0o755); // as root the server runs as user postgres, which must reach its data folder
    const database = await startEmbeddedPostgres({ dir: path.join(dir, 'db'), port: await freePort(), password: newDatabasePassword() });
    started.push(async () => {
      await database.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    ownerUrl = database.url;
  }
  // As in a deployment: the migrations run as the owner, the API and worker as the application role
  // (with $TEST_DATABASE_URL, that server's epi_ops_app gets a password of this run's own).
  await runMigrations(ownerUrl);
  process.env.DATABASE_OWNER_URL = ownerUrl;
  process.env.DATABASE_URL = await appRoleUrl(ownerUrl);

  const server = await startDevServer({ cli: process.env.TEMPORAL_CLI, port: await freePort() });
  started.push(server.stop);
  process.env.TEMPORAL_ADDRESS = server.address;
}
