import { createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nextOffsetChange, offsetText } from './time-zone';
import { PROJECT_ROOT } from './checkout';

/** Everything the API, the worker and the CLI read from the environment, validated once at start. */
export interface AppConfig {
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    tls?: { serverName?: string; ca?: Buffer; clientCert?: { crt: Buffer; key: Buffer } };
    apiKey?: string;
    /** Encrypt every payload (README "Personal data in Temporal"); undefined: entry points refuse to start. */
    payloadKeys?: PayloadKeys;
    /** The worker refuses a client's unencrypted workflow input, signal, update or query. */
    refusePlaintextPayloads: boolean;
  };
  /** undefined: the start command provides an embedded PostgreSQL. */
  databaseUrl?: string;
  /** Who applies the migrations (owns the schema); undefined: whoever databaseUrl names. */
  databaseOwnerUrl?: string;
  timeZone: string;
  apiPort: number;
  dataDir: string;
  /** Origins of the Temporal Web UI allowed to call the codec endpoint with the user's cookie. */
  codecCorsOrigins: string[];
  /** The worker serves the SDK's Prometheus metrics on 127.0.0.1:<port>/metrics. */
  workerMetricsPort?: number;
  /** Where the API reads the worker's SDK metrics to append them to its own /metrics. */
  workerMetricsUrl?: string;
  worker: {
    /** Workflows kept in the sticky cache (README "Worker memory"). */
    maxCachedWorkflows: number;
    /** How long a task waits on this worker's sticky queue before any worker may take it. */
    stickyQueueTimeoutSeconds: number;
    /** Workflow tasks the worker runs at once (apps/worker/worker.ts says why 20 by default). */
    workflowTaskSlots: number;
    /** The V8 heap limit launchers give the worker process (README "Worker memory"). */
    maxHeapMiB: number;
    /** A workflow bundle made ahead of the start; unset, the worker bundles `workflows/` itself. */
    workflowBundle?: string;
  };
  /** Every how many seconds the project's schedules run (libs/temporal/schedules.ts); 0 pauses one. */
  schedules: {
    /** The reconciler: open records without a running workflow get one. */
    reconcileSeconds: number;
    /** The outbox relay: pending notifications are retried. */
    outboxRelaySeconds: number;
    /** The local time (in timeZone) the day before's report goes to the district; null: paused. */
    dailyReportAt: { hour: number; minute: number } | null;
  };
  auth: {
    /** Signs login tokens; undefined: the API refuses to start (npm start provides one). */
    jwtSecret?: string;
    tokenTtlSeconds: number;
    /** Consecutive failed logins of one account from one address before it is locked there, and for how long. */
    maxFailedLogins: number;
    lockoutSeconds: number;
    /** Failed logins from one address, whatever the accounts, within a lockout period before the address is refused for the rest of it. */
    maxFailedLoginsPerAddress: number;
    /** Express's "trust proxy": which proxies' X-Forwarded-For names the client's address (false: none). */
    trustProxy: string | number | false;
    /** Creates the first admin when there is no user yet. */
    adminPassword?: string;
  };
  dispatch: {
    /** The dispatch system a trip's order is POSTed to; undefined: driver and escorts get the dispatch message through the notification channels. */
    url?: string;
    /** Sent as the bearer token with every order; set exactly when `url` is. */
    token?: string;
    /** Where the dispatch system posts leg events, sent with every order (the API's POST /dispatch/events as the dispatch system reaches it). */
    webhookUrl: string;
    /** Signs the dispatch system's events (HMAC-SHA256); undefined: the webhook refuses every event. */
    webhookSecret?: string;
  };
  selfReport: {
    /** Derives each observation's report-link token (HMAC-SHA256); undefined: the API and worker refuse to start. */
    linkKey?: Buffer;
    /** Where people open their report link: the API as they reach it (no trailing slash). */
    publicUrl: string;
  };
}

/** Payloads are encrypted with the active key and decrypted with whichever key they name. */
export interface PayloadKeys {
  activeKeyId: string;
  keys: Record<string, Buffer>;
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
  const variable = env.EPI_TIME_ZONE ? 'EPI_TIME_ZONE' : 'TZ';
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
  } catch {
    throw new ConfigError(variable, `unknown IANA time zone "${value}"`);
  }
  const change = nextOffsetChange(value);
  if (change) {
    const when = new Date(change.at).toISOString().slice(0, 10);
    throw new ConfigError(
      variable,
      `"${value}" changes its UTC offset (${offsetText(change.from)} to ${offsetText(change.to)} by ${when}); only zones that keep one offset are supported (e.g. Asia/Shanghai, Asia/Tokyo, UTC), since workflows keep the offset they start with`,
    );
  }
  return value;
}

