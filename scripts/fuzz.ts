/**
 * `npm run fuzz`: Schemathesis (pinned, from PyPI, in a virtual environment under the tools cache)
 * against the API's own OpenAPI document, every operation, on a system this command starts itself
 * on free ports (embedded PostgreSQL, in-memory dev server, worker and API in this process), seeded
 * with records and one account per role so operations reach their logic: each operation runs as a
 * role that may call it, with real ids in its path. Checks: no server error, and error and response
 * bodies conform to their documented schemas. Exit code 0 only when both hold.
 *
 * Options: --max-examples N (default 4 per operation and phase), --seed N (default 1), --keep (leave
 * the generated config and report in the printed directory).
 */
import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { bundleWorkflowCode } from '@temporalio/worker';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { parseArgs } from 'node:util';
import type { Request, Response, NextFunction } from 'express';
import { Client } from '@temporalio/client';
import { createApi } from '../apps/api/api';
import { UsersService } from '../libs/auth/users.service';
import { RunningWorker, startWorker } from '../apps/worker/worker';
import { loadConfig } from '../libs/config/config';
import type { Role } from '../libs/auth/roles';
import { routesOf } from '../libs/nest/routes';
import { runMigrations } from '../libs/persistence/data-source';
import { newDatabasePassword, startEmbeddedPostgres } from '../libs/persistence/embedded-postgres';
import { appRoleUrl } from '../libs/persistence/app-role';
import { freePort, startDevServer } from '../libs/temporal/dev-server';
import { newPayloadKeyEntry } from '../libs/temporal/payload-codec';
import { WORKFLOW_BUNDLE_OPTIONS } from '../libs/temporal/worker-launch';
import { TEMPORAL_CLIENT } from '../libs/temporal/temporal.module';
import { cacheRoot, temporalCli } from './tools';
import { seedForFuzzing } from './fuzz-seed';

const SCHEMATHESIS_VERSION = '4.32.5';
/** Who runs an operation: the first of these its route allows. */
const ROLE_PREFERENCE: Role[] = ['supervisor', 'dispatcher', 'admin', 'community_worker', 'duty_staff'];

const { values: options } = parseArgs({
  options: {
    'max-examples': { type: 'string', default: '4' },
    seed: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
  },
});

const began = Date.now();
const log = (line: string) => process.stdout.write(`[fuzz ${((Date.now() - began) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);

/** The virtual environment with Schemathesis, made once per version under the tools cache; its `st`. */
function schemathesis(): string {
  const venv = path.join(cacheRoot, 'schemathesis', SCHEMATHESIS_VERSION);
  const st = path.join(venv, 'bin', 'st');
  if (fs.existsSync(st)) return st;
  const python = ['python3', 'python'].find((p) => spawnSync(p, ['--version']).status === 0);
  if (!python) throw new Error('python3 is needed for Schemathesis (with its venv module)');
  log(`installing schemathesis==${SCHEMATHESIS_VERSION} into ${venv}`);
  fs.rmSync(venv, { recursive: true, force: true });
  for (const [command, args] of [
    [python, ['-m', 'venv', venv]],
    [path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `schemathesis==${SCHEMATHESIS_VERSION}`]],
  ] as const) {
    const result = spawnSync(command, args, { stdio: 'inherit' });
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}`);
  }
  return st;
}

/** TOML text of a string (JSON's escapes are TOML's basic-string escapes). */
const toml = (value: string) => JSON.stringify(value);

/** Statuses each operation answered, counted at the server. */
type Tally = Map<string, Map<number, number>>;

function tallyResponses(app: INestApplication, tally: Tally, serverErrors: string[]): void {
  app.use((request: Request, response: Response, next: NextFunction) => {
    response.once('finish', () => {
      const route = request.route?.path ? `${request.method} ${request.route.path}` : undefined;
      if (response.statusCode >= 500) serverErrors.push(`${response.statusCode} ${request.method} ${request.originalUrl}`);
      if (!route) return;
      const statuses = tally.get(route) ?? new Map<number, number>();
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      tally.set(route, statuses);
    });
    next();
  });
}

