import * as fs from 'node:fs';
import * as path from 'node:path';

/** Everything the API, the worker and the CLI read from the environment, validated once at start. */
export interface AppConfig {
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    tls?: { serverName?: string; ca?: Buffer; clientCert?: { crt: Buffer; key: Buffer } };
    apiKey?: string;
  };
  /** undefined: the start command provides an embedded PostgreSQL. */
  databaseUrl?: string;
  timeZone: string;
  apiPort: number;
  dataDir: string;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`${variable}: ${reason}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function port(env: Env, variable: string, fallback: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new ConfigError(variable, `must be a TCP port 1-65535, got "${raw}"`);
  }
  return value;
}

function hostPort(env: Env, variable: string, fallback: string): string {
  const value = env[variable] || fallback;
  const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value);
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) {
    throw new ConfigError(variable, `must be host:port (e.g. 127.0.0.1:7233), got "${value}"`);
  }
  return value;
}

function readFile(env: Env, variable: string): Buffer | undefined {
  const file = env[variable];
  if (!file) return undefined;
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new ConfigError(variable, `cannot read file "${file}": ${(error as Error).message}`);
  }
}

function bool(env: Env, variable: string): boolean {
  const raw = (env[variable] ?? '').toLowerCase();
  if (raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigError(variable, `must be true or false, got "${env[variable]}"`);
}

function timeZone(env: Env): string {
  const value = env.EPI_TIME_ZONE || env.TZ || 'Asia/Shanghai';
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
  } catch {
    throw new ConfigError(env.EPI_TIME_ZONE ? 'EPI_TIME_ZONE' : 'TZ', `unknown IANA time zone "${value}"`);
  }
  return value;
}

function databaseUrl(env: Env): string | undefined {
  const value = env.DATABASE_URL;
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('DATABASE_URL', 'is not a URL (expected postgres://user:password@host:port/database)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError('DATABASE_URL', `must use postgres:// or postgresql://, got "${url.protocol}"`);
  }
  return value;
}

function temporalTls(env: Env): AppConfig['temporal']['tls'] {
  const crt = readFile(env, 'TEMPORAL_TLS_CERT');
  const key = readFile(env, 'TEMPORAL_TLS_KEY');
  if (!!crt !== !!key) {
    throw new ConfigError(crt ? 'TEMPORAL_TLS_KEY' : 'TEMPORAL_TLS_CERT', 'mTLS needs both TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY');
  }
  const ca = readFile(env, 'TEMPORAL_TLS_CA');
  const serverName = env.TEMPORAL_TLS_SERVER_NAME || undefined;
  const wanted = bool(env, 'TEMPORAL_TLS') || !!crt || !!ca || !!serverName || !!env.TEMPORAL_API_KEY;
  if (!wanted) return undefined;
  return { serverName, ca, clientCert: crt && key ? { crt, key } : undefined };
}

/** Reads and checks the configuration; throws ConfigError naming the variable on the first bad value. */
export function loadConfig(env: Env = process.env): AppConfig {
  const namespace = env.TEMPORAL_NAMESPACE || 'default';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/.test(namespace)) {
    throw new ConfigError('TEMPORAL_NAMESPACE', `"${namespace}" is not a valid namespace name`);
  }
  const taskQueue = env.TEMPORAL_TASK_QUEUE || 'epi-ops';
  return {
    temporal: {
      address: hostPort(env, 'TEMPORAL_ADDRESS', '127.0.0.1:7233'),
      namespace,
      taskQueue,
      tls: temporalTls(env),
      apiKey: env.TEMPORAL_API_KEY || undefined,
    },
    databaseUrl: databaseUrl(env),
    timeZone: timeZone(env),
    apiPort: port(env, 'API_PORT', 3000),
    dataDir: path.resolve(env.EPI_DATA_DIR || path.join(__dirname, '..', '..', 'data')),
  };
}

/** For entry points: a bad configuration ends the process with one clear line, not a stack trace. */
export function loadConfigOrExit(env: Env = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

export function requireDatabaseUrl(config: AppConfig): string {
  if (!config.databaseUrl) {
    throw new ConfigError('DATABASE_URL', 'is not set (npm start provides an embedded PostgreSQL; run the API or worker alone with DATABASE_URL)');
  }
  return config.databaseUrl;
}
