/**
 * Command 1: starts the whole system on the embedded defaults — Temporal dev server (SQLite file,
 * Web UI), embedded PostgreSQL, migrations, the worker and the API — and prints where they are.
 * TEMPORAL_ADDRESS or DATABASE_URL point at existing servers instead. It supervises the worker and
 * the API: one that exits is restarted (apps/cli/supervisor.ts); everything stops on Ctrl-C, or when
 * one keeps failing at start. Data stays under EPI_DATA_DIR (default ./data) for the next start, and
 * so do the development secrets (payload keys, the database superuser's password) under data/secrets
 * unless they are given in the environment. `npm start` runs it from the build (dist/apps/cli/start.js),
 * and it runs the worker and the API the same way (libs/config/checkout.ts).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nodeEntry, projectTools } from '../../libs/config/checkout';
import { loadConfigOrExit } from '../../libs/config/config';
import { appRoleUrl } from '../../libs/persistence/app-role';
import { runMigrations } from '../../libs/persistence/data-source';
import { newDatabasePassword, startEmbeddedPostgres } from '../../libs/persistence/embedded-postgres';
import { freePort, startDevServer } from '../../libs/temporal/dev-server';
import { newPayloadKeyEntry } from '../../libs/temporal/payload-codec';
import { prepareWorkerLaunch } from '../../libs/temporal/worker-launch';
import { commandLine } from './command-line';
import { supervise } from './supervisor';

commandLine('start', {
  usage: 'npm start',
  about: [
    'Starts the whole system and keeps it running until Ctrl-C: embedded PostgreSQL (unless DATABASE_URL is set),',
    'the Temporal dev server (unless TEMPORAL_ADDRESS is set), the migrations, the worker and the API, each from the',
    'build in dist/. Data and development secrets stay in EPI_DATA_DIR (default ./data). Configured by environment',
    'variables only (README "Configuration").',
  ].join('\n'),
  options: {},
});

const stops: Array<{ name: string; stop: () => Promise<void> }> = [];

function superviseNodeApp(name: string, entry: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): void {
  if (stopping) return; // Ctrl-C came during the start
  const launch = () => spawn(process.execPath, [...nodeArgs, ...nodeEntry(entry)], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const app = supervise(name, launch, (line) => {
    process.stderr.write(`[start] ${line}\n`);
    void shutdown(1);
  });
  stops.push({ name, stop: app.stop });
}

/** A server `npm start` does not restart (PostgreSQL, the dev server): its exit is said in one line. */
function watchServer(name: string, server: { process: ChildProcess; stop: () => Promise<void> }): void {
  server.process.once('exit', (code, signal) => {
    if (!stopping) process.stderr.write(`[start] ${name} exited (${signal ? `signal ${signal}` : `exit code ${code}`}); routes that need it answer 503 until npm start is run again\n`);
  });
  stops.push({ name, stop: server.stop });
}

