/**
 * `npm run cluster`: the system as a deployment that has outgrown one process runs it, on this
 * machine, and a check that nothing is lost or done twice there. It starts:
 *  - an embedded PostgreSQL server holding three databases: Temporal's persistence (`temporal`) and
 *    visibility (`temporal_visibility`), made and migrated with temporal-sql-tool, and the
 *    application's (`epi_ops`, migrated as its owner; the apps log in as `epi_ops_app`);
 *  - Temporal's own server binary (`temporal-server start`, all services in one process) on them,
 *    with a namespace of its own and the project's search attributes;
 *  - two worker processes and two API processes (different ports) from the build, and an SMS
 *    gateway standing in for the real one, counting what arrives.
 * Then, through both APIs in turn: a transfer day (a run of --travellers people dispatched and driven
 * to hand-over by escort commands) and an observation slot (--people enrolled on a policy whose slot
 * opens minutes later; most report, some twice through the other API, the rest miss it). One worker is
 * killed with SIGKILL in the middle of the transfer day and the other as the slot opens (each
 * started again, as a process supervisor would). It prints a table and exits 0 only if every check holds.
 *
 * Options: --travellers N (default 36), --people N (default 40), --keep (leave the data and logs).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { utcOffsetMinutes } from '../../libs/config/time-zone';
import { localDate, localTime, MINUTE } from '../../libs/domain/local-time';
import { appRoleUrl } from '../../libs/persistence/app-role';
import { createDataSource, runMigrations } from '../../libs/persistence/data-source';
import { newDatabasePassword, startEmbeddedPostgres } from '../../libs/persistence/embedded-postgres';
import { freePort } from '../../libs/temporal/dev-server';
import { newPayloadKeyEntry } from '../../libs/temporal/payload-codec';
import { eventually } from '../../test/support/eventually';
import { enrolmentRequest } from '../../test/support/observation-fixtures';
import { startGateway } from '../../test/support/sms-gateway';
import { manifestRow } from '../../test/transfer/transfer-fixtures';
import { AppProcess, startApiProcess, startApp, startWorkerProcess } from './processes';
import { PROJECT_ROOT } from '../../libs/config/checkout';
import { loadConfig } from '../../libs/config/config';
import { connectClient } from '../../libs/temporal/connection';
import { transferRunWorkflowId } from '../../workflows/transfer/transfer.messages';
import { loginOf, migrateTemporalSchemas, prepareNamespace, serverBinaries, startTemporalServer, TEMPORAL_SERVER_VERSION } from './temporal-server';

const { values: options } = parseArgs({
  options: {
    travellers: { type: 'string', default: '36' },
    people: { type: 'string', default: '40' },
    keep: { type: 'boolean', default: false },
  },
});
/** A whole number of at least `min` given as --`name`, or the process stops naming it. */
function wholeOption(name: string, min: number): number {
  const value = Number(options[name as 'people']);
  if (!Number.isInteger(value) || value < min) {
    process.stderr.write(`[cluster] --${name} must be a whole number of at least ${min}, got ${options[name as 'people']}\n`);
    process.exit(2);
  }
  return value;
}
const TRAVELLERS = wholeOption('travellers', 2);
// Two report with fever, a quarter do not report.
const PEOPLE = wholeOption('people', 4);
const NAMESPACE = 'epi-ops-cluster';
const TIME_ZONE = loadConfig(process.env).timeZone;
const WORKER_HEAP_MIB = 512;

