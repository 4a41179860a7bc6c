/**
 * `npm run bench [-- --size 2000]`: the seed-scale benchmarks, each figure beside its baseline
 * (the bare Temporal primitive doing the same work in the same run, on the same dev server) and the
 * ratio. Starts its own embedded PostgreSQL and in-memory dev server on free ports, a worker as a
 * child process (so its memory is its own) and the API in this process. Results are printed and
 * written to bench-results/. `--help` lists the options.
 */
import 'reflect-metadata';
import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createApi } from '../api/api';
import { UsersService } from '../../libs/auth/users.service';
import { benchRosterThroughApi, HealthLatency, runRosterBench } from '../../bench/roster-bench';
import { runTransferPlanBench } from '../../bench/transfer-plan-bench';
import { processQuiet, watchProcesses } from '../../bench/machine-cpu';
import { BenchContext, benchCheckInBurst, benchEnrol, benchReleaseStorm, benchSupervisorList, Rate } from '../../bench/observation-bench';
import { PROJECT_ROOT, projectTools } from '../../libs/config/checkout';
import { loadConfig } from '../../libs/config/config';
import { createDataSource, runMigrations } from '../../libs/persistence/data-source';
import { newDatabasePassword, startEmbeddedPostgres } from '../../libs/persistence/embedded-postgres';
import { connectClient } from '../../libs/temporal/connection';
import { freePort, startDevServer } from '../../libs/temporal/dev-server';
import { newPayloadKeyEntry } from '../../libs/temporal/payload-codec';
import { prepareWorkerLaunch, spawnWorkerProcess } from '../../libs/temporal/worker-launch';
import { CATEGORIES, DEFAULT_RULES } from '../../workflows/observation/observation-policy';
import { localDate } from '../../libs/domain/local-time';
import { commandLine } from './command-line';

const args = commandLine('bench', {
  usage: 'npm run bench -- [options]',
  about: 'Runs the seed-scale benchmarks on servers of its own, each figure beside its baseline, and writes the table to bench-results/.',
  options: {
    size: { type: 'number', integer: true, default: 17_000, description: 'people enrolled, checking in and released' },
    concurrency: { type: 'number', integer: true, default: 64, description: 'calls at a time' },
    'list-rows': { type: 'number', integer: true, default: 100_000, description: 'observations behind the supervisor list' },
    'list-requests': { type: 'number', integer: true, default: 1_000, description: 'requests of the supervisor list' },
    only: { type: 'list', value: 'LIST', choices: ['enrol', 'checkin', 'storm', 'list', 'roster', 'transfer'], description: 'the benchmarks to run (all when left out), comma-separated' },
    'worker-node-args': { type: 'string', value: 'ARGS', description: 'node flags for the worker process, space-separated, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"' },
  },
}).values;
/** The bench's workers run the production workflows and the baselines (bench/workflows). */
const BENCH_WORKFLOWS_PATH = require.resolve('../../bench/workflows');
const wanted = (name: string) => !args.only || args.only.includes(name);
const workerNodeArgs = (args['worker-node-args'] ?? '').split(' ').filter(Boolean);

const rows: string[][] = [];
const f = (n: number | undefined, digits = 1) => (n === undefined ? '' : n.toFixed(digits));
function row(name: string, figure: string, baseline: string, ratio: string, target: string) {
  rows.push([name, figure, baseline, ratio, target]);
  console.log(`  ${name}: ${figure} | baseline ${baseline} | ratio ${ratio} | target ${target}`);
}
/** A figure with the machine's load while it was measured. */
const withLoad = (figure: string, rate: Rate) =>
  rate.machine ? `${figure} (machine ${(rate.machine.busy * 100).toFixed(0)}% busy, ${f(rate.machine.cpuMsEach, 2)} CPU-ms each)` : figure;
/** Who spent a figure's CPU, per call. */
const byProcess = (rate: Rate) =>
  Object.entries(rate.machine?.cpuMsEachByProcess ?? {})
    .map(([name, ms]) => `${name} ${f(ms, 2)}`)
    .join(', ');
const log = (line: string) => process.stderr.write(`\r[bench] ${line}        `);

