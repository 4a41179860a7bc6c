/**
 * `npm run bench [-- --size 2000]`: the seed-scale benchmarks, each figure beside its baseline
 * (the bare Temporal primitive doing the same work in the same run, on the same dev server) and the
 * ratio. Starts its own embedded PostgreSQL and in-memory dev server on free ports, a worker as a
 * child process (so its memory is its own) and the API in this process. Results are printed and
 * written to bench-results/. `--help` lists the options.
 */
import 'reflect-metadata';
import { ChildProcess } from 'node:child_process';
import * as readline from 'node:readline';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createApi } from '../api/api';
import { benchRosterThroughApi, HealthLatency, runRosterBench } from '../../bench/roster-bench';
import { runTransferPlanBench } from '../../bench/transfer-plan-bench';
import { MachineLoad, processQuiet, watchProcesses } from '../../bench/machine-cpu';
import { benchDay, CountingGateway, DayFigures, Design, DESIGNS, startCountingGateway } from '../../bench/day-bench';
import { BenchContext, benchAccount, benchCheckInBurst, benchEnrol, benchReleaseStorm, benchSupervisorList, Rate } from '../../bench/observation-bench';
import { PROJECT_ROOT, projectTools } from '../../libs/config/checkout';
import { loadConfig } from '../../libs/config/config';
import { createDataSource, runMigrations } from '../../libs/persistence/data-source';
import { newDatabasePassword, startEmbeddedPostgres } from '../../libs/persistence/embedded-postgres';
import { connectClient } from '../../libs/temporal/connection';
import { freePort, startDevServer } from '../../libs/temporal/dev-server';
import { newPayloadKeyEntry } from '../../libs/temporal/payload-codec';
import { prepareWorkerLaunch, spawnWorkerProcess } from '../../libs/temporal/worker-launch';
import { ALL_DAY_RULES, CATEGORIES } from '../../workflows/observation/observation-policy';
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
    only: { type: 'list', value: 'LIST', choices: ['enrol', 'checkin', 'storm', 'list', 'roster', 'transfer', 'day'], description: 'the benchmarks to run (all when left out), comma-separated' },
    designs: { type: 'list', value: 'LIST', choices: DESIGNS, default: [...DESIGNS], description: 'day: the designs of the slot\'s work measured, each on a group of --size people' },
    'slot-minutes': { type: 'number', integer: true, default: 4, description: 'day: the length of the check-in slot' },
    'grace-minutes': { type: 'number', integer: true, default: 2, description: 'day: the grace after the slot, before a missing report is a miss' },
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
/** Temporal's RESOURCE_EXHAUSTED in the worker's log: its lines pass through, counted. */
let workerResourceExhausted = 0;

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
    // The day bench's SMS gateway, in the worker's and the API's environment from their start.
    let gateway: CountingGateway | undefined;
    if (wanted('day')) {
      gateway = await startCountingGateway();
      stops.push(gateway.stop);
      process.env.SMS_GATEWAY_URL = gateway.url;
    }
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
    const worker: ChildProcess = spawnWorkerProcess(launch, env, { stdio: ['ignore', 'ignore', 'pipe'], nodeArgs: workerNodeArgs });
    readline.createInterface({ input: worker.stderr! }).on('line', (line) => {
      if (line.includes('RESOURCE_EXHAUSTED')) workerResourceExhausted++;
      process.stderr.write(`${line}\n`);
    });
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
        JSON.stringify(ALL_DAY_RULES),
      ]);
    }
    for (let i = 0; i < 120 && (await fetch(`http://127.0.0.1:${config.apiPort}/health`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 500));
    const apiUrl = `http://127.0.0.1:${config.apiPort}`;
    watchProcesses({ 'API and bench client': process.pid, worker: worker.pid!, 'dev server': server.process.pid!, PostgreSQL: database.process.pid! });
    const workerRssAtStart = rssMiB(worker.pid!).now;
    const auth = await benchAccount(api, apiUrl, { username: 'bench', role: 'supervisor' });
    const ctx: BenchContext = { config, client, db, api, apiUrl, auth, concurrency, log, settle: () => processQuiet(worker.pid!) };
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
    let dayTable = '';
    if (wanted('day')) {
      const measured: Partial<Record<Design, DayFigures & { rss: { now: number; peak: number }; resourceExhausted: number }>> = {};
      const notMeasured: Partial<Record<Design, string>> = {};
      for (const design of args.designs as Design[]) {
        try {
          const figures = await benchDay(ctx, gateway!, design, { size, slotMinutes: args['slot-minutes'], graceMinutes: args['grace-minutes'], timeoutMs: Math.max(10 * 60_000, size * 60) });
          measured[design] = { ...figures, rss: rssMiB(worker.pid!), resourceExhausted: workerResourceExhausted };
          // The release storm failing keeps the slot's figures, and still fails the run.
          if ('failed' in figures.release) process.exitCode = 1;
        } catch (error) {
          console.error(`\n[bench] day ${design}: ${(error as Error).stack ?? error}`);
          notMeasured[design] = `not measured: ${(error as Error).message}`;
          process.exitCode = 1;
        }
      }
      dayTable = dayRows(size, measured, notMeasured, config.schedules.outboxRelaySeconds);
    }
    const mainTable = rows.length ? ['| benchmark | figure | baseline | ratio | target |', '|---|---|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n') : '';
    const table = [mainTable, dayTable].filter(Boolean).join('\n\n');
    const out = path.join(PROJECT_ROOT, 'bench-results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.md`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `# npm run bench — size ${size}, concurrency ${concurrency}, ${os.cpus().length} cores, ${new Date().toISOString()}\n\n${table}\n`);
    console.log(`\n${table}\n\nwritten to ${out}`);
  } finally {
    await cleanup();
  }
}