async function main(): Promise<void> {
  const st = schemathesis();
  process.env.EPI_HTTP_LOG = '0';
  process.env.WORKER_LOG_LEVEL ??= 'WARN';
  const stops: Array<() => Promise<void>> = [];
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'epi-ops-fuzz-'));
  let worker: RunningWorker | undefined;
  try {
    fs.chmodSync(workDir, 0o777); // initdb runs as user postgres when this runs as root
    log('starting PostgreSQL and the dev server, bundling the workflows');
    const bundlePath = path.join(workDir, 'workflow-bundle.js');
    const started = <T extends { stop: () => Promise<void> }>(server: T) => {
      stops.push(server.stop);
      return server;
    };
    const [database, server] = await Promise.all([
      startEmbeddedPostgres({ dir: path.join(workDir, 'db'), port: await freePort(), password: newDatabasePassword() }).then(started),
      startDevServer({ cli: temporalCli(), port: await freePort() }).then(started),
      bundleWorkflowCode(WORKFLOW_BUNDLE_OPTIONS).then(({ code }) => fs.writeFileSync(bundlePath, code)),
    ]);
    await runMigrations(database.url);
    const apiPort = await freePort();
    const config = loadConfig({
      ...process.env,
      // As npm start runs them: the API and worker as the application role.
      DATABASE_URL: await appRoleUrl(database.url),
      DATABASE_OWNER_URL: database.url,
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_TASK_QUEUE: 'epi-ops-fuzz',
      EPI_PAYLOAD_KEYS: newPayloadKeyEntry('fuzz'),
      EPI_JWT_SECRET: randomBytes(32).toString('base64'),
      // The dispatch webhook answers 503 without a secret; with one, generated cases reach its signature check.
      DISPATCH_WEBHOOK_SECRET: randomBytes(32).toString('base64'),
      API_PORT: String(apiPort),
      WORKER_WORKFLOW_BUNDLE: bundlePath,
    });
    log('starting the worker and the API');
    worker = await startWorker(config);
    const api = await createApi(config);
    const tally: Tally = new Map();
    const serverErrors: string[] = [];
    tallyResponses(api, tally, serverErrors);
    await api.listen(apiPort, '127.0.0.1');
    stops.push(() => api.close());
    const base = `http://127.0.0.1:${apiPort}`;

    log('seeding accounts and records');
    const seeded = await seedForFuzzing(base, api.get(UsersService), api.get<Client>(TEMPORAL_CLIENT));
    // The operations the document describes (the dashboard's page and files are left out of it).
    type Operation = { responses?: Record<string, { content?: Record<string, unknown> }> };
    const operations = Object.entries(((await (await fetch(`${base}/docs-json`)).json()) as { paths: Record<string, Record<string, Operation>> }).paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path.replace(/\{([A-Za-z]+)\}/g, ':$1')}`, operation })),
    );
    const documented = new Set(operations.map((o) => o.route));
    // An event stream (the inbox's live count) answers until the client goes: a case would only wait out its timeout.
    const streams = new Set(operations.filter((o) => Object.values(o.operation.responses ?? {}).some((r) => r.content?.['text/event-stream'])).map((o) => o.route));
    const routes = routesOf(api).filter((r) => documented.has(`${r.method} ${r.path}`));
    const lines = [
      `# Generated by scripts/fuzz.ts for one run.`,
      `[checks]`,
      `enabled = false`,
      `not_a_server_error.enabled = true`,
      `response_schema_conformance.enabled = true`,
      // Methods a path does not declare answer 404 by design; trying each on every path would take
      // most of the time budget.
      `[phases.coverage]`,
      `unexpected-methods = []`,
      '',
    ];
    for (const route of routes) {
      const name = `${route.method} ${route.path.replace(/:([A-Za-z]+)/g, '{$1}')}`;
      if (streams.has(`${route.method} ${route.path}`)) {
        lines.push(`[[operations]]`, `include-name = ${toml(name)}`, `enabled = false`, '');
        continue;
      }
      const role = ROLE_PREFERENCE.find((r) => route.roles?.includes(r));
      const token = seeded.tokenFor(route, role);
      const parameters = Object.entries(seeded.pathParameters(route)).map(([key, value]) => `${toml(`path.${key}`)} = ${toml(value)}`);
      if (!token && !parameters.length) continue;
      lines.push(`[[operations]]`, `include-name = ${toml(name)}`);
      if (token) lines.push(`headers = { Authorization = ${toml(`Bearer ${token}`)} }`);
      if (parameters.length) lines.push(`parameters = { ${parameters.join(', ')} }`);
      lines.push('');
    }
    tally.clear(); // count the fuzzer's requests only
    const configFile = path.join(workDir, 'schemathesis.toml');
    fs.writeFileSync(configFile, lines.join('\n'));

    log(`running Schemathesis ${SCHEMATHESIS_VERSION} on ${routes.length} operations (${options['max-examples']} examples each, seed ${options.seed})`);
    const fuzzingFrom = Date.now();
    const code = await new Promise<number>((resolve) => {
      const child = spawn(
        st,
        [
          '--config-file', configFile, '--no-color',
          'run', `${base}/docs-json`,
          '--phases', 'examples,coverage,fuzzing',
          '--max-examples', options['max-examples']!,
          '--seed', options.seed!,
          '--workers', '2',
          '--request-timeout', '30',
          '--report', 'junit', '--report-dir', path.join(workDir, 'report'),
        ],
        { stdio: ['ignore', 'pipe', 'inherit'], cwd: workDir },
      );
      // Schemathesis closes on a pytest-shaped banner ("==== 3 warnings in 41.37s ===="), which a CI
      // reading runners' closing lines takes for pytest having run no test: said again without its bars.
      readline.createInterface({ input: child.stdout }).on('line', (line) => {
        const banner = /^=+ (.+?) =+$/.exec(line);
        process.stdout.write(`${banner ? `[schemathesis] ${banner[1]}` : line}\n`);
      });
      child.once('close', (status) => resolve(status ?? 1));
    });

    const reached = [...tally].filter(([, statuses]) => [...statuses.keys()].some((s) => ![401, 403, 404].includes(s)));
    const succeeded = [...tally].filter(([, statuses]) => [...statuses.keys()].some((s) => s < 300));
    log(`Schemathesis exited with ${code} after ${((Date.now() - fuzzingFrom) / 1000).toFixed(0)} s`);
    log(`${tally.size} of ${routes.length} operations were called; ${reached.length} answered something other than 401/403/404, ${succeeded.length} answered 2xx`);
    const only = [...tally].filter(([route]) => !reached.some(([r]) => r === route)).map(([route, statuses]) => `${route} (${[...statuses.keys()].join(', ')})`);
    if (only.length) log(`answered only 401/403/404: ${only.join('; ')}`);
    const unseen = routes.map((r) => `${r.method} ${r.path}`).filter((r) => !tally.has(r));
    if (unseen.length) log(`never called: ${unseen.join('; ')}`);
    log(`${serverErrors.length} server errors${serverErrors.length ? `: ${[...new Set(serverErrors)].slice(0, 20).join('; ')}` : ''}`);
    process.exitCode = code === 0 && serverErrors.length === 0 ? 0 : 1;
  } finally {
    await worker?.shutdown().catch(() => undefined);
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    if (options.keep) log(`config and report kept in ${workDir}`);
    else fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`[fuzz] ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