/** A process's resident memory now (VmRSS) and at its peak so far (VmHWM), in MiB. */
function rssMiB(pid: number): { now: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)![1]);
  return { now: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

async function main(): Promise<void> {
  const { size, concurrency, 'list-rows': listRows, 'list-requests': listRequests } = args;
  const stops: Array<() => Promise<void>> = [];
  const cleanup = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epi-ops-bench-'));
    fs.chmodSync(dir, 0o777);
    const database = await startEmbeddedPostgres({ dir: path.join(dir, 'db'), port: await freePort(), password: newDatabasePassword() });
    stops.push(async () => {
      await database.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    await runMigrations(database.url);
    const server = await startDevServer({ cli: projectTools().temporalCli(), port: await freePort() });
    stops.push(server.stop);
    // Payloads encrypted as in production (a throwaway key unless EPI_PAYLOAD_KEYS is set), so the figures include the codec.
    const env = {
      ...process.env,
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_TASK_QUEUE: 'bench',
      API_PORT: String(await freePort()),
      EPI_PAYLOAD_KEYS: process.env.EPI_PAYLOAD_KEYS || newPayloadKeyEntry('bench'),
      EPI_JWT_SECRET: randomBytes(32).toString('base64'),
      // The storm records its observations in bulk before starting them with offsets of its own; a
      // reconciler pass in between would start some from their records, due at other times.
      EPI_RECONCILE_SECONDS: '0',
    };
    const config = loadConfig(env);

    const launch = await prepareWorkerLaunch(config, path.join(dir, 'workflow-bundle.js'), BENCH_WORKFLOWS_PATH);
    const worker: ChildProcess = spawnWorkerProcess(launch, env, { stdio: ['ignore', 'ignore', 'inherit'], nodeArgs: workerNodeArgs });
    stops.push(async () => {
      worker.kill('SIGTERM');
      await new Promise((resolve) => worker.once('exit', resolve));
    });
    // The API runs in this process: its per-request log lines would bury the bench's own output.
    process.env.EPI_HTTP_LOG ??= '0';
    const api = await createApi(config);
    await api.listen(config.apiPort, '127.0.0.1');
    stops.push(() => api.close());
    const client = await connectClient(config.temporal);
    stops.push(() => client.connection.close());
    const db = await createDataSource(database.url, { poolSize: 4 }).initialize();
    stops.push(() => db.destroy());
    // Reports must be accepted whenever the bench runs: a policy with one all-day slot, effective today.
    for (const category of CATEGORIES) {
      await db.query(`INSERT INTO observation_policy (id, category, version, effective_from, rules) VALUES ($1, $2, 2, $3, $4)`, [
        `${category}-bench`,
        category,
        localDate(Date.now(), 480),
        JSON.stringify({ ...DEFAULT_RULES, slots: [{ start: '00:00', end: '23:59' }], graceMinutes: 0 }),
      ]);
    }
    for (let i = 0; i < 120 && (await fetch(`http://127.0.0.1:${config.apiPort}/health`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 500));
    const apiUrl = `http://127.0.0.1:${config.apiPort}`;
    watchProcesses({ 'API and bench client': process.pid, worker: worker.pid!, 'dev server': server.process.pid!, PostgreSQL: database.process.pid! });
    const workerRssAtStart = rssMiB(worker.pid!).now;
    const password = randomBytes(18).toString('base64');
    await api.get(UsersService).create({ username: 'bench', displayName: 'bench', password, role: 'supervisor' });
    const login = (await (await fetch(`${apiUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench', password }) })).json()) as { accessToken: string };
    const ctx: BenchContext = { config, client, db, api, apiUrl, auth: { authorization: `Bearer ${login.accessToken}` }, concurrency, log };
    console.log(`\nbench: size ${size}, concurrency ${concurrency}, ${os.cpus().length} cores, ${new Date().toISOString()}`);

    const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
    if (wanted('enrol') || wanted('checkin')) {
      const { engine, baseline } = await benchEnrol(ctx, size);
      row('enrol (ledger import, persons/s)', withLoad(f(engine.perSecond), engine), withLoad(`${f(baseline.perSecond)} starts/s`, baseline), ratio(engine.perSecond, baseline.perSecond), '≥ 0.9×');
      row('  CPU-ms each, by process', byProcess(engine), byProcess(baseline), '', '');
    }
    if (wanted('checkin')) {
      const { engine, direct, request, baseline } = await benchCheckInBurst(ctx);
      row('check-in burst (HTTP reports/s)', withLoad(f(engine.perSecond), engine), withLoad(`${f(baseline.perSecond)} signals/s`, baseline), ratio(engine.perSecond, baseline.perSecond), '≥ 0.9×');
      row('  CPU-ms each, by process', byProcess(engine), byProcess(baseline), '', '');
      row('  report signals straight to the workflows (/s)', withLoad(f(direct.perSecond), direct), `${f(baseline.perSecond)} signals/s`, ratio(direct.perSecond, baseline.perSecond), '(the design’s primitive)');
      row('  an authenticated HTTP request alone (GET /auth/me, /s)', withLoad(f(request.perSecond), request), '', '', '(the HTTP floor)');
      row('  CPU-ms each, by process', byProcess(request), '', '', '');
      row('check-in p50 / p99 ms', `${f(engine.p50Ms, 0)} / ${f(engine.p99Ms, 0)}`, `${f(baseline.p50Ms, 0)} / ${f(baseline.p99Ms, 0)}`, ratio(engine.p99Ms!, baseline.p99Ms!), 'p99 ≤ 1.5×');
      // Measured once the worker has worked off the signals' tasks (a burst of signals outruns it).
      const settled = await processQuiet(worker.pid!);
      const rss = rssMiB(worker.pid!);
      row(`worker RSS, ${size} open observations touched${settled ? '' : ' (worker still busy after 10 min)'}: now / peak (MiB)`, `${f(rss.now, 0)} / ${f(rss.peak, 0)} (${f(workerRssAtStart, 0)} at start)`, `cache ${config.worker.maxCachedWorkflows}, heap ≤ ${config.worker.maxHeapMiB} MiB`, '', '≤ 1024 MiB');
    }
    if (wanted('storm')) {
      const { engine, baseline } = await benchReleaseStorm(ctx, size);
      row(`release storm (${size} due at once, s to all released)`, f(engine.seconds), `${f(baseline.seconds)} s (bare timers)`, ratio(engine.seconds, baseline.seconds), '≤ 1.5×');
    }
    if (wanted('list')) {
      const rate: Rate = await benchSupervisorList(ctx, listRows, listRequests);
      row(`supervisor list (${listRows} rows, ${listRequests} requests) p50 / p95 ms`, `${f(rate.p50Ms)} / ${f(rate.p95Ms)}`, '', '', 'p95 ≤ 50 ms');
    }
    if (wanted('roster')) {
      const roster = await runRosterBench({});
      row(
        `roster (${roster.instance.seats} seats, ${roster.instance.staff} staff)`,
        `${roster.initial.filled}/${roster.initial.seats} filled, ${roster.initial.violations} violations, night spread ${roster.initial.nightSpread}, ${f(roster.initial.solveMs / 1000, 2)} s`,
        '',
        '',
        '0 violations, ≤ 10 s',
      );
      row('roster war-time re-plan (one day)', `+${roster.warTime.addedSeats} seats, ${roster.warTime.changedFromPrevious} changed, ${f(roster.warTime.solveMs / 1000, 2)} s`, '', '', 'minimal change');
      const viaApi = await benchRosterThroughApi(ctx);
      const latency = (h: HealthLatency) => `p50 ${f(h.p50Ms)} / p99 ${f(h.p99Ms)} ms (max ${f(h.maxMs)}, ${h.requests} requests)`;
      row(
        `roster through the API (${viaApi.seats} seats, ${viaApi.staff} staff): GET /health meanwhile`,
        `${latency(viaApi.health.during)}; ${viaApi.filled}/${viaApi.seats} filled, solved in the worker in ${f(viaApi.solveMs / 1000, 2)} s, draft ${f(viaApi.untilDraftMs / 1000, 2)} s after the POST (answered 202 in ${f(viaApi.postAnsweredMs, 0)} ms)`,
        `solved on the API's event loop (before): ${latency(viaApi.health.onApiLoop)}; idle: ${latency(viaApi.health.idle)}`,
        '',
        'p99 ≤ 50 ms',
      );
    }
    if (wanted('transfer')) {
      for (const plan of runTransferPlanBench()) {
        row(`transfer plan ${plan.travellers} travellers / ${plan.vehicles} vehicles`, `${plan.trips} trips, ${plan.seatsUsed}/${plan.seatsOffered} seats, ${f(plan.planMs, 1)} ms`, '', '', '< 1 s');
      }
    }
    const table = ['| benchmark | figure | baseline | ratio | target |', '|---|---|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
    const out = path.join(PROJECT_ROOT, 'bench-results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.md`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `# npm run bench — size ${size}, concurrency ${concurrency}, ${os.cpus().length} cores, ${new Date().toISOString()}\n\n${table}\n`);
    console.log(`\n${table}\n\nwritten to ${out}`);
  } finally {
    await cleanup();
  }
}

main().catch((error) => {
  console.error(`\n[bench] ${(error as Error).stack ?? error}`);
  process.exit(1);
});