type DayMeasured = DayFigures & { rss: { now: number; peak: number }; resourceExhausted: number };

/** The day-in-the-life table: each figure of the old design beside the cohort design's, from the same run. */
function dayRows(size: number, measured: Partial<Record<Design, DayMeasured>>, notMeasured: Partial<Record<Design, string>>, relaySeconds: number): string {
  const s = (ms: number | undefined) => (ms === undefined ? '–' : (ms / 1000).toFixed(1));
  const lines: string[][] = [];
  /** A row: each design's cell, and the cohort design's figure over the old one's when both were measured. */
  const add = (name: string, cell: (d: DayMeasured) => string, target: string, figure?: (d: DayMeasured) => number | undefined) => {
    const [own, cohort] = [measured.own, measured.cohort];
    const ratio = own && cohort && figure && figure(own) ? `${(figure(cohort)! / figure(own)!).toFixed(2)}×` : '';
    // Why a design was not measured is said once, in its first row.
    const missing = (d: Design) => (lines.length ? '–' : (notMeasured[d] ?? 'not run'));
    lines.push([name, ...(['own', 'cohort'] as const).map((d) => (measured[d] ? cell(measured[d]!) : missing(d))), ratio, target]);
  };
  const count = (l: DayFigures['reminders']) => `${l.received}/${l.expected}, ${l.duplicates} duplicates`;
  // The engine's processes summed; "other" is everything else on the machine meanwhile (the kernel's network and disk work, other programs).
  const byProcessSeconds = ({ cpuMsEachByProcess: { other, ...engine } }: MachineLoad) =>
    `${f(Object.values(engine).reduce((a, b) => a + b, 0) / 1000, 2)} CPU-s (${Object.entries(engine)
      .map(([name, ms]) => `${name} ${f(ms / 1000, 2)}`)
      .join(', ')}; other ${f(other / 1000, 2)})`;
  const any = measured.own ?? measured.cohort;
  add('reminders: slot opening → at the gateway, p50 / p99 / max (s); received / owed', (d) => `${s(d.reminders.p50Ms)} / ${s(d.reminders.p99Ms)} / ${s(d.reminders.maxMs)}; ${count(d.reminders)}`, '≤ 60 s (17,000), ≤ 5 min (100,000); one each', (d) => d.reminders.maxMs);
  add('— reports began after the opening (once every reminder was in, at the latest mid-slot)', (d) => `+${s(d.reportsBegan.afterMs)} s, ${d.reportsBegan.reminded} reminders in by then`, '');
  add(
    'HTTP reports by the community worker, burst (/s) beside bare signals',
    (d) => `${f(d.reports.burst.perSecond)}/s vs ${f(d.reports.baseline.perSecond)} signals/s: ${f(d.reports.burst.perSecond / d.reports.baseline.perSecond, 2)}× (machine ${f((d.reports.burst.machine?.busy ?? 0) * 100, 0)}% busy)`,
    '≥ 0.9× bare signals',
    (d) => d.reports.burst.perSecond,
  );
  add(
    '— burst p50 / p99 ms beside bare signals',
    (d) => `${f(d.reports.burst.p50Ms, 0)} / ${f(d.reports.burst.p99Ms, 0)} vs ${f(d.reports.baseline.p50Ms, 0)} / ${f(d.reports.baseline.p99Ms, 0)}: p99 ${f(d.reports.burst.p99Ms! / d.reports.baseline.p99Ms!, 2)}×`,
    'p99 ≤ 1.5× bare p99',
    (d) => d.reports.burst.p99Ms,
  );
  add('— CPU-ms per report in the burst, by process (bare signal)', (d) => `${byProcess(d.reports.burst)} (bare: ${byProcess(d.reports.baseline)})`, '', (d) => d.reports.burst.machine?.cpuMsEach);
  add('— paced reports before the burst: count at /s, p50 / p99 ms', (d) => `${d.reports.paced.count} at ${f(d.reports.paced.perSecond)}/s: ${f(d.reports.paced.p50Ms, 0)} / ${f(d.reports.paced.p99Ms, 0)}`, '', (d) => d.reports.paced.p99Ms);
  add('— reports accepted; refused by status', (d) => `${d.reports.accepted}; ${Object.entries(d.reports.refused).map(([status, n]) => `${status}: ${n}`).join(', ') || 'none refused'}`, 'all accepted');
  add('missed-report escalations: end of grace → row written, p50 / p99 / max (s); rows / owed', (d) => `${s(d.escalations.p50Ms)} / ${s(d.escalations.p99Ms)} / ${s(d.escalations.maxMs)}; ${count(d.escalations)}, ${d.escalations.ofReporters} of people who reported`, '≤ 60 s (17,000), ≤ 5 min (100,000); one each', (d) => d.escalations.maxMs);
  add('missed-report notices: end of grace → at the gateway, p50 / p99 / max (s); received / owed', (d) => `${s(d.notices.p50Ms)} / ${s(d.notices.p99Ms)} / ${s(d.notices.maxMs)}; ${count(d.notices)}`, '≤ 60 s (17,000), ≤ 5 min (100,000); one each', (d) => d.notices.maxMs);
  add('whole slot (opening → last notice): seconds; CPU-s per 1,000 people, by process', (d) => `${f(d.slot.seconds)} s; ${byProcessSeconds(d.slot.perThousand)}`, '', (d) => d.slot.perThousand.cpuMsEach - d.slot.perThousand.cpuMsEachByProcess.other);
  add(
    `release: a storm of ${any ? any.release.count : Math.round(size / 14)} (the day-14 fourteenth) due at one instant, s to all released — the group's own midnight release is out of the run's reach`,
    ({ release: r }) => ('failed' in r ? `not measured: ${r.failed}` : `${f(r.seconds)} s vs bare timers ${f(r.baselineSeconds)} s: ${f(r.seconds / r.baselineSeconds, 2)}×`),
    '≤ 1.0× bare timers',
    ({ release: r }) => ('failed' in r ? undefined : r.seconds),
  );
  add('worker RSS after the design\'s run, now / peak so far (MiB)', (d) => `${f(d.rss.now, 0)} / ${f(d.rss.peak, 0)}`, '≤ 1024 MiB', (d) => d.rss.peak);
  add('PostgreSQL database size after the design\'s run (MiB, everything so far)', (d) => f(d.databaseBytes / 2 ** 20, 0), '');
  add('Temporal RESOURCE_EXHAUSTED in the worker\'s log so far', (d) => String(d.resourceExhausted), '0');
  add(
    `SMS of the group sent at a second attempt or later (the outbox relay runs every ${relaySeconds} s and retries what has been pending ≥ 60 s)`,
    (d) => String(d.retried),
    '0 (else the relay\'s period is in the figures above)',
  );
  const slot = any ? `, slot ${any.slotMinutes} min + grace ${any.graceMinutes} min` : '';
  return [`| day in the life, ${size} people${slot} | old design (own timers) | cohort design | cohort / old | target |`, '|---|---|---|---|---|', ...lines.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

main().catch((error) => {
  console.error(`\n[bench] ${(error as Error).stack ?? error}`);
  process.exit(1);
});
