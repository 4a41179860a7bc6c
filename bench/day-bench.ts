/**
 * A day in the life of a district (`npm run bench -- --only day`): one check-in slot of a group of
 * people under observation, their anchor dates spread over days 1–14 of the period, measured from
 * the slot's opening to the last missed-report notice, once for each design of the slot's work:
 * - own: each observation workflow keeps its own timers for the reminder and the miss deadline;
 * - cohort: one observation clock per task queue reminds everyone due in one statement and, at the
 *   end of grace, signals only those who have not reported.
 * Each design gets a group of its own (number prefix, subdistrict, community, worker account),
 * measured one after the other so neither runs on the other's load.
 */
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { DAY, MINUTE, localDate, localTime } from '../libs/domain/local-time';
import { utcOffsetMinutes } from '../libs/config/time-zone';
import { ObservationInput } from '../workflows/observation/observation.messages';
import { DEFAULT_RULES, ObservationPolicy } from '../workflows/observation/observation-policy';
import { baselineSignal } from './workflows/baseline.workflows';
import { MachineLoad, machineLoad, machineTicks, ticksSince } from './machine-cpu';
import { ensureObservationClock } from '../libs/temporal/observation-clock';
import { BenchContext, benchAccount, benchReleaseStorm, besideBaseline, measure, percentile, Rate, startObservations, waitFor } from './observation-bench';

export const DESIGNS = ['own', 'cohort'] as const;
export type Design = (typeof DESIGNS)[number];

/** Each workflow's input on a design: 'own' keeps the per-person slot timers (as before the clock); 'cohort' is an enrolment's, on the clock. */
export function onDesign(design: Design): (input: ObservationInput) => ObservationInput {
  return (input) => (design === 'own' ? { ...input, slotClock: 'own' } : input);
}

/** The cohort design needs the observation clock running on the bench's task queue (a worker starts it; this makes sure). */
export async function startCohortClock(ctx: BenchContext): Promise<void> {
  await ensureObservationClock(ctx.client, ctx.config);
}

/**
 * An SMS gateway that only counts: the arrival times of each message, by its Idempotency-Key (the
 * notification's id, which names what it is about). The worker and the API must be started with
 * its `url` as SMS_GATEWAY_URL.
 */
export interface CountingGateway {
  url: string;
  arrivals: Map<string, number[]>;
  stop(): Promise<void>;
}

