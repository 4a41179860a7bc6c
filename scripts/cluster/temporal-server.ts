/**
 * Temporal's own server, as a deployment runs it (not the dev server): the `temporal-server` binary
 * with PostgreSQL persistence and visibility, its schemas made by `temporal-sql-tool`. Both are built
 * once per machine with `go install` into ~/.cache/epi-ops/temporal-server/<version> (like the CLI in
 * scripts/tools.js), or taken from $TEMPORAL_SERVER and $TEMPORAL_SQL_TOOL.
 */
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { registerSearchAttributes } from '../../libs/temporal/connection';
import { freePort, waitForFrontend } from '../../libs/temporal/dev-server';
import { cacheRoot, goInstall, isExecutable } from '../tools';

export const TEMPORAL_SERVER_VERSION = 'v1.29.1';

export interface ServerBinaries {
  server: string;
  sqlTool: string;
}

/** The server and the SQL tool: from the environment, else the cache, built there when absent. */
export function serverBinaries(): ServerBinaries {
  const given = { server: process.env.TEMPORAL_SERVER, sqlTool: process.env.TEMPORAL_SQL_TOOL };
  for (const [name, file] of [['TEMPORAL_SERVER', given.server], ['TEMPORAL_SQL_TOOL', given.sqlTool]]) {
    if (file && !isExecutable(file)) throw new Error(`${name}=${file} is not an executable file`);
  }
  if (given.server && given.sqlTool) return given as ServerBinaries;
  const bin = path.join(cacheRoot, 'temporal-server', TEMPORAL_SERVER_VERSION, 'bin');
  const cached = { server: path.join(bin, 'temporal-server'), sqlTool: path.join(bin, 'temporal-sql-tool') };
  if (!isExecutable(cached.server) || !isExecutable(cached.sqlTool)) {
    goInstall({
      what: `temporal-server and temporal-sql-tool ${TEMPORAL_SERVER_VERSION}`,
      packages: [`go.temporal.io/server/cmd/server@${TEMPORAL_SERVER_VERSION}`, `go.temporal.io/server/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`],
      bin,
      minutes: 10,
      missing: 'no Go to build Temporal\'s server: install Go >= 1.25, or set TEMPORAL_SERVER and TEMPORAL_SQL_TOOL to the two executables',
    });
    // `go install` names a binary after its package's folder (server, sql).
    fs.renameSync(path.join(bin, 'server'), cached.server);
    fs.renameSync(path.join(bin, 'sql'), cached.sqlTool);
  }
  return { server: given.server ?? cached.server, sqlTool: given.sqlTool ?? cached.sqlTool };
}

export interface PostgresLogin {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** The login in a postgres:// URL. */
export function loginOf(url: string): PostgresLogin {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 5432), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
}