function postgresUrl(env: Env, variable: string): string | undefined {
  return configuredUrl(env, variable, ['postgres:', 'postgresql:'], 'postgres://user:password@host:port/database');
}

/** A URL from the environment, checked to be one and of one of the protocols (`smtp:`); undefined when the variable is unset. */
export function configuredUrl(env: Env, variable: string, protocols: string[], example: string): string | undefined {
  const value = env[variable];
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(variable, `is not a URL (expected ${example})`);
  }
  if (!protocols.includes(url.protocol)) throw new ConfigError(variable, `must use ${protocols.map((p) => `${p}//`).join(' or ')}, got "${url.protocol}"`);
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

const PAYLOAD_KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** `keyId:base64key,...`, the first entry active. Errors name the entry or key id, never the key. */
function payloadKeys(env: Env): PayloadKeys | undefined {
  const raw = env.EPI_PAYLOAD_KEYS;
  if (!raw) return undefined;
  const keys = new Map<string, Buffer>();
  for (const [i, entry] of raw.split(',').map((e) => e.trim()).entries()) {
    const separator = entry.indexOf(':');
    const keyId = entry.slice(0, separator);
    const encoded = entry.slice(separator + 1);
    if (separator < 0 || !PAYLOAD_KEY_ID.test(keyId)) {
      throw new ConfigError('EPI_PAYLOAD_KEYS', `entry ${i + 1} is not keyId:base64key with a key id of 1-64 letters, digits, ".", "_" or "-"`);
    }
    if (keys.has(keyId)) throw new ConfigError('EPI_PAYLOAD_KEYS', `key id "${keyId}" appears twice`);
    // Buffer.from skips characters outside the alphabet, so the text is checked as well as the length.
    const key = Buffer.from(encoded, 'base64');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || key.length !== 32) {
      throw new ConfigError('EPI_PAYLOAD_KEYS', `key "${keyId}" must be 32 bytes in base64 (AES-256)`);
    }
    keys.set(keyId, key);
  }
  return { activeKeyId: [...keys.keys()][0], keys: Object.fromEntries(keys) };
}

function httpUrl(value: string): URL | undefined {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  return url && /^https?:$/.test(url.protocol) ? url : undefined;
}

function origins(env: Env, variable: string, fallback: string[]): string[] {
  const raw = env[variable];
  if (!raw) return fallback;
  return raw.split(',').map((value) => {
    const origin = value.trim();
    if (httpUrl(origin)?.origin !== origin) {
      throw new ConfigError(variable, `"${origin}" is not an origin like http://127.0.0.1:8233 (scheme, host and port, no path)`);
    }
    return origin;
  });
}

function workerMetrics(env: Env): Pick<AppConfig, 'workerMetricsPort' | 'workerMetricsUrl'> {
  const workerMetricsPort = env.WORKER_METRICS_PORT ? port(env, 'WORKER_METRICS_PORT', 0) : undefined;
  const url = env.EPI_WORKER_METRICS_URL;
  if (url && !httpUrl(url)) {
    throw new ConfigError('EPI_WORKER_METRICS_URL', `must be an http(s) URL like http://127.0.0.1:9464/metrics, got "${url}"`);
  }
  return { workerMetricsPort, workerMetricsUrl: url || (workerMetricsPort ? `http://127.0.0.1:${workerMetricsPort}/metrics` : undefined) };
}

function positiveInt(env: Env, variable: string, fallback: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new ConfigError(variable, `must be a positive whole number, got "${raw}"`);
  return value;
}

/** A period in seconds, or 0 for off. */
function periodOrOff(env: Env, variable: string, fallback: number): number {
  return env[variable]?.trim() === '0' ? 0 : positiveInt(env, variable, fallback);
}