export async function startCountingGateway(): Promise<CountingGateway> {
  const arrivals = new Map<string, number[]>();
  const server = http.createServer((req, res) => {
    const at = Date.now();
    const key = String(req.headers['idempotency-key'] ?? '');
    const times = arrivals.get(key);
    if (times) times.push(at);
    else arrivals.set(key, [at]);
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":true}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`,
    arrivals,
    stop: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** How late a kind of message or record came after its instant, and how many came of how many owed. */
export interface Lateness {
  expected: number;
  received: number;
  /** Arrivals beyond the first of the same message, and records beyond one per person. */
  duplicates: number;
  p50Ms?: number;
  p99Ms?: number;
  maxMs?: number;
}

export interface DayFigures {
  design: Design;
  size: number;
  opensAt: number;
  slotMinutes: number;
  graceMinutes: number;
  reminders: Lateness;
  /** When the reports began, after the opening, and how many reminders had arrived by then. */
  reportsBegan: { afterMs: number; reminded: number };
  reports: {
    accepted: number;
    /** Answered other than 201, by status. */
    refused: Record<string, number>;
    /** Reports paced evenly over the first half of what was left of the slot. */
    paced: { count: number; perSecond: number; p50Ms: number; p99Ms: number };
    /** The rest at once, `concurrency` in flight, beside bare signals to open workflows. */
    burst: Rate;
    baseline: Rate;
  };
  /** End of grace → each missed_report escalation row written, and its notice at the gateway. */
  escalations: Lateness & { ofReporters: number };
  notices: Lateness;
  /** The slot, from its opening until the last notice arrived (or the wait ran out). */
  slot: { seconds: number; perThousand: MachineLoad };
  /** The group's SMS sent at a second attempt or later (their sender's try failed; the relay or Temporal retried). */
  retried: number;
  /** `failed`: why the storm measured nothing (the slot's figures above it stand). */
  release: { count: number; seconds: number; baselineSeconds: number } | { count: number; failed: string };
  databaseBytes: number;
}

export interface DayOptions {
  size: number;
  slotMinutes: number;
  graceMinutes: number;
  /** Time limit of each wait for the engine's work. */
  timeoutMs: number;
}

/** The id a slot's message is stored and sent under: `${number}:reminder:${slotKey}`, `${number}:missed:${slotKey}@${account}:sms`. */
function messageOf(key: string): { number: string; purpose: string } | undefined {
  const match = /^([^:]+):(reminder|missed):/.exec(key);
  return match ? { number: match[1], purpose: match[2] } : undefined;
}

/** The first arrival of each message of a purpose for the group, less `since`; and the repeats. */
function arrivalsOf(gateway: CountingGateway, numbers: ReadonlySet<string>, purpose: string, since: number): { latencies: number[]; duplicates: number; people: Set<string> } {
  const latencies: number[] = [];
  const people = new Set<string>();
  let duplicates = 0;
  for (const [key, times] of gateway.arrivals) {
    const message = messageOf(key);
    if (!message || message.purpose !== purpose || !numbers.has(message.number)) continue;
    // Another message of the same purpose to the same person is a duplicate too.
    duplicates += times.length - 1 + (people.has(message.number) ? 1 : 0);
    people.add(message.number);
    latencies.push(Math.min(...times) - since);
  }
  return { latencies, duplicates, people };
}

function latenessOf(expected: number, latencies: number[], duplicates: number): Lateness {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { expected, received: sorted.length, duplicates, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted[sorted.length - 1] };
}

/** Until `read` counts `target` or the time is up: the count reached either way (a wait that ran out is logged). */
async function countUntil(ctx: BenchContext, what: string, read: () => Promise<number>, target: number, timeoutMs: number): Promise<number> {
  try {
    return await waitFor(what, read, target, timeoutMs, (n) => ctx.log(`${what} ${n}/${target}`));
  } catch (error) {
    const reached = await read();
    ctx.log(`${what}: ${reached}/${target} when the wait ran out (${(error as Error).message})\n`);
    return reached;
  }
}

/** A report not answered within this is counted refused (status 0) rather than waited for. */
const REPORT_TIMEOUT_MS = 60_000;

const sleepUntil = (at: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

/** One design's slot, on a group of its own: the figures of DayFigures. */
export async function benchDay(ctx: BenchContext, gateway: CountingGateway, design: Design, options: DayOptions): Promise<DayFigures> {
  const { size, slotMinutes, graceMinutes, timeoutMs } = options;
  if (design === 'cohort') await startCohortClock(ctx);
  const tag = `DAY${design.toUpperCase()}`;
  const community = `${design}-community`;
  const say = (line: string) => ctx.log(`day ${design}: ${line}`);

  // The community's worker: the missed-report notices go to their mobile, and they take the reports.
  const username = `${design}-worker`;
  const asWorker = await benchAccount(ctx.api, ctx.apiUrl, { username, role: 'community_worker', subdistrict: tag, community, mobile: '13900139000', channels: ['sms'] });

  // One slot opening at a whole minute, far enough ahead to record and start everyone first.
  const offset = utcOffsetMinutes(ctx.config.timeZone);
  const opensAt = Math.ceil((Date.now() + Math.max(MINUTE, size * 20)) / MINUTE) * MINUTE;
  const closesAt = opensAt + slotMinutes * MINUTE;
  const deadline = closesAt + graceMinutes * MINUTE;
  if (localDate(opensAt, offset) !== localDate(deadline, offset)) throw new Error(`day ${design}: the slot and its grace would cross local midnight (${ctx.config.timeZone}); run again after midnight`);
  const policy: ObservationPolicy = {
    id: `B-day-${design}`,
    category: 'B',
    version: 1000 + DESIGNS.indexOf(design),
    // A date of its own per design ((category, effective_from) is unique) that no enrolment reaches.
    effectiveFrom: `2099-12-${28 - DESIGNS.indexOf(design)}`,
    rules: { ...DEFAULT_RULES, slots: [{ start: localTime(opensAt, offset), end: localTime(closesAt, offset) }], reminderMinutes: 0, graceMinutes },
  };
  await ctx.db.query(`INSERT INTO observation_policy (id, category, version, effective_from, rules) VALUES ($1, $2, $3, $4, $5)`, [policy.id, policy.category, policy.version, policy.effectiveFrom, JSON.stringify(policy.rules)]);
  say(`starting ${size} observations, slot ${policy.rules.slots[0].start}-${policy.rules.slots[0].end} local (${new Date(opensAt).toISOString()}), grace ${graceMinutes} min`);
  const enrolledAt = Date.now();
  const numbers = await startObservations(ctx.db, ctx.client, ctx.config, {
    prefix: tag,
    subdistrict: tag,
    community,
    responsibleWorker: username,
    policy,
    utcOffsetMinutes: offset,
    size,
    // Day (i mod 14) + 1 of the period today: a fourteenth of them on each day, day 14's released at midnight.
    anchorDateOf: (i) => localDate(enrolledAt - (i % 14) * DAY, offset),
    concurrency: ctx.concurrency,
    inputOf: onDesign(design),
  });
  const group = new Set(numbers);
  // Nine in ten report, spread over the group's days; the tenth misses.
  const reporters = numbers.filter((_, i) => i % 10 !== 9);
  const paced = reporters.slice(0, Math.round((reporters.length * 2) / 3));
  const burst = reporters.slice(paced.length);
  const sinks = Array.from({ length: burst.length }, (_, i) => `bench-day-sink-${design}-${i}-${randomUUID()}`);
  await measure(sinks.length, ctx.concurrency, (i) => ctx.client.workflow.start('baselineSignalWorkflow', { taskQueue: ctx.config.temporal.taskQueue, workflowId: sinks[i] }));
  if (Date.now() > opensAt) throw new Error(`day ${design}: starting ${size} observations took past the slot's opening; nothing measured`);
  say(`started; the slot opens in ${((opensAt - Date.now()) / 1000).toFixed(0)} s`);
  await sleepUntil(opensAt);
  const slotTicks = machineTicks();

  // Reminders first: a report that overtook its person's reminder would cancel it.
  const reminded = () => Promise.resolve(arrivalsOf(gateway, group, 'reminder', opensAt).people.size);
  await countUntil(ctx, `day ${design}: reminders at the gateway`, reminded, size, Math.max(0, (closesAt - opensAt) / 2 - (Date.now() - opensAt)));
  const reportsBegan = { afterMs: Date.now() - opensAt, reminded: await reminded() };

  const refused: Record<string, number> = {};
  const accepted = new Set<string>();
  const report = async (number: string) => {
    const response = await fetch(`${ctx.apiUrl}/observations/${number}/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...asWorker },
      body: JSON.stringify({ temperature: 36.5, source: 'worker', channel: 'phone_call', requestId: `day-${design}-${number}` }),
      signal: AbortSignal.timeout(REPORT_TIMEOUT_MS),
    }).catch((error: Error) => ({ status: 0, text: () => Promise.resolve(error.message) }));
    if (response.status === 201) accepted.add(number);
    else {
      const text = await response.text();
      const key = `${response.status}${/RESOURCE_EXHAUSTED/.test(text) ? ' RESOURCE_EXHAUSTED' : ''}`;
      refused[key] = (refused[key] ?? 0) + 1;
    }
  };
  // Paced over the first half of what is left of the slot, each at its own instant.
  const pacedFrom = Date.now();
  const pacedMs = (closesAt - pacedFrom) / 2;
  const pacedLatencies: number[] = [];
  let next = 0;
  say(`${paced.length} reports over ${(pacedMs / 1000).toFixed(0)} s, then a burst of ${burst.length}`);
  await Promise.all(
    Array.from({ length: ctx.concurrency }, async () => {
      while (next < paced.length) {
        const i = next++;
        await sleepUntil(pacedFrom + (i * pacedMs) / paced.length);
        const t = performance.now();
        await report(paced[i]);
        pacedLatencies.push(performance.now() - t);
      }
    }),
  );
  const pacedSeconds = (Date.now() - pacedFrom) / 1000;
  pacedLatencies.sort((a, b) => a - b);
  const signalSink = (i: number) => ctx.client.workflow.getHandle(sinks[i]).signal(baselineSignal, { temperature: 36.5 });
  const { engine: burstRate, baseline } = await besideBaseline(ctx, sinks.length, signalSink, () => measure(burst.length, ctx.concurrency, (i) => report(burst[i]), ctx.settle));
  if (Date.now() > deadline) say(`the reports ran past the end of grace (${((Date.now() - deadline) / 1000).toFixed(0)} s): late ones were refused\n`);

  // Everyone not reported is owed one missed-report escalation and one notice to the worker.
  const missing = numbers.filter((n) => !accepted.has(n));
  await sleepUntil(deadline);
  const escalationsOf = async () =>
    (await ctx.db.query(`SELECT observation_number AS number, (extract(epoch FROM updated_at) * 1000)::float8 AS at FROM escalation WHERE kind = 'missed_report' AND observation_number LIKE $1`, [`${tag}-%`])) as Array<{ number: string; at: number }>;
  const escalatedPeople = async () => new Set((await escalationsOf()).map((e) => e.number)).size;
  await countUntil(ctx, `day ${design}: missed-report escalations`, escalatedPeople, missing.length, timeoutMs);
  const noticed = () => Promise.resolve(arrivalsOf(gateway, group, 'missed', deadline).people.size);
  await countUntil(ctx, `day ${design}: missed-report notices at the gateway`, noticed, missing.length, Math.max(10_000, timeoutMs - (Date.now() - deadline)));
  const slot = { seconds: (Date.now() - opensAt) / 1000, perThousand: machineLoad(ticksSince(slotTicks), size / 1000) };
  // The last wait may have ended on its count while reminders still trickle: they count as they arrived by now.
  const reminderArrivals = arrivalsOf(gateway, group, 'reminder', opensAt);
  const noticeArrivals = arrivalsOf(gateway, group, 'missed', deadline);
  const escalations = await escalationsOf();
  // Each person's first escalation row, less the end of grace; any further row is a duplicate.
  const escalated = new Map<string, number>();
  for (const e of escalations) escalated.set(e.number, Math.min(e.at - deadline, escalated.get(e.number) ?? Infinity));

  const [{ retried }] = await ctx.db.query(`SELECT count(*)::int AS retried FROM notification WHERE observation_number LIKE $1 AND channel = 'sms' AND state = 'sent' AND attempts > 1`, [`${tag}-%`]);
  // The day-14 fourteenth's release is the local midnight: out of the run's reach, so a storm of as many at one instant stands for it.
  const releasing = Math.max(1, Math.round(size / 14));
  say(`release storm of ${releasing}`);
  const release = await benchReleaseStorm(ctx, releasing, { prefix: `STORM${tag}`, inputOf: onDesign(design) }).then(
    (storm) => ({ count: releasing, seconds: storm.engine.seconds, baselineSeconds: storm.baseline.seconds }),
    (error: Error) => {
      say(`release storm: ${error.message}\n`);
      return { count: releasing, failed: error.message };
    },
  );
  const [{ bytes }] = await ctx.db.query(`SELECT pg_database_size(current_database())::float8 AS bytes`);
  return {
    design,
    size,
    opensAt,
    slotMinutes,
    graceMinutes,
    reminders: latenessOf(size, reminderArrivals.latencies, reminderArrivals.duplicates),
    reportsBegan,
    reports: {
      accepted: accepted.size,
      refused,
      paced: { count: paced.length, perSecond: paced.length / pacedSeconds, p50Ms: percentile(pacedLatencies, 50), p99Ms: percentile(pacedLatencies, 99) },
      burst: burstRate,
      baseline,
    },
    escalations: { ...latenessOf(missing.length, [...escalated.values()], escalations.length - escalated.size), ofReporters: [...escalated.keys()].filter((n) => accepted.has(n)).length },
    notices: latenessOf(missing.length, noticeArrivals.latencies, noticeArrivals.duplicates),
    slot,
    retried,
    release,
    databaseBytes: bytes,
  };
}