/** Temporal's two databases and the schema versions it keeps in them. */
const DATABASES = [
  { name: 'temporal', schema: 'postgresql/v12/temporal' },
  { name: 'temporal_visibility', schema: 'postgresql/v12/visibility' },
];

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(command)} ${args.join(' ')} exited with ${code}: ${output.trim().split('\n').slice(-3).join(' | ')}`))));
  });
}

/**
 * Creates Temporal's persistence and visibility databases (when missing) and brings their schemas to
 * the binary's version, as an operator does with temporal-sql-tool (the schemas are the ones
 * embedded in the tool). Safe to run again.
 */
export async function migrateTemporalSchemas(sqlTool: string, login: PostgresLogin): Promise<void> {
  // The password goes by the environment, not on a command line others can read.
  const env = { ...process.env, SQL_PASSWORD: login.password };
  const common = ['--plugin', 'postgres12', '--endpoint', login.host, '--port', String(login.port), '--user', login.user];
  for (const { name, schema } of DATABASES) {
    await run(sqlTool, [...common, '--db', name, 'create-database'], env).catch((error: Error) => {
      if (!/already exists/.test(error.message)) throw error;
    });
    await run(sqlTool, [...common, '--db', name, 'setup-schema', '--version', '0.0'], env);
    await run(sqlTool, [...common, '--db', name, 'update-schema', '--schema-name', schema], env);
  }
}

/** The static configuration of one all-in-one server: every service in one process, on loopback ports of its own. */
function serverConfig(login: PostgresLogin, ports: Record<'frontend' | 'http' | 'history' | 'matching' | 'worker', number> & { membership: number[] }, dynamicConfigFile: string): string {
  const store = (database: string, maxConns: number) => `
      sql:
        pluginName: postgres12
        databaseName: ${database}
        connectAddr: "${login.host}:${login.port}"
        connectProtocol: tcp
        user: ${JSON.stringify(login.user)}
        password: ${JSON.stringify(login.password)}
        maxConns: ${maxConns}
        maxIdleConns: ${maxConns}
        maxConnLifetime: 1h`;
  const service = (name: string, grpcPort: number, membershipPort: number, extra = '') => `
  ${name}:
    rpc:
      grpcPort: ${grpcPort}
      membershipPort: ${membershipPort}
      bindOnLocalHost: true${extra}`;
  return `log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: 4
  datastores:
    default:${store('temporal', 20)}
    visibility:${store('temporal_visibility', 10)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
services:${service('frontend', ports.frontend, ports.membership[0], `\n      httpPort: ${ports.http}`)}${service('history', ports.history, ports.membership[1])}${service('matching', ports.matching, ports.membership[2])}${service('worker', ports.worker, ports.membership[3])}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: 127.0.0.1:${ports.frontend}
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: ${JSON.stringify(dynamicConfigFile)}
  pollInterval: 10s
`;
}

/**
 * Dynamic configuration: search attributes added by the operator API are seen at once (as the dev
 * server does), and no history grows past what the workflows' own continue-as-new allows.
 */
const DYNAMIC_CONFIG = `system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
    constraints: {}
limit.maxIDLength:
  - value: 255
    constraints: {}
`;

/** A free port for a service's membership (ringpop): the server stores it as a PostgreSQL smallint, so below 32768. */
async function membershipPort(): Promise<number> {
  for (;;) {
    const candidate = 20_000 + Math.floor(Math.random() * 12_000);
    if ((await freePort(candidate)) === candidate) return candidate;
  }
}

export interface TemporalServer {
  address: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `temporal-server start` (all services in one process) on `dir`'s generated config; its log goes to `logFile`. */
export async function startTemporalServer(options: { binary: string; dir: string; login: PostgresLogin; logFile: string; timeoutMs?: number }): Promise<TemporalServer> {
  const configDir = path.join(options.dir, 'config');
  fs.mkdirSync(configDir, { recursive: true });
  const dynamicConfigFile = path.join(configDir, 'dynamicconfig.yaml');
  fs.writeFileSync(dynamicConfigFile, DYNAMIC_CONFIG);
  const ports = {
    frontend: await freePort(),
    http: await freePort(),
    history: await freePort(),
    matching: await freePort(),
    worker: await freePort(),
    membership: [await membershipPort(), await membershipPort(), await membershipPort(), await membershipPort()],
  };
  fs.writeFileSync(path.join(configDir, 'cluster.yaml'), serverConfig(options.login, ports, dynamicConfigFile), { mode: 0o600 });
  const log = fs.openSync(options.logFile, 'a');
  const child = spawn(options.binary, ['--root', options.dir, '--config', 'config', '--env', 'cluster', '--allow-no-auth', 'start'], { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const address = `127.0.0.1:${ports.frontend}`;
  try {
    await waitForFrontend(address, child, options.timeoutMs ?? 120_000);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message} (its log: ${options.logFile})`);
  }
  return { address, process: child, stop };
}

/**
 * Registers `namespace` (a fresh cluster has none) and the project's search attributes on it. A new
 * namespace reaches the frontend's cache within seconds, so adding the attributes is tried again
 * until it is known.
 */
export async function prepareNamespace(address: string, namespace: string, timeoutMs = 60_000): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    try {
      await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('3 days') });
    } catch (error) {
      if ((error as { code?: number }).code !== 6) throw error; // 6 ALREADY_EXISTS
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await registerSearchAttributes(connection, namespace);
        return;
      } catch (error) {
        if (Date.now() > deadline || (error as { code?: number }).code !== 5) throw error; // 5 NOT_FOUND: not in the cache yet
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  } finally {
    await connection.close();
  }
}