/** HH:MM (24 h) or "off". */
function timeOfDayOrOff(env: Env, variable: string, fallback: string): { hour: number; minute: number } | null {
  const value = env[variable]?.trim() || fallback;
  if (value === 'off') return null;
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  if (!match) throw new ConfigError(variable, `must be a local time HH:MM like 08:00, or off; got "${value}"`);
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

function atLeast(env: Env, variable: string, fallback: number, minimum: number): number {
  const value = positiveInt(env, variable, fallback);
  if (value < minimum) throw new ConfigError(variable, `must be at least ${minimum}, got ${value}`);
  return value;
}

function readableFile(env: Env, variable: string): string | undefined {
  const file = env[variable] || undefined;
  if (file !== undefined && !fs.existsSync(file)) throw new ConfigError(variable, `no file at "${file}"`);
  return file;
}

/** A hop count, or a comma-separated list of addresses, CIDR ranges and Express's names (loopback, linklocal, uniquelocal). */
function trustProxy(env: Env): string | number | false {
  const value = env.EPI_TRUST_PROXY?.trim();
  if (!value) return false;
  if (/^\d+$/.test(value)) return Number(value);
  const entry = /^(loopback|linklocal|uniquelocal|[0-9A-Fa-f:.]+(\/\d{1,3})?)$/;
  if (!value.split(',').every((part) => entry.test(part.trim()))) {
    throw new ConfigError('EPI_TRUST_PROXY', `must be a hop count or a comma-separated list of addresses, CIDR ranges, loopback, linklocal or uniquelocal; got "${value}"`);
  }
  return value;
}

function auth(env: Env): AppConfig['auth'] {
  const jwtSecret = env.EPI_JWT_SECRET || undefined;
  if (jwtSecret !== undefined && jwtSecret.length < 32) throw new ConfigError('EPI_JWT_SECRET', 'must be at least 32 characters');
  const adminPassword = env.EPI_ADMIN_PASSWORD || undefined;
  if (adminPassword !== undefined && adminPassword.length < 10) throw new ConfigError('EPI_ADMIN_PASSWORD', 'must be at least 10 characters');
  return {
    jwtSecret,
    tokenTtlSeconds: positiveInt(env, 'EPI_TOKEN_TTL_HOURS', 12) * 3600,
    maxFailedLogins: positiveInt(env, 'EPI_LOGIN_MAX_FAILURES', 5),
    lockoutSeconds: positiveInt(env, 'EPI_LOCKOUT_MINUTES', 15) * 60,
    maxFailedLoginsPerAddress: positiveInt(env, 'EPI_LOGIN_MAX_FAILURES_PER_ADDRESS', 20),
    trustProxy: trustProxy(env),
    adminPassword,
  };
}

function dispatch(env: Env, apiPort: number): AppConfig['dispatch'] {
  const url = env.DISPATCH_URL || undefined;
  if (url && !httpUrl(url)) throw new ConfigError('DISPATCH_URL', `must be an http(s) URL like https://dispatch.example/orders, got "${url}"`);
  const token = env.DISPATCH_TOKEN || undefined;
  if (url && !token) throw new ConfigError('DISPATCH_TOKEN', 'is not set: the dispatch system at DISPATCH_URL is called with it as bearer token');
  if (token && !url) throw new ConfigError('DISPATCH_TOKEN', 'is set but DISPATCH_URL is not: no dispatch system to send it to');
  const webhookUrl = env.DISPATCH_WEBHOOK_URL || `http://127.0.0.1:${apiPort}/dispatch/events`;
  if (!httpUrl(webhookUrl)) throw new ConfigError('DISPATCH_WEBHOOK_URL', `must be an http(s) URL like https://epi-ops.example/dispatch/events, got "${webhookUrl}"`);
  const webhookSecret = env.DISPATCH_WEBHOOK_SECRET || undefined;
  if (webhookSecret !== undefined && webhookSecret.length < 32) throw new ConfigError('DISPATCH_WEBHOOK_SECRET', 'must be at least 32 characters');
  return { url, token, webhookUrl, webhookSecret };
}

/**
 * The report links' key: EPI_REPORT_LINK_SECRET, else one derived from EPI_JWT_SECRET (so a setup
 * that signs logins also signs links). Its own secret keeps links valid when the login key is rotated.
 */
function selfReport(env: Env, apiPort: number): AppConfig['selfReport'] {
  const secret = env.EPI_REPORT_LINK_SECRET || undefined;
  if (secret !== undefined && secret.length < 32) throw new ConfigError('EPI_REPORT_LINK_SECRET', 'must be at least 32 characters');
  const jwtSecret = env.EPI_JWT_SECRET || undefined;
  const linkKey = secret ? Buffer.from(secret) : jwtSecret ? createHmac('sha256', jwtSecret).update('epi-ops report links').digest() : undefined;
  const publicUrl = (env.EPI_PUBLIC_URL || `http://127.0.0.1:${apiPort}`).replace(/\/+$/, '');
  const url = httpUrl(publicUrl);
  if (!url || url.search || url.hash) throw new ConfigError('EPI_PUBLIC_URL', `must be an http(s) URL like https://epi-ops.example, got "${publicUrl}"`);
  return { linkKey, publicUrl };
}

/** Reads and checks the configuration; throws ConfigError naming the variable on the first bad value. */
export function loadConfig(env: Env = process.env): AppConfig {
  const namespace = env.TEMPORAL_NAMESPACE || 'default';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/.test(namespace)) {
    throw new ConfigError('TEMPORAL_NAMESPACE', `"${namespace}" is not a valid namespace name`);
  }
  const taskQueue = env.TEMPORAL_TASK_QUEUE || 'epi-ops';
  const databaseUrl = postgresUrl(env, 'DATABASE_URL');
  const databaseOwnerUrl = postgresUrl(env, 'DATABASE_OWNER_URL');
  if (databaseOwnerUrl && !databaseUrl) throw new ConfigError('DATABASE_URL', 'must be set with DATABASE_OWNER_URL: it names the login the API and worker use');
  const apiPort = port(env, 'API_PORT', 3000);
  return {
    temporal: {
      address: hostPort(env, 'TEMPORAL_ADDRESS', '127.0.0.1:7233'),
      namespace,
      taskQueue,
      tls: temporalTls(env),
      apiKey: env.TEMPORAL_API_KEY || undefined,
      payloadKeys: payloadKeys(env),
      refusePlaintextPayloads: env.EPI_REFUSE_PLAINTEXT_PAYLOADS === undefined || bool(env, 'EPI_REFUSE_PLAINTEXT_PAYLOADS'),
    },
    databaseUrl,
    databaseOwnerUrl,
    timeZone: timeZone(env),
    apiPort,
    dataDir: path.resolve(env.EPI_DATA_DIR || path.join(PROJECT_ROOT, 'data')),
    codecCorsOrigins: origins(env, 'EPI_CODEC_CORS_ORIGINS', ['http://127.0.0.1:8233', 'http://localhost:8233']),
    ...workerMetrics(env),
    worker: {
      maxCachedWorkflows: positiveInt(env, 'WORKER_MAX_CACHED_WORKFLOWS', 1000),
      stickyQueueTimeoutSeconds: positiveInt(env, 'WORKER_STICKY_QUEUE_TIMEOUT_SECONDS', 10),
      workflowTaskSlots: positiveInt(env, 'WORKER_WORKFLOW_TASK_SLOTS', 20),
      maxHeapMiB: atLeast(env, 'WORKER_MAX_HEAP_MIB', 512, 256),
      workflowBundle: readableFile(env, 'WORKER_WORKFLOW_BUNDLE'),
    },
    schedules: {
      reconcileSeconds: periodOrOff(env, 'EPI_RECONCILE_SECONDS', 300),
      outboxRelaySeconds: periodOrOff(env, 'EPI_OUTBOX_RELAY_SECONDS', 60),
      dailyReportAt: timeOfDayOrOff(env, 'EPI_DAILY_REPORT_AT', '08:00'),
    },
    auth: auth(env),
    dispatch: dispatch(env, apiPort),
    selfReport: selfReport(env, apiPort),
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

/** Where the migrations run: the owner's URL when given, else DATABASE_URL. */
export function requireMigrationUrl(config: AppConfig): string {
  return config.databaseOwnerUrl ?? requireDatabaseUrl(config);
}

export function requirePayloadKeys(config: AppConfig): PayloadKeys {
  if (!config.temporal.payloadKeys) {
    throw new ConfigError('EPI_PAYLOAD_KEYS', 'is not set (npm start provides development keys in data/secrets/payload-keys; see README "Personal data in Temporal")');
  }
  return config.temporal.payloadKeys;
}

export function requireJwtSecret(config: AppConfig): string {
  if (!config.auth.jwtSecret) {
    throw new ConfigError('EPI_JWT_SECRET', 'is not set (npm start provides one in data/secrets/jwt-secret; set 32+ random characters when running the API alone)');
  }
  return config.auth.jwtSecret;
}

export function requireReportLinkKey(config: AppConfig): Buffer {
  if (!config.selfReport.linkKey) {
    throw new ConfigError('EPI_REPORT_LINK_SECRET', 'is not set, nor EPI_JWT_SECRET to derive it from (npm start provides one in data/secrets/report-link-secret; set 32+ random characters)');
  }
  return config.selfReport.linkKey;
}
