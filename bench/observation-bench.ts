/**
 * Observation benchmarks at the seed's scale, each beside the bare Temporal primitive doing the same
 * count of the same kind of work at the same concurrency, on the same dev server, in the same run.
 */
import { INestApplication } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { eventually } from '../test/support/eventually';
import { makeLedgerFile, makeLedgerRecords } from '../test/support/ledger-fixtures';
import { AppConfig } from '../libs/config/config';
import { UserInput, UsersService } from '../libs/auth/users.service';
import { baselineSignal } from './workflows/baseline.workflows';
import { ObservationInput, observationWorkflowId, reportSignal } from '../workflows/observation/observation.messages';
import { DEFAULT_RULES, ObservationPolicy } from '../workflows/observation/observation-policy';
import { releaseAt } from '../workflows/observation/observation-schedule';
import { MINUTE, localDate } from '../libs/domain/local-time';
import { enrolledEntry } from '../workflows/observation/tracking-entry';
import { ObservationRepository } from '../libs/persistence/observation/observation.repository';
import { enrolmentService } from '../test/support/observation-fixtures';
import { wakeObservationClock } from '../libs/temporal/observation-clock';
import { addTicks, MachineLoad, machineLoad, machineQuiet, machineTicks, Ticks, ticksSince } from './machine-cpu';

