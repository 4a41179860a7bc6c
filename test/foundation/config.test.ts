import { ConfigError, loadConfig, requireMigrationUrl, requirePayloadKeys, requireReportLinkKey } from '../../libs/config/config';
import { nextOffsetChange, utcOffsetMinutes, zonedIso } from '../../libs/config/time-zone';

describe('configuration', () => {
  it('has defaults for a local run', () => {
    const config = loadConfig({});
    expect(config.temporal).toMatchObject({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'epi-ops' });
    expect(config.timeZone).toBe('Asia/Shanghai');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.worker).toEqual({ maxCachedWorkflows: 1000, stickyQueueTimeoutSeconds: 10, workflowTaskSlots: 20, maxHeapMiB: 512, workflowBundle: undefined });
    expect(loadConfig({ WORKER_WORKFLOW_TASK_SLOTS: '40' }).worker.workflowTaskSlots).toBe(40);
    expect(config.schedules).toEqual({ reconcileSeconds: 300, outboxRelaySeconds: 60, dailyReportAt: { hour: 8, minute: 0 } });
  });

  it('takes the schedules\' periods, 0 pausing one', () => {
    expect(loadConfig({ EPI_RECONCILE_SECONDS: '0', EPI_OUTBOX_RELAY_SECONDS: '15', EPI_DAILY_REPORT_AT: 'off' }).schedules).toEqual({ reconcileSeconds: 0, outboxRelaySeconds: 15, dailyReportAt: null });
    expect(loadConfig({ EPI_DAILY_REPORT_AT: '07:30' }).schedules.dailyReportAt).toEqual({ hour: 7, minute: 30 });
    expect(() => loadConfig({ EPI_DAILY_REPORT_AT: '25:00' })).toThrow(/EPI_DAILY_REPORT_AT/);
  });

  it.each([
    [{ TEMPORAL_ADDRESS: 'localhost' }, 'TEMPORAL_ADDRESS'],
    [{ TEMPORAL_ADDRESS: 'localhost:99999' }, 'TEMPORAL_ADDRESS'],
    [{ DATABASE_URL: 'mysql://x@y/z' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'postgres://app@db/epi', DATABASE_OWNER_URL: 'mysql://x@y/z' }, 'DATABASE_OWNER_URL'],
    [{ DATABASE_OWNER_URL: 'postgres://owner@db/epi' }, 'DATABASE_URL'],
    [{ TZ: 'Mars/Olympus' }, 'TZ'],
    [{ API_PORT: 'eighty' }, 'API_PORT'],
    [{ TEMPORAL_TLS_CERT: '/nonexistent/cert.pem' }, 'TEMPORAL_TLS_CERT'],
    [{ TEMPORAL_TLS: 'maybe' }, 'TEMPORAL_TLS'],
    [{ TEMPORAL_NAMESPACE: 'bad namespace' }, 'TEMPORAL_NAMESPACE'],
    [{ WORKER_MAX_CACHED_WORKFLOWS: 'lots' }, 'WORKER_MAX_CACHED_WORKFLOWS'],
    [{ WORKER_STICKY_QUEUE_TIMEOUT_SECONDS: '-5' }, 'WORKER_STICKY_QUEUE_TIMEOUT_SECONDS'],
    [{ WORKER_WORKFLOW_TASK_SLOTS: '0' }, 'WORKER_WORKFLOW_TASK_SLOTS'],
    [{ WORKER_MAX_HEAP_MIB: '128' }, 'WORKER_MAX_HEAP_MIB'],
    [{ WORKER_WORKFLOW_BUNDLE: '/nonexistent/workflow-bundle.js' }, 'WORKER_WORKFLOW_BUNDLE'],
    [{ EPI_RECONCILE_SECONDS: '5 minutes' }, 'EPI_RECONCILE_SECONDS'],
    [{ EPI_OUTBOX_RELAY_SECONDS: '-1' }, 'EPI_OUTBOX_RELAY_SECONDS'],
  ])('refuses %j naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (error) {
      expect((error as ConfigError).variable).toBe(variable);
      expect((error as ConfigError).message).toMatch(new RegExp(`^${variable}: `));
    }
  });

  it('runs the migrations as the owner when DATABASE_OWNER_URL is given, else as DATABASE_URL', () => {
    expect(requireMigrationUrl(loadConfig({ DATABASE_URL: 'postgres://app@db/epi', DATABASE_OWNER_URL: 'postgres://owner@db/epi' }))).toBe('postgres://owner@db/epi');
    expect(requireMigrationUrl(loadConfig({ DATABASE_URL: 'postgres://app@db/epi' }))).toBe('postgres://app@db/epi');
  });

  it('turns on TLS for an API key (Temporal Cloud)', () => {
    expect(loadConfig({ TEMPORAL_API_KEY: 'k', TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233' }).temporal.tls).toBeDefined();
  });
});

describe('time zone (EPI_TIME_ZONE, TZ)', () => {
  it.each(['Asia/Shanghai', 'Asia/Tokyo', 'Asia/Kolkata', 'UTC'])('takes %s, which keeps one UTC offset', (zone) => {
    expect(loadConfig({ EPI_TIME_ZONE: zone }).timeZone).toBe(zone);
  });

  it.each([
    [{ EPI_TIME_ZONE: 'Europe/Berlin' }, 'EPI_TIME_ZONE', /"Europe\/Berlin" changes its UTC offset \(\+0[12]:00 to \+0[12]:00 by \d{4}-\d{2}-\d{2}\)/],
    [{ TZ: 'America/New_York' }, 'TZ', /"America\/New_York" changes its UTC offset \(-0[45]:00 to -0[45]:00 by /],
    [{ EPI_TIME_ZONE: 'Australia/Sydney', TZ: 'Asia/Shanghai' }, 'EPI_TIME_ZONE', /"Australia\/Sydney" changes its UTC offset/],
  ])('refuses a zone with daylight saving, %j, in one line naming %s and the zones supported', (env, variable, reason) => {
    let message = '';
    try {
      loadConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe(variable);
      message = (error as ConfigError).message;
    }
    expect(message).toMatch(reason);
    expect(message).toMatch(/only zones that keep one offset are supported \(e\.g\. Asia\/Shanghai, Asia\/Tokyo, UTC\)/);
    expect(message).not.toContain('\n');
  });

  it('finds the first offset change of a zone, day by day', () => {
    // Berlin goes to summer time on the last Sunday of March: 2026-03-29.
    expect(nextOffsetChange('Europe/Berlin', Date.parse('2026-03-01T12:00:00Z'))).toEqual({ at: Date.parse('2026-03-29T12:00:00Z'), from: 60, to: 120 });
    expect(nextOffsetChange('Asia/Shanghai', Date.parse('2026-03-01T12:00:00Z'))).toBeUndefined();
  });

  it('writes local times with their offset', () => {
    expect(utcOffsetMinutes('Asia/Shanghai', Date.parse('2026-03-14T16:00:00Z'))).toBe(480);
    expect(zonedIso(Date.parse('2026-03-14T16:00:00Z'), 'Asia/Shanghai')).toBe('2026-03-15T00:00:00+08:00');
    expect(zonedIso(Date.parse('2026-03-14T16:00:00Z'), 'America/St_Johns')).toBe('2026-03-14T13:30:00-02:30');
  });
});

describe('payload keys (EPI_PAYLOAD_KEYS)', () => {
  const key = (fill: number, bytes = 32) => Buffer.alloc(bytes, fill).toString('base64');
  const refusal = (value: string) => {
    try {
      loadConfig({ EPI_PAYLOAD_KEYS: value });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe('EPI_PAYLOAD_KEYS');
      return (error as ConfigError).message;
    }
    throw new Error(`accepted ${value}`);
  };

  it('reads keyId:base64key entries, the first one active', () => {
    const { payloadKeys } = loadConfig({ EPI_PAYLOAD_KEYS: ` new-2:${key(2)}, old.1:${key(1)} ` }).temporal;
    expect(payloadKeys).toEqual({ activeKeyId: 'new-2', keys: { 'new-2': Buffer.alloc(32, 2), 'old.1': Buffer.alloc(32, 1) } });
  });

  it('is undefined when unset, and then entry points refuse to start', () => {
    const config = loadConfig({});
    expect(config.temporal.payloadKeys).toBeUndefined();
    expect(() => requirePayloadKeys(config)).toThrow(/EPI_PAYLOAD_KEYS: is not set \(npm start provides development keys in data\/secrets/);
  });

  it.each([
    ['a key that is not 32 bytes', `k1:${key(1, 16)}`, /key "k1" must be 32 bytes/],
    ['a key that is not base64', `k1:${'!'.repeat(44)}`, /key "k1" must be 32 bytes/],
    ['an entry without a key id', key(1), /entry 1 is not keyId:base64key/],
    ['a key id with other characters', `k/1:${key(1)}`, /entry 1 is not keyId:base64key/],
    ['a key id longer than 64', `${'k'.repeat(65)}:${key(1)}`, /entry 1 is not keyId:base64key/],
    ['an empty entry', `k1:${key(1)},`, /entry 2 is not keyId:base64key/],
    ['a key id twice', `k1:${key(1)},k1:${key(2)}`, /key id "k1" appears twice/],
  ])('refuses %s, naming the problem and never the key', (_, value, reason) => {
    const message = refusal(value);
    expect(message).toMatch(reason);
    for (const secret of value.split(',').map((entry) => entry.split(':').pop()!).filter(Boolean)) expect(message).not.toContain(secret);
  });
});

describe('codec CORS origins and worker metrics', () => {
  it('defaults to the dev server Web UI, and refuses an origin with a path', () => {
    expect(loadConfig({}).codecCorsOrigins).toEqual(['http://127.0.0.1:8233', 'http://localhost:8233']);
    expect(loadConfig({ EPI_CODEC_CORS_ORIGINS: 'https://temporal.example.org' }).codecCorsOrigins).toEqual(['https://temporal.example.org']);
    expect(() => loadConfig({ EPI_CODEC_CORS_ORIGINS: 'http://127.0.0.1:8233/ui' })).toThrow(/^EPI_CODEC_CORS_ORIGINS: /);
  });

  it('derives the worker metrics URL from WORKER_METRICS_PORT unless EPI_WORKER_METRICS_URL is given', () => {
    expect(loadConfig({ WORKER_METRICS_PORT: '9464' })).toMatchObject({ workerMetricsPort: 9464, workerMetricsUrl: 'http://127.0.0.1:9464/metrics' });
    expect(loadConfig({ WORKER_METRICS_PORT: '9464', EPI_WORKER_METRICS_URL: 'http://worker-1:9464/metrics' }).workerMetricsUrl).toBe('http://worker-1:9464/metrics');
    expect(() => loadConfig({ WORKER_METRICS_PORT: '99999' })).toThrow(/^WORKER_METRICS_PORT: /);
    expect(() => loadConfig({ EPI_WORKER_METRICS_URL: 'worker:9464' })).toThrow(/^EPI_WORKER_METRICS_URL: /);
  });
});

describe('logins', () => {
  it('trusts no proxy by default, and takes a hop count or a list of addresses, ranges and names', () => {
    expect(loadConfig({}).auth).toMatchObject({ trustProxy: false, maxFailedLogins: 5, maxFailedLoginsPerAddress: 20, lockoutSeconds: 900 });
    expect(loadConfig({ EPI_TRUST_PROXY: '1' }).auth.trustProxy).toBe(1);
    expect(loadConfig({ EPI_TRUST_PROXY: 'loopback, 10.0.0.0/8, fd00::/8' }).auth.trustProxy).toBe('loopback, 10.0.0.0/8, fd00::/8');
    expect(() => loadConfig({ EPI_TRUST_PROXY: 'everyone' })).toThrow(/^EPI_TRUST_PROXY: /);
    expect(() => loadConfig({ EPI_LOGIN_MAX_FAILURES_PER_ADDRESS: '0' })).toThrow(/^EPI_LOGIN_MAX_FAILURES_PER_ADDRESS: /);
  });
});

describe('vehicle dispatch', () => {
  const secret = 's'.repeat(32);

  it('dispatches through the notification channels by default, and names the webhook on the API port', () => {
    expect(loadConfig({ API_PORT: '3100' }).dispatch).toEqual({ url: undefined, token: undefined, webhookUrl: 'http://127.0.0.1:3100/dispatch/events', webhookSecret: undefined });
    const configured = { DISPATCH_URL: 'https://fleet.example/orders', DISPATCH_TOKEN: 't', DISPATCH_WEBHOOK_URL: 'https://epi.example/dispatch/events', DISPATCH_WEBHOOK_SECRET: secret };
    expect(loadConfig(configured).dispatch).toEqual({ url: 'https://fleet.example/orders', token: 't', webhookUrl: 'https://epi.example/dispatch/events', webhookSecret: secret });
  });

  it.each([
    [{ DISPATCH_URL: 'fleet.example/orders', DISPATCH_TOKEN: 't' }, 'DISPATCH_URL'],
    [{ DISPATCH_URL: 'https://fleet.example/orders' }, 'DISPATCH_TOKEN'],
    [{ DISPATCH_TOKEN: 't' }, 'DISPATCH_TOKEN'],
    [{ DISPATCH_WEBHOOK_URL: 'ftp://epi.example/dispatch/events' }, 'DISPATCH_WEBHOOK_URL'],
    [{ DISPATCH_WEBHOOK_SECRET: 'short' }, 'DISPATCH_WEBHOOK_SECRET'],
  ])('refuses %j naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(new RegExp(`^${variable}: `));
  });
});

describe('self-report links', () => {
  it('keys links with EPI_REPORT_LINK_SECRET, else with a key derived from EPI_JWT_SECRET (never the login key itself), and links to the API by default', () => {
    const jwt = 'j'.repeat(32);
    const own = loadConfig({ EPI_REPORT_LINK_SECRET: 'r'.repeat(32), EPI_JWT_SECRET: jwt, API_PORT: '3100' }).selfReport;
    expect(own).toEqual({ linkKey: Buffer.from('r'.repeat(32)), publicUrl: 'http://127.0.0.1:3100' });
    const derived = loadConfig({ EPI_JWT_SECRET: jwt }).selfReport.linkKey!;
    expect(derived).toHaveLength(32);
    expect(derived.equals(Buffer.from(jwt))).toBe(false);
    expect(loadConfig({}).selfReport.linkKey).toBeUndefined();
    expect(() => requireReportLinkKey(loadConfig({}))).toThrow(/^EPI_REPORT_LINK_SECRET: /);
    expect(loadConfig({ EPI_PUBLIC_URL: 'https://epi.example/ops/' }).selfReport.publicUrl).toBe('https://epi.example/ops');
  });

  it.each([
    [{ EPI_REPORT_LINK_SECRET: 'short' }, 'EPI_REPORT_LINK_SECRET'],
    [{ EPI_PUBLIC_URL: 'epi.example' }, 'EPI_PUBLIC_URL'],
    [{ EPI_PUBLIC_URL: 'https://epi.example/?a=1' }, 'EPI_PUBLIC_URL'],
  ])('refuses %j naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(new RegExp(`^${variable}: `));
  });
});