/** A development secret kept with the data: made once (owner-only file), then read at every start. */
function readOrCreateSecret(dataDir: string, name: string, make: () => string): string {
  const dir = path.join(dataDir, 'secrets');
  const file = path.join(dir, name);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    fs.writeFileSync(file, `${make()}\n`, { mode: 0o600, flag: 'wx' });
    process.stdout.write(`[start] created ${file}\n`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return fs.readFileSync(file, 'utf8').trim();
}

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
      last = await response.text();
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the API did not become healthy within ${timeoutMs / 1000} s: ${last}`);
}

let stopping = false;

/** Once: Ctrl-C also ends the children, whose exit would otherwise start a second shutdown. */
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const { name, stop } of stops.reverse()) {
    process.stdout.write(`[start] stopping ${name}\n`);
    await stop().catch((error) => process.stderr.write(`[start] ${name}: ${(error as Error).message}\n`));
  }
  process.exit(code);
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o755 });
  const env: NodeJS.ProcessEnv = { ...process.env, EPI_DATA_DIR: config.dataDir };
  if (!config.temporal.payloadKeys) {
    env.EPI_PAYLOAD_KEYS = readOrCreateSecret(config.dataDir, 'payload-keys', () => newPayloadKeyEntry('dev'));
    loadConfigOrExit(env); // an edited key file stops here, naming EPI_PAYLOAD_KEYS
  }
  env.EPI_JWT_SECRET ||= readOrCreateSecret(config.dataDir, 'jwt-secret', () => randomBytes(32).toString('base64'));
  env.EPI_REPORT_LINK_SECRET ||= readOrCreateSecret(config.dataDir, 'report-link-secret', () => randomBytes(32).toString('base64'));
  // The first account: admin, with this password, made by the API when there is no account yet.
  const adminPasswordFile = path.join(config.dataDir, 'secrets', 'admin-password');
  env.EPI_ADMIN_PASSWORD ||= readOrCreateSecret(config.dataDir, 'admin-password', () => randomBytes(12).toString('base64url'));

  let ownerUrl = config.databaseOwnerUrl ?? config.databaseUrl;
  if (!ownerUrl) {
    const port = Number(process.env.EMBEDDED_PG_PORT || 54329);
    const dir = path.join(config.dataDir, 'postgres');
    process.stdout.write(`[start] embedded PostgreSQL on 127.0.0.1:${port}, data in ${dir}\n`);
    const password = readOrCreateSecret(config.dataDir, 'postgres-password', newDatabasePassword);
    const database = await startEmbeddedPostgres({ dir, port, password });
    watchServer('PostgreSQL', database);
    ownerUrl = database.url;
  }

  let temporalUi = process.env.TEMPORAL_UI_URL;
  if (!process.env.TEMPORAL_ADDRESS) {
    const port = Number(process.env.TEMPORAL_DEV_PORT || 7233);
    const uiPort = Number(process.env.TEMPORAL_UI_PORT || port + 1000);
    const dbFile = path.join(config.dataDir, 'temporal.sqlite');
    process.stdout.write(`[start] Temporal dev server on 127.0.0.1:${port}, state in ${dbFile}\n`);
    const codecEndpoint = `http://127.0.0.1:${config.apiPort}/codec`;
    const server = await startDevServer({ cli: projectTools().temporalCli(), port, uiPort, codecEndpoint, dbFile });
    watchServer('Temporal dev server', server);
    temporalUi = server.uiUrl;
    env.TEMPORAL_ADDRESS = server.address;
    env.EPI_CODEC_CORS_ORIGINS ||= `http://127.0.0.1:${uiPort},http://localhost:${uiPort}`;
  }

  const applied = await runMigrations(ownerUrl);
  process.stdout.write(`[start] migrations: ${applied.length ? applied.join(', ') : 'schema up to date'}\n`);
  // The embedded server's API and worker log in as the application role, never as its superuser.
  env.DATABASE_URL = config.databaseUrl ?? (await appRoleUrl(ownerUrl));

  const workerMetricsPort = config.workerMetricsPort ?? (await freePort(9464));
  const workerMetricsUrl = config.workerMetricsUrl ?? `http://127.0.0.1:${workerMetricsPort}/metrics`;
  const launch = await prepareWorkerLaunch(config, path.join(config.dataDir, 'workflow-bundle.js'));
  superviseNodeApp('worker', 'apps/worker/main', { ...env, ...launch.env, WORKER_METRICS_PORT: String(workerMetricsPort) }, launch.nodeArgs);
  superviseNodeApp('API', 'apps/api/main', { ...env, EPI_WORKER_METRICS_URL: workerMetricsUrl });
  const base = `http://127.0.0.1:${config.apiPort}`;
  await waitForHealth(`${base}/health`, 120_000);

  process.stdout.write(
    [
      '',
      'Epidemic-control operations engine is running:',
      `  API            ${base}`,
      `  OpenAPI docs   ${base}/docs`,
      `  Dashboard      ${base}/dashboard`,
      `  Metrics        ${base}/metrics`,
      `  Worker metrics ${workerMetricsUrl} (also appended to ${base}/metrics)`,
      `  Temporal UI    ${temporalUi ?? `(external cluster at ${env.TEMPORAL_ADDRESS})`}`,
      `  Temporal gRPC  ${env.TEMPORAL_ADDRESS}`,
      `  first login    admin / ${process.env.EPI_ADMIN_PASSWORD ? '(EPI_ADMIN_PASSWORD)' : `the password in ${adminPasswordFile}`} (made on the first start; change it after logging in)`,
      `  data           ${config.dataDir}`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void shutdown(0));
main().catch((error) => {
  process.stderr.write(`[start] ${error instanceof Error ? error.message : String(error)}\n`);
  void shutdown(1);
});