export interface Rate {
  count: number;
  seconds: number;
  perSecond: number;
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  /** How busy the whole machine was meanwhile (0-1 of all cores), and its CPU time per call. */
  machine?: MachineLoad;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Runs `count` calls with `concurrency` in flight; returns throughput, latency percentiles and the
 * machine's load. With `settle`, the CPU counted runs on until it resolves: the work the calls queued
 * (a signal's workflow task runs after the call returns) is then counted to them, not to what follows.
 */
export async function measure(count: number, concurrency: number, call: (i: number) => Promise<unknown>, settle?: () => Promise<unknown>): Promise<Rate> {
  return rateOf(count, ...(await timeCalls(count, concurrency, call, settle)));
}

type Timed = [seconds: number, latencies: number[], ticks: Ticks];

async function timeCalls(count: number, concurrency: number, call: (i: number) => Promise<unknown>, settle?: () => Promise<unknown>): Promise<Timed> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const ticks = machineTicks();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        await call(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await settle?.();
  return [seconds, latencies, ticksSince(ticks)];
}

function rateOf(count: number, seconds: number, latencies: number[], ticks: Ticks): Rate {
  latencies.sort((a, b) => a - b);
  return {
    count,
    seconds,
    perSecond: count / seconds,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
    machine: machineLoad(ticks, count),
  };
}

/**
 * The baseline's calls in two halves, one before and one after the engine's work, counted as one:
 * the shared cores drift over minutes, and this way a drift weighs on both sides alike.
 */
export async function besideBaseline<T>(ctx: BenchContext, count: number, call: (i: number) => Promise<unknown>, engine: () => Promise<T>): Promise<{ engine: T; baseline: Rate }> {
  const half = Math.floor(count / 2);
  const [beforeSeconds, before, beforeTicks] = await timeCalls(half, ctx.concurrency, call, ctx.settle);
  const result = await engine();
  const [afterSeconds, after, afterTicks] = await timeCalls(count - half, ctx.concurrency, (i) => call(half + i), ctx.settle);
  ctx.log(`baseline ${(half / beforeSeconds).toFixed(1)}/s before, ${((count - half) / afterSeconds).toFixed(1)}/s after\n`);
  return { engine: result, baseline: rateOf(count, beforeSeconds + afterSeconds, [...before, ...after], addTicks(beforeTicks, afterTicks)) };
}

/** Until `read` counts `target`, printing progress; a bench step may take many minutes. */
export function waitFor(what: string, read: () => Promise<number>, target: number, timeoutMs: number, onProgress?: (n: number) => void): Promise<number> {
  return eventually(read, (n) => n >= target, { what, timeoutMs, intervalMs: 250, onValue: onProgress });
}

/** One person per observation (one record per person), inserted in bulk; returns their ids in order. */
async function insertPeople(db: DataSource, documentNumbers: string[], subdistrict: string): Promise<string[]> {
  const rows: Array<{ id: string; document_number: string }> = await db.query(
    `INSERT INTO person (name, document_type, document_number, mobile, subdistrict, community, building, unit)
     SELECT 'bench', 'passport', d, '13800138000', $2, 'bench', '1', '1' FROM unnest($1::text[]) AS d RETURNING id, document_number`,
    [documentNumbers, subdistrict],
  );
  const ids = new Map(rows.map((r) => [r.document_number, r.id]));
  return documentNumbers.map((d) => ids.get(d)!);
}

/** A new account of the bench's (a random password), logged in through the API: its bearer header. */
export async function benchAccount(api: INestApplication, apiUrl: string, account: Omit<UserInput, 'displayName' | 'password'>): Promise<{ authorization: string }> {
  const password = randomBytes(18).toString('base64');
  await api.get(UsersService).create({ ...account, displayName: account.username, password });
  const login = await fetch(`${apiUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: account.username, password }) });
  if (login.status !== 200) throw new Error(`login of ${account.username}: ${login.status} ${await login.text()}`);
  return { authorization: `Bearer ${((await login.json()) as { accessToken: string }).accessToken}` };
}

export interface BenchContext {
  config: AppConfig;
  client: Client;
  db: DataSource;
  api: INestApplication;
  apiUrl: string;
  /** A district-wide supervisor's bearer header: the bench pays for login checks like any caller. */
  auth: { authorization: string };
  concurrency: number;
  log: (line: string) => void;
  /** Until the worker has worked off the tasks queued so far (a burst of signals outruns it). */
  settle: () => Promise<unknown>;
}

/** A 17,000-person ledger imported end to end (validated, stored, one workflow each) vs bare starts. */
export async function benchEnrol(ctx: BenchContext, size: number) {
  const today = localDate(Date.now(), 480);
  const file = await makeLedgerFile(makeLedgerRecords(size, { seed: 42, anchorDate: today, subdistrict: 'BENCH' }), 'csv');
  const form = new FormData();
  form.append('file', new Blob([file]), 'bench.csv');
  const start = () => ctx.client.workflow.start('baselineNoopWorkflow', { taskQueue: ctx.config.temporal.taskQueue, workflowId: `bench-start-${randomUUID()}` });
  return besideBaseline(ctx, size, start, async (): Promise<Rate> => {
    const started = performance.now();
    const ticks = machineTicks();
    const job = (await (await fetch(`${ctx.apiUrl}/persons/import`, { method: 'POST', body: form, headers: ctx.auth })).json()) as { id: string };
    const status = await eventually(
      async () => (await (await fetch(`${ctx.apiUrl}/imports/${job.id}?results=none`, { headers: ctx.auth })).json()) as { state: string; processedRows: number; error?: string },
      (s) => s.state !== 'running',
      { what: 'import', timeoutMs: 60 * 60_000, intervalMs: 250, onValue: (s) => ctx.log(`enrol ${s.processedRows}/${size}`) },
    );
    if (status.state !== 'done') throw new Error(`import ${status.state}: ${status.error}`);
    const seconds = (performance.now() - started) / 1000;
    const load = ticksSince(ticks);
    const [{ accepted }] = await ctx.db.query(`SELECT accepted FROM import_job WHERE id = $1`, [job.id]);
    return { count: accepted, seconds, perSecond: accepted / seconds, machine: machineLoad(load, accepted) };
  });
}

/** One report from each person through the HTTP API at a slot opening vs bare signals. */
export async function benchCheckInBurst(ctx: BenchContext) {
  const numbers: string[] = (await ctx.db.query(`SELECT number FROM observation WHERE subdistrict = 'BENCH' AND status = 'active' ORDER BY number`)).map((r: { number: string }) => r.number);
  // A slot opens on a settled system: every enrolled workflow has run its first task (it writes the 'enrolled' line).
  const settling = performance.now();
  await waitFor('enrolled workflows settle', async () => {
    const [{ n }] = await ctx.db.query(`SELECT count(*)::int AS n FROM tracking_log WHERE kind = 'enrolled' AND observation_number LIKE 'BENCH-%'`);
    return n;
  }, numbers.length, 30 * 60_000);
  ctx.log(`check-in: enrolled workflows settled ${((performance.now() - settling) / 1000).toFixed(1)} s after the import finished`);
  // What an HTTP request costs before any report work (the round trip and the login check alone),
  // measured first, once the enrolment's queued workflow tasks no longer share the cores with it.
  if (!(await machineQuiet())) ctx.log('the machine stayed busy for 10 minutes; measuring anyway\n');
  const request = await measure(numbers.length, ctx.concurrency, async () => {
    const response = await fetch(`${ctx.apiUrl}/auth/me`, { headers: ctx.auth });
    if (response.status !== 200) throw new Error(`GET /auth/me: ${response.status}`);
    await response.arrayBuffer();
  });
  const sinks = Array.from({ length: numbers.length }, (_, i) => `bench-sink-${i}-${randomUUID()}`);
  await measure(sinks.length, ctx.concurrency, (i) => ctx.client.workflow.start('baselineSignalWorkflow', { taskQueue: ctx.config.temporal.taskQueue, workflowId: sinks[i] }));
  const signalSink = (i: number) => ctx.client.workflow.getHandle(sinks[i]).signal(baselineSignal, { temperature: 36.5 });
  const { engine, baseline } = await besideBaseline(ctx, sinks.length, signalSink, async () => {
    const http = await measure(numbers.length, ctx.concurrency, async (i) => {
      const response = await fetch(`${ctx.apiUrl}/observations/${numbers[i]}/reports`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...ctx.auth },
        body: JSON.stringify({ temperature: 36.5, requestId: `bench-${i}` }),
      });
      if (response.status !== 201) throw new Error(`report ${numbers[i]}: ${response.status} ${await response.text()}`);
    }, ctx.settle);
    // The design's own primitive without the API: the same report signal sent straight to each observation workflow.
    const direct = await measure(numbers.length, ctx.concurrency, (i) =>
      ctx.client.workflow.getHandle(observationWorkflowId(numbers[i])).signal(reportSignal, { requestId: `bench-direct-${i}`, at: Date.now(), temperature: 36.5, source: 'person' }),
      ctx.settle,
    );
    return { http, direct };
  });
  return { engine: engine.http, direct: engine.direct, request, baseline };
}

/** A group of observations the bench records and starts itself, one person (with a mobile) each. */
export interface ObservationGroup {
  /** The numbers' prefix: `${prefix}-${category}-000000` on. */
  prefix: string;
  subdistrict: string;
  community: string;
  responsibleWorker: string;
  policy: ObservationPolicy;
  utcOffsetMinutes: number;
  size: number;
  /** The i-th observation's anchor date. */
  anchorDateOf: (i: number) => string;
  concurrency: number;
  /** Each workflow's input as the bench wants it started (the design a group is measured on). */
  inputOf?: (input: ObservationInput) => ObservationInput;
}

/**
 * Records a group's people and observations in PostgreSQL in bulk, then starts each as an
 * enrolment does (its first line, then its workflow). Returns their numbers, in order.
 */
export async function startObservations(db: DataSource, client: Client, config: AppConfig, group: ObservationGroup): Promise<string[]> {
  const { prefix, subdistrict, community, responsibleWorker, policy, utcOffsetMinutes, size } = group;
  const startedAt = Date.now();
  const numbers = Array.from({ length: size }, (_, i) => `${prefix}-${policy.category}-${String(i).padStart(6, '0')}`);
  const anchorDates = numbers.map((_, i) => group.anchorDateOf(i));
  const releaseDues = anchorDates.map((anchorDate) => new Date(releaseAt({ anchorDate, utcOffsetMinutes, rules: policy.rules })));
  const personIds = await insertPeople(db, numbers, subdistrict);
  const enrolment = enrolmentService(db, client, config);
  const observations = new ObservationRepository(db);
  // As an enrolment does, on the task queue's observation clock unless the group says otherwise.
  const inputOf = (i: number) =>
    (group.inputOf ?? ((input: ObservationInput) => input))({
      number: numbers[i], personId: personIds[i], category: policy.category, subdistrict, community, responsibleWorker, anchorDate: anchorDates[i], startedAt, utcOffsetMinutes, policy, enrolmentRecorded: true, slotClock: config.temporal.taskQueue,
    });
  const slotClock = inputOf(0).slotClock;
  await db.query(
    `INSERT INTO observation (number, person_id, category, status, subdistrict, community, responsible_worker, anchor_date, policy_id, started_at, release_due_at, slot_clock)
     SELECT n, p, $1, 'active', $2, $3, $4, a, $5, $6, r, $11 FROM unnest($7::text[], $8::uuid[], $9::date[], $10::timestamptz[]) AS t(n, p, a, r)`,
    [policy.category, subdistrict, community, responsibleWorker, policy.id, new Date(startedAt), numbers, personIds, anchorDates, releaseDues, slotClock === 'own' ? null : slotClock],
  );
  // The clock learns of a policy it has no observation on yet, as from an enrolment.
  await wakeObservationClock(client, config);
  await measure(size, group.concurrency, async (i) => {
    const input = inputOf(i);
    // The rows went in above in bulk; the first line and the start are an enrolment's own.
    await observations.appendTrackingLog(input.number, [enrolledEntry(input)]);
    await enrolment.start(input);
  });
  return numbers;
}

/**
 * Starts `size` observations that all fall due for release at `dueAt` (a whole minute): a one-day
 * test policy and a UTC offset that puts the end of the anchor day exactly there. Returns their numbers.
 */
export async function startObservationsDueAt(
  db: DataSource,
  client: Client,
  config: AppConfig,
  options: { size: number; dueAt: number; prefix: string; concurrency: number; inputOf?: ObservationGroup['inputOf'] },
): Promise<string[]> {
  const { dueAt, prefix } = options;
  const anchorDate = new Date(dueAt - 86_400_000).toISOString().slice(0, 10);
  const utcOffsetMinutes = (Date.UTC(+anchorDate.slice(0, 4), +anchorDate.slice(5, 7) - 1, +anchorDate.slice(8, 10)) + 86_400_000 - dueAt) / MINUTE;
  const policy = { id: 'TEST-one-day', category: 'D' as const, version: 999, effectiveFrom: '2099-12-31', rules: { ...DEFAULT_RULES, periodDays: 1, slots: [{ start: '00:00', end: '00:01' }], graceMinutes: 0 } };
  await db.query(`INSERT INTO observation_policy (id, category, version, effective_from, rules) VALUES ($1, 'D', 999, $2, $3) ON CONFLICT DO NOTHING`, [policy.id, policy.effectiveFrom, JSON.stringify(policy.rules)]);
  return startObservations(db, client, config, { ...options, subdistrict: prefix, community: 'storm', responsibleWorker: 'bench', policy, utcOffsetMinutes, anchorDateOf: () => anchorDate });
}

/** How many of a prefix's observations are released with their release notice recorded. */
export async function releasedWithNotice(db: DataSource, prefix: string): Promise<number> {
  const [{ n }] = await db.query(
    `SELECT count(*)::int AS n FROM observation o JOIN notification n ON n.id = o.number || ':release' WHERE o.subdistrict = $1 AND o.status = 'released'`,
    [prefix],
  );
  return n;
}

/**
 * N observations due at one instant vs N bare timers due at one instant, each measured from the
 * instant until all are done. A run may hold several storms, each of its own prefix.
 */
export async function benchReleaseStorm(ctx: BenchContext, size: number, options: { prefix?: string; inputOf?: ObservationGroup['inputOf'] } = {}) {
  const { prefix = 'STORM', inputOf } = options;
  const lead = Math.max(60_000, size * 40); // time to start them all before they fall due
  const dueAt = Math.ceil((Date.now() + lead) / MINUTE) * MINUTE;
  ctx.log(`storm: starting ${size} observations and ${size} timers due at ${new Date(dueAt).toISOString()}`);
  await startObservationsDueAt(ctx.db, ctx.client, ctx.config, { size, dueAt, prefix, concurrency: ctx.concurrency, inputOf });
  const timersDone = async () => (await ctx.client.workflow.count(`WorkflowType = 'baselineTimerWorkflow' AND ExecutionStatus = 'Completed'`)).count;
  const timersBefore = await timersDone();
  const timerDueAt = dueAt + Math.max(60_000, size * 30);
  await measure(size, ctx.concurrency, () => ctx.client.workflow.start('baselineTimerWorkflow', { taskQueue: ctx.config.temporal.taskQueue, workflowId: `bench-timer-${randomUUID()}`, args: [timerDueAt] }));
  if (Date.now() > dueAt) throw new Error('storm: starting took longer than the lead time; nothing measured');

  await new Promise((resolve) => setTimeout(resolve, dueAt - Date.now()));
  // Waited for until the bare timers' instant only: a storm not done by then is no figure beside them.
  await waitFor('release storm', () => releasedWithNotice(ctx.db, prefix), size, timerDueAt - Date.now(), (n) => ctx.log(`storm released ${n}/${size}`)).catch(async () => {
    const released = await releasedWithNotice(ctx.db, prefix);
    throw new Error(`storm: ${released} of ${size} released in the ${((timerDueAt - dueAt) / 1000).toFixed(0)} s before the bare timers' instant; rerun with a smaller size`);
  });
  const engineSeconds = (Date.now() - dueAt) / 1000;
  await new Promise((resolve) => setTimeout(resolve, timerDueAt - Date.now()));
  await waitFor(
    'bare timers',
    async () => (await timersDone()) - timersBefore,
    size,
    60 * 60_000,
    (n) => ctx.log(`timers completed ${n}/${size}`),
  );
  const baselineSeconds = (Date.now() - timerDueAt) / 1000;
  return { engine: { count: size, seconds: engineSeconds, perSecond: size / engineSeconds }, baseline: { count: size, seconds: baselineSeconds, perSecond: size / baselineSeconds } };
}

/** 100,000 observations in PostgreSQL, 1,000 filtered and paged list requests through the API. */
export async function benchSupervisorList(ctx: BenchContext, rows: number, requests: number) {
  const [{ n }] = await ctx.db.query(`SELECT count(*)::int AS n FROM observation`);
  const missing = Math.max(0, rows - n);
  if (missing) {
    const numbers = Array.from({ length: missing }, (_, i) => `LIST-${i}`);
    const personIds = await insertPeople(ctx.db, numbers, 'LIST');
    await ctx.db.query(
      `INSERT INTO observation (number, person_id, category, status, subdistrict, community, responsible_worker, anchor_date, policy_id, started_at, release_due_at, next_due_at)
       SELECT n, p, (ARRAY['A','B','C','D'])[1 + i % 4], (ARRAY['active','active','active','escalated','released','ended'])[1 + i % 6],
              'S' || (i % 5), 'community-' || (i % 37), 'worker-' || (i % 200), current_date, 'A-v1', now(), now() + interval '10 days',
              now() + (i % 48) * interval '1 hour'
       FROM unnest($1::text[], $2::uuid[]) WITH ORDINALITY AS t(n, p, i)`,
      [numbers, personIds],
    );
    await ctx.db.query('ANALYZE observation');
  }
  const statuses = ['active', 'escalated', 'released'];
  return measure(requests, 8, async (i) => {
    const query = new URLSearchParams({ subdistrict: `S${i % 5}`, community: `community-${i % 37}`, status: statuses[i % 3], page: String(1 + (i % 5)), pageSize: '50' });
    if (i % 4 === 0) query.set('category', 'ABCD'[i % 4]);
    if (i % 7 === 0) query.set('dueToday', 'true');
    const response = await fetch(`${ctx.apiUrl}/observations?${query}`, { headers: ctx.auth });
    if (!response.ok) throw new Error(`list: ${response.status}`);
    await response.arrayBuffer();
  });
}