const began = Date.now();
const log = (line: string) => process.stdout.write(`[cluster ${((Date.now() - began) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// HTTP through both APIs in turn

interface Api {
  name: string;
  url: string;
  requests: number;
  /** Answers 5xx or no answer, each retried. */
  failures: number;
}

const apis: Api[] = [];
let turn = 0;
let token = '';
/** Set when the run fails: every driver still sending stops at its next command. */
let abandoned = false;

interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function call(api: Api, method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  api.requests += 1;
  const response = await fetch(`${api.url}${route}`, {
    method,
    headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(120_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: response.status, body: parsed };
}

/**
 * A command as a client sends it: to the next API in turn, with an idempotency key; an answer of 5xx
 * (a worker down, Temporal busy) or none is sent again, with the same key, to the next API, until
 * `expected` comes or time is up. Any other answer is a failure naming the command.
 */
async function command(method: string, route: string, body: unknown, key: string | undefined, expected: number[], timeoutMs = 180_000, retried = (status: number) => status >= 500): Promise<Answer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (abandoned) throw new Error('the run was abandoned');
    const api = apis[turn++ % apis.length];
    let answer: Answer | undefined;
    let error = '';
    try {
      answer = await call(api, method, route, body, key ? { 'idempotency-key': key } : {});
      if (expected.includes(answer.status)) return answer;
      if (!retried(answer.status)) throw new Error(`${method} ${route} via ${api.name}: ${answer.status} ${JSON.stringify(answer.body)}`);
      error = `${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`;
    } catch (caught) {
      if (answer && !retried(answer.status)) throw caught;
      error = (caught as Error).message;
    }
    api.failures += 1;
    if (Date.now() > deadline) throw new Error(`${method} ${route}: no answer ${expected.join('/')} within ${timeoutMs / 1000} s (last: ${error})`);
    await sleep(1_000);
  }
}

// ---------------------------------------------------------------------------------------------
// The transfer day

interface TransferOutcome {
  runId: string;
  trips: number;
  travellers: number;
  home: number;
  result: Answer['body'];
}

/** Registers the day's resources, starts a run dispatched at once, and drives every trip to hand-over through the APIs. */
async function transferDay(onProgress: (handedOver: number) => void): Promise<TransferOutcome> {
  const prefix = `K${randomUUID().slice(0, 6)}`;
  const id = (x: string) => `${prefix}-${x}`;
  await command('POST', '/transfer/sorting-points', { id: id('SP'), name: 'Shunyi New Expo sorting point', address: '顺义新国展' }, undefined, [201]);
  await command('POST', '/transfer/destinations', { id: id('community'), kind: 'community', name: 'Meilong community', travelMinutes: 20, receiver: 'community desk', worker: 'worker Li' }, undefined, [201]);
  await command('POST', '/transfer/destinations', { id: id('hotel'), kind: 'hotel', name: 'Jinjiang quarantine hotel', travelMinutes: 30, capacity: TRAVELLERS, receiver: 'front desk' }, undefined, [201]);
  const vehicles = [...['V1', 'V2', 'V3'].map((v) => ({ v, seats: 4 })), { v: 'B1', seats: 14 }];
  for (const { v, seats } of vehicles) {
    await command('POST', '/transfer/vehicles', { id: id(v), plate: `京A·${prefix}${v}`, seats, driverName: `driver ${v}`, driverContact: '13900000000' }, undefined, [201]);
  }
  const escorts = ['E1', 'E2', 'E3', 'E4', 'E5'];
  for (const e of escorts) await command('POST', '/transfer/escorts', { id: id(e), name: `escort ${e}`, contact: '13700000000' }, undefined, [201]);

  const now = Date.now();
  const rows = Array.from({ length: TRAVELLERS }, (_, i) => (i % 2 === 0 ? manifestRow(id('community'), true, now - (TRAVELLERS - i) * MINUTE) : manifestRow(id('hotel'), false, now - (TRAVELLERS - i) * MINUTE)));
  const created = await command(
    'POST',
    '/transfer-runs',
    // Every trip dispatched at once, so the day runs in minutes of real time.
    { sortingPointId: id('SP'), dispatcher: 'dispatcher Zhao', supervisor: 'supervisor Wang', vehicleIds: vehicles.map((x) => id(x.v)), escortIds: escorts.map(id), travellers: rows, dispatch: true, rules: { dispatchLeadMinutes: 2880 } },
    `${prefix}-run`,
    [200, 201],
  );
  const { runId, plan } = created.body as { runId: string; plan: { trips: Array<{ tripId: string }> } };
  log(`transfer: run ${runId}, ${TRAVELLERS} travellers on ${plan.trips.length} trips`);
  const nameOf = (travellerId: string) => rows[Number(travellerId.slice(1)) - 1].name;
  let handedOver = 0;

  await Promise.all(
    plan.trips.map(async ({ tripId }) => {
      const route = `/transfer-runs/${runId}/trips/${tripId}`;
      // Answered once the run has started the trip's workflow.
      const trip = (await command('GET', route, undefined, undefined, [200], 180_000, () => true)).body as { destinationId: string; riders: Array<{ travellerId: string }> };
      const by = { by: 'escort Zhou' };
      const key = (step: string) => `${runId}:${tripId}:${step}`;
      // The trip's workflow answers before the run has recorded the trip in PostgreSQL, and a command
      // to a trip not recorded yet is answered 404: the first is sent again until it is.
      const first = trip.riders[0].travellerId;
      await command('POST', `${route}/boarded`, { travellerId: first, ...by }, key(`board-${first}`), [200], 60_000, (status) => status >= 500 || status === 404);
      for (const { travellerId } of trip.riders.slice(1)) await command('POST', `${route}/boarded`, { travellerId, ...by }, key(`board-${travellerId}`), [200]);
      await command('POST', `${route}/departed`, by, key('depart'), [200]);
      await command('POST', `${route}/arrived`, by, key('arrive'), [200]);
      const role = trip.destinationId.endsWith('hotel') ? 'hotel_staff' : 'community_worker';
      for (const { travellerId } of trip.riders) {
        const body = { travellerId, name: nameOf(travellerId), receiver: { name: `receiver at ${trip.destinationId}`, role }, ...by };
        await command('POST', `${route}/handed-over`, body, key(`hand-over-${travellerId}`), [200]);
        onProgress(++handedOver);
      }
    }),
  );
  const result = await eventually(
    () => command('GET', `/transfer-runs/${runId}`, undefined, undefined, [200]),
    (answer) => answer.body.run?.status === 'completed',
    { what: `transfer run ${runId} completed`, timeoutMs: 240_000, intervalMs: 2_000, show: (answer) => answer.body.run },
  );
  return { runId, trips: plan.trips.length, travellers: TRAVELLERS, home: Math.ceil(TRAVELLERS / 2), result: result.body.run };
}

// ---------------------------------------------------------------------------------------------
// The observation slot

interface Slot {
  opensAt: number;
  closesAt: number;
  deadline: number;
  key: string;
}

/** A category-A policy in force today whose one slot opens at the first whole minute `leadMs` from now (1 minute long, 1 minute of grace). */
async function slotPolicy(leadMs: number): Promise<Slot> {
  const offset = utcOffsetMinutes(TIME_ZONE);
  const opensAt = Math.ceil((Date.now() + leadMs) / MINUTE) * MINUTE;
  const closesAt = opensAt + MINUTE;
  if (localDate(opensAt, offset) !== localDate(closesAt + 2 * MINUTE, offset)) throw new Error('the slot would cross local midnight: run again in a few minutes');
  const rules = { periodDays: 14, slots: [{ start: localTime(opensAt, offset), end: localTime(closesAt, offset) }], reminderMinutes: 0, graceMinutes: 1, feverThreshold: 37.3, doorAllowedWindows: [] };
  await command('POST', '/observation-policies', { category: 'A', effectiveFrom: localDate(Date.now(), offset), rules }, undefined, [201]);
  return { opensAt, closesAt, deadline: closesAt + MINUTE, key: new Date(opensAt).toISOString() };
}

// ---------------------------------------------------------------------------------------------
// The run

interface Check {
  what: string;
  expected: string | number;
  found: string | number;
}

const checks: Check[] = [];
const passes = (c: Check) => String(c.expected) === String(c.found);
function check(what: string, expected: string | number, found: string | number): void {
  checks.push({ what, expected, found });
}

const figures: Array<[string, string]> = [];
const figure = (what: string, value: string) => figures.push([what, value]);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function printTable(): void {
  const rows = checks.map((c) => [passes(c) ? 'ok' : 'FAIL', c.what, String(c.expected), String(c.found)]);
  const widths = [4, ...[1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length), ['check', 'expected', 'found'][i - 1].length))];
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ');
  process.stdout.write(`\n${line(['', 'check', 'expected', 'found'])}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}\n${rows.map(line).join('\n')}\n\n`);
  const width = Math.max(...figures.map(([what]) => what.length));
  process.stdout.write(`${figures.map(([what, value]) => `${what.padEnd(width)}  ${value}`).join('\n')}\n\n`);
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(PROJECT_ROOT, 'dist', 'apps', 'worker', 'main.js'))) throw new Error('no build in dist/: run it as `npm run cluster`, which builds first');
  const binaries = serverBinaries();
  const stops: Array<() => Promise<unknown>> = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epi-ops-cluster-'));
  fs.chmodSync(dir, 0o755); // as root PostgreSQL runs as user postgres, which must reach its data folder
  const logs = path.join(dir, 'logs');
  fs.mkdirSync(logs);
  const logFile = (name: string) => path.join(logs, `${name}.log`);
  let passed = false;
  try {
    log(`temporal-server ${TEMPORAL_SERVER_VERSION}: ${binaries.server}; data and logs in ${dir}`);

    const database = await startEmbeddedPostgres({ dir: path.join(dir, 'postgres'), port: await freePort(), password: newDatabasePassword() });
    stops.push(database.stop);
    const login = loginOf(database.url);
    log(`PostgreSQL on ${login.host}:${login.port}`);
    await migrateTemporalSchemas(binaries.sqlTool, login);
    log('databases temporal and temporal_visibility made and migrated with temporal-sql-tool');
    const temporal = await startTemporalServer({ binary: binaries.server, dir: path.join(dir, 'temporal'), login, logFile: logFile('temporal-server') });
    stops.push(temporal.stop);
    await prepareNamespace(temporal.address, NAMESPACE);
    log(`temporal-server answers on ${temporal.address}; namespace ${NAMESPACE} and the search attributes registered`);

    const applied = await runMigrations(database.url);
    log(`application database: ${applied.length} migrations applied as its owner`);
    const gateway = await startGateway();
    stops.push(gateway.stop);

    const bundle = path.join(dir, 'workflow-bundle.js');
    const bundling = startApp('bundle', 'apps/cli/bundle-workflows', process.env, logFile('bundle'), { args: [bundle] });
    await bundling.exited;
    if (bundling.child.exitCode !== 0) throw new Error(`bundling the workflows failed (its log: ${bundling.logFile})`);

    const adminPassword = randomBytes(12).toString('base64url');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: await appRoleUrl(database.url),
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: NAMESPACE,
      EPI_TIME_ZONE: TIME_ZONE,
      EPI_DATA_DIR: dir,
      EPI_PAYLOAD_KEYS: newPayloadKeyEntry('cluster'),
      EPI_JWT_SECRET: randomBytes(32).toString('base64'),
      EPI_REPORT_LINK_SECRET: randomBytes(32).toString('base64'),
      EPI_ADMIN_PASSWORD: adminPassword,
      SMS_GATEWAY_URL: gateway.url,
      SMS_GATEWAY_TOKEN: 'gateway-token',
      EPI_OUTBOX_RELAY_SECONDS: '10',
      EPI_RECONCILE_SECONDS: '60',
      EPI_DAILY_REPORT_AT: 'off',
      WORKER_LOG_LEVEL: 'WARN',
      WORKER_WORKFLOW_BUNDLE: bundle,
    };
    delete env.DATABASE_OWNER_URL; // the apps log in as the application role only
    delete env.TEMPORAL_TASK_QUEUE;

    const processes: AppProcess[] = [];
    stops.push(() => Promise.all(processes.map((p) => p.stop())));
    let starts = 0;
    const startWorker = async (label: string) => {
      const name = `worker-${label}-${++starts}`;
      const worker = await startWorkerProcess(name, { ...env, WORKER_METRICS_PORT: String(await freePort()) }, logFile(name), WORKER_HEAP_MIB);
      processes.push(worker);
      return worker;
    };
    const workers = await Promise.all([startWorker('1'), startWorker('2')]);
    const started = await Promise.all(['A', 'B'].map(async (label) => startApiProcess(`api-${label}`, env, await freePort(), logFile(`api-${label}`))));
    processes.push(...started);
    apis.push(...started.map((a) => ({ name: a.name, url: a.url, requests: 0, failures: 0 })));
    log(`two workers (pids ${workers.map((w) => w.child.pid).join(', ')}) and two APIs (${apis.map((a) => a.url).join(', ')}) up`);

    /** Kills worker `i` with SIGKILL and starts another in its place, as a process supervisor would. */
    const killAndReplace = async (i: number, when: string) => {
      const victim = workers[i];
      victim.child.kill('SIGKILL');
      await victim.exited;
      log(`killed ${victim.name} (pid ${victim.child.pid}, ${victim.child.signalCode}) ${when}`);
      const killedAt = Date.now();
      workers[i] = await startWorker(String(i + 1));
      log(`${workers[i].name} polling in its place`);
      figure(`kill -9 of ${victim.name}`, `${when}; ${workers[i].name} polling ${seconds(Date.now() - killedAt)} later`);
    };

    // Logins: the first account, then a supervisor it opens; one token serves both APIs (one JWT secret).
    const adminLogin = await call(apis[0], 'POST', '/auth/login', { username: 'admin', password: adminPassword });
    if (adminLogin.status !== 200) throw new Error(`admin login: ${adminLogin.status} ${JSON.stringify(adminLogin.body)}`);
    token = adminLogin.body.accessToken;
    const supervisorPassword = randomBytes(12).toString('base64url');
    await command('POST', '/users', { username: 'cluster.supervisor', displayName: 'Supervisor Wang', password: supervisorPassword, role: 'supervisor' }, undefined, [201]);
    const supervisorLogin = await call(apis[1], 'POST', '/auth/login', { username: 'cluster.supervisor', password: supervisorPassword });
    if (supervisorLogin.status !== 200) throw new Error(`supervisor login: ${supervisorLogin.status} ${JSON.stringify(supervisorLogin.body)}`);
    token = supervisorLogin.body.accessToken;

    // The observation slot's policy first (enrolments take the policy in force), then the enrolments.
    const offset = utcOffsetMinutes(TIME_ZONE);
    const slot = await slotPolicy(Math.max(60_000, PEOPLE * 1_500));
    log(`observation: slot ${localTime(slot.opensAt, offset)}-${localTime(slot.closesAt, offset)} ${TIME_ZONE} (${slot.key}), grace to ${new Date(slot.deadline).toISOString()}`);
    const numbers: string[] = new Array(PEOPLE);
    let repeatsAnsweredAlike = 0;
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < PEOPLE) {
          const i = next++;
          const request = enrolmentRequest({ category: 'A', anchorDate: localDate(Date.now(), offset), mobile: `139${String(i).padStart(8, '0')}` });
          const first = await command('POST', '/persons', request, `cluster-enrol-${i}`, [200, 201]);
          numbers[i] = first.body.observationNumber;
          // The same request again (a client that lost the answer), through the other API: the same observation.
          const again = await command('POST', '/persons', request, `cluster-enrol-${i}`, [200]);
          if (again.body.observationNumber === numbers[i] && again.body.status === 'existing') repeatsAnsweredAlike += 1;
        }
      }),
    );
    log(`observation: ${PEOPLE} people enrolled, each twice through the two APIs, ${seconds(slot.opensAt - Date.now())} before the slot opens`);
    if (Date.now() > slot.opensAt - 5_000) throw new Error('the enrolments ended too close to the slot opening: run again with fewer --people');

    // The transfer day, with worker 1 killed a third of the way through the hand-overs; the slot goes on meanwhile.
    const transferBegan = Date.now();
    const killAt = Math.ceil(TRAVELLERS / 3);
    let killedInTransfer: Promise<void> | undefined;
    const transferring = transferDay((handedOver) => {
      if (handedOver === killAt) killedInTransfer = killAndReplace(0, `after ${handedOver} of ${TRAVELLERS} hand-overs`);
    }).then((outcome) => {
      figure('transfer day', `${outcome.travellers} travellers, ${outcome.trips} trips, start to completed ${seconds(Date.now() - transferBegan)}`);
      log(`transfer: run completed ${seconds(Date.now() - transferBegan)} after its start`);
      return outcome;
    });
    transferring.catch(() => undefined); // awaited below; a failure meanwhile must not end the process unhandled

    // The slot: worker 2 killed just after it opens (reminders being written), reports spread over the slot.
    await sleep(slot.opensAt + 1_000 - Date.now());
    const killedInSlot = killAndReplace(1, 'one second after the slot opened');
    const reporters = numbers.slice(0, Math.ceil(PEOPLE * 0.75));
    const missing = numbers.slice(reporters.length);
    const fevers = new Set(reporters.slice(0, 2));
    const window = slot.closesAt - 10_000 - (slot.opensAt + 5_000);
    const reportLatencies: number[] = [];
    let reportRepeatsAlike = 0;
    await Promise.all(
      reporters.map(async (number, j) => {
        await sleep(slot.opensAt + 5_000 + Math.floor((j * window) / reporters.length) - Date.now());
        const body = { temperature: fevers.has(number) ? 38.2 : 36.5 };
        const t = Date.now();
        const first = await command('POST', `/observations/${number}/reports`, body, `cluster-report-${number}`, [201], slot.deadline - Date.now());
        reportLatencies.push(Date.now() - t);
        // Sent again through the other API (the answer lost on the way): answered alike, counted once.
        const again = await command('POST', `/observations/${number}/reports`, body, `cluster-report-${number}`, [200, 201], slot.deadline - Date.now());
        if (again.body.requestId === first.body.requestId && again.body.slotKey === first.body.slotKey) reportRepeatsAlike += 1;
      }),
    );
    await killedInSlot;
    const transfer = await transferring;
    await killedInTransfer;
    reportLatencies.sort((a, b) => a - b);
    figure('reports (HTTP, during the slot)', `${reporters.length}, p50 ${percentile(reportLatencies, 50)} ms, max ${reportLatencies[reportLatencies.length - 1]} ms`);
    log(`observation: ${reporters.length} reported (each twice), ${missing.length} did not; waiting for the end of grace`);

    // After the end of grace: every miss escalated and every message out, or time is up.
    const db = await createDataSource(database.url, { poolSize: 2, applicationName: 'epi-ops-cluster' }).initialize();
    stops.push(() => db.destroy());
    const count = async (sql: string, params: unknown[]) => Number((await db.query(sql, params))[0].n);
    await sleep(slot.deadline - Date.now());
    await eventually(
      async () => ({
        missed: await count(`SELECT count(*) AS n FROM escalation WHERE kind = 'missed_report' AND observation_number = ANY($1)`, [numbers]),
        unsent: await count(`SELECT count(*) AS n FROM notification WHERE template = 'checkin_reminder' AND observation_number = ANY($1) AND state <> 'sent'`, [numbers]),
      }),
      (seen) => seen.missed >= missing.length && seen.unsent === 0,
      { what: 'every miss escalated and every reminder sent', timeoutMs: 180_000, intervalMs: 1_000 },
    ).catch((error: Error) => log(error.message)); // the checks below say what is missing
    figure('end of grace to last missed-report escalation', seconds(Number((await db.query(`SELECT extract(epoch FROM max(updated_at)) * 1000 AS n FROM escalation WHERE kind = 'missed_report' AND observation_number = ANY($1)`, [numbers]))[0].n) - slot.deadline));

    // ---- Checks: the transfer day
    check('transfer run status (API)', 'completed', transfer.result?.status);
    const people = (await db.query(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE handed_over_at IS NOT NULL)::int AS handed, count(*) FILTER (WHERE disposition = 'home_observation')::int AS home
       FROM transfer_traveller WHERE run_id = $1`,
      [transfer.runId],
    ))[0];
    check('travellers handed over (of the manifest)', `${TRAVELLERS} of ${TRAVELLERS}`, `${people.handed} of ${people.total}`);
    const admitted = (await db.query(`SELECT count(*)::int AS rows, count(DISTINCT person_id)::int AS people FROM observation WHERE client_request_id LIKE $1`, [`transfer:${transfer.runId}:%`]))[0];
    check('home observations started by hand-over (rows / people)', `${people.home} / ${people.home}`, `${admitted.rows} / ${admitted.people}`);
    const quarantined = (await db.query(`SELECT count(*)::int AS rows, count(DISTINCT traveller_id)::int AS people FROM centralized_quarantine WHERE run_id = $1`, [transfer.runId]))[0];
    check('quarantine admissions (rows / people)', `${TRAVELLERS - people.home} / ${TRAVELLERS - people.home}`, `${quarantined.rows} / ${quarantined.people}`);
    const client = await connectClient(loadConfig(env).temporal);
    stops.push(() => client.connection.close());
    let openTransferWorkflows = 0;
    for await (const execution of client.workflow.list({ query: `ExecutionStatus = 'Running' AND WorkflowId STARTS_WITH '${transferRunWorkflowId(transfer.runId)}'` })) {
      void execution;
      openTransferWorkflows += 1;
    }
    check('transfer workflows still running (run and trips, by visibility)', 0, openTransferWorkflows);

    // ---- Checks: the observation slot
    check('enrolments (observations / distinct people)', `${PEOPLE} / ${PEOPLE}`, `${await count(`SELECT count(*) AS n FROM observation WHERE number = ANY($1)`, [numbers])} / ${await count(`SELECT count(DISTINCT person_id) AS n FROM observation WHERE number = ANY($1)`, [numbers])}`);
    check('repeated enrolments answered with the same observation', PEOPLE, repeatsAnsweredAlike);
    check('repeated reports answered alike', reporters.length, reportRepeatsAlike);
    const reportLines = await count(`SELECT count(*) AS n FROM tracking_log WHERE kind = 'report' AND observation_number = ANY($1) AND slot_start = $2`, [numbers, new Date(slot.opensAt)]);
    check('reports in the tracking log (one per reporter)', reporters.length, reportLines);
    const states = await Promise.all(numbers.map((number) => command('GET', `/observations/${number}`, undefined, undefined, [200]).then((a) => a.body.state as { reportsReceived: number; missedSlots: number } | null)));
    const workflowView = (list: string[], reports: number, misses: number) => list.filter((n) => states[numbers.indexOf(n)]?.reportsReceived === reports && states[numbers.indexOf(n)]?.missedSlots === misses).length;
    check('workflows with 1 report, 0 misses (reporters)', reporters.length, workflowView(reporters, 1, 0));
    check('workflows with 0 reports, 1 miss (the rest)', missing.length, workflowView(missing, 0, 1));
    const perObservation = async (sql: string) => new Map<string, number>((await db.query(sql, [numbers])).map((r: { number: string; n: string }) => [r.number, Number(r.n)]));
    const missedBy = await perObservation(`SELECT observation_number AS number, count(*) AS n FROM escalation WHERE kind = 'missed_report' AND observation_number = ANY($1) GROUP BY 1`);
    check('missed-report escalations: one per person who did not report, none else', `${missing.length} people, ${missing.length} escalations`, `${missedBy.size} people, ${[...missedBy.values()].reduce((a, b) => a + b, 0)} escalations${[...missedBy.keys()].some((n) => reporters.includes(n)) ? ' (some on reporters)' : ''}`);
    const missedNotices = await count(`SELECT count(DISTINCT observation_number) AS n FROM notification WHERE template = 'missed_report' AND observation_number = ANY($1)`, [numbers]);
    check('people whose miss was notified', missing.length, missedNotices);
    const feverBy = await perObservation(`SELECT observation_number AS number, count(*) AS n FROM escalation WHERE kind = 'fever' AND observation_number = ANY($1) GROUP BY 1`);
    check('fever escalations: one per fever report', `${fevers.size} on ${[...fevers].sort().join(', ')}`, `${[...feverBy.values()].reduce((a, b) => a + b, 0)} on ${[...feverBy.keys()].sort().join(', ')}`);
    const reminderLines = await perObservation(`SELECT observation_number AS number, count(*) AS n FROM tracking_log WHERE kind = 'reminder' AND observation_number = ANY($1) GROUP BY 1`);
    check('people reminded more than once in the tracking log', 0, [...reminderLines.values()].filter((n) => n > 1).length);
    check('people who did not report and were reminded', missing.length, missing.filter((n) => reminderLines.has(n)).length);
    const reminders: Array<{ id: string; number: string; state: string }> = await db.query(`SELECT id, observation_number AS number, state FROM notification WHERE template = 'checkin_reminder' AND observation_number = ANY($1)`, [numbers]);
    check('reminder messages: one per reminder line, all sent', `${reminderLines.size} sent of ${reminderLines.size}`, `${reminders.filter((r) => r.state === 'sent').length} sent of ${reminders.length}`);
    const arrivals = new Map<string, number[]>();
    for (const message of gateway.received) if (message.idempotencyKey) arrivals.set(message.idempotencyKey, [...(arrivals.get(message.idempotencyKey) ?? []), message.at]);
    const reminderArrivals = reminders.filter((r) => arrivals.has(r.id));
    check('reminders received by the SMS gateway (distinct messages)', reminders.length, reminderArrivals.length);
    const resent = reminderArrivals.filter((r) => arrivals.get(r.id)!.length > 1).length;
    figure('reminders the gateway got twice (same Idempotency-Key, so one SMS)', String(resent));
    const lateness = reminderArrivals.map((r) => Math.min(...arrivals.get(r.id)!) - slot.opensAt).sort((a, b) => a - b);
    if (lateness.length) {
      const late = lateness.filter((ms) => ms > 10_000).length;
      figure('reminder lateness at the gateway (slot opening to arrival)', `p50 ${seconds(percentile(lateness, 50))}, p99 ${seconds(percentile(lateness, 99))}, max ${seconds(lateness[lateness.length - 1])}; ${late} of ${lateness.length} after 10 s`);
    }
    for (const api of apis) figure(`requests through ${api.name}`, `${api.requests} (${api.failures} sent again: answered 5xx, not at all, or a trip not recorded or started yet)`);
    figure('whole run', seconds(Date.now() - began));
    passed = checks.every(passes);
    printTable();
  } finally {
    abandoned = true;
    for (const stop of stops.reverse()) await stop().catch((error) => log(`stopping: ${(error as Error).message}`));
    if (passed && !options.keep) fs.rmSync(dir, { recursive: true, force: true });
    else log(`data and logs kept in ${dir}`);
  }
  if (!passed) throw new Error('some checks failed (FAIL above)');
  log('every check passed');
}

main().then(
  () => process.exit(0),
  (error) => {
    log(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
