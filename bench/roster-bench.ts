/**
 * Duty-roster benchmark: community gates covered 24 h in 3 × 8 h shifts for two weeks, then a
 * "war-time" re-plan that adds a second person at some gates for one day. `benchRosterThroughApi`
 * (run by `npm run bench`) asks the API for the same two weeks and measures how `GET /health`
 * answers while the worker solves it.
 *
 *   npx ts-node --transpile-only bench/roster-bench.ts [--communities=37 --gatesPerCommunity=7 --days=14 --staff=1000 --seed=7]
 *
 * The instance is feasible but tight: at most one shift a day and six days in seven cap each
 * person at 12 shifts per 14 days, so 1,000 staff can work 12,000 shifts against 10,878 seats.
 */
import { formatLocalDay } from '../libs/roster/roster-rules';
import { rosterPlanWorkflowId } from '../workflows/roster/roster-plan.workflow';
import { DEFAULT_PATTERN, seatsOf } from '../libs/roster/roster-seats';
import { DAY, addDays, localDate, localMidnight } from '../libs/domain/local-time';
import type { BenchContext } from './observation-bench';
import { percentile } from './observation-bench';
import {
  checkRoster,
  seededRandom,
  solveRoster,
  type RosterRole,
  type RosterSeat,
  type RosterSolution,
  type RosterStaff,
} from '../libs/roster/roster-solver';

export interface RosterBenchOptions {
  communities?: number;
  gatesPerCommunity?: number;
  days?: number;
  staff?: number;
  seed?: number;
  /** 0-based day of the war-time re-plan. */
  warTimeDay?: number;
  /** Gates per community that get a second seat on every shift of the war-time day. */
  warTimeGatesPerCommunity?: number;
}

export interface RosterRunSummary {
  seats: number;
  filled: number;
  unfilled: number;
  /** From the solver's own check and from an independent checkRoster call. */
  violations: number;
  solveMs: number;
  checkMs: number;
  nightSpread: number;
  weekendSpread: number;
  shiftSpread: number;
  sampleUnfilledReason?: string;
}

export interface RosterBenchResult {
  instance: { communities: number; gatesPerCommunity: number; days: number; staff: number; seats: number; capacity: number };
  initial: RosterRunSummary;
  warTime: RosterRunSummary & {
    /** 0-based day index and its local date. */
    day: number;
    date: string;
    addedSeats: number;
    addedSeatsFilled: number;
    changedFromPrevious: number;
    /** Added seats filled plus previous assignments changed: what the published roster diff shows. */
    totalChanges: number;
  };
}

const SHIFT_MS = 8 * 3_600_000;
/** Monday 2024-01-01 (local day 19723) 00:00 in UTC+8. */
const HORIZON_FIRST_DAY = 19_723;
const HORIZON_START = HORIZON_FIRST_DAY * DAY - 8 * 3_600_000;
const SHIFTS_PER_DAY = 3;

/** Share of staff per role; medics and police liaisons also staff plain gates. */
const ROLE_MIX: ReadonlyArray<{ role: RosterRole; share: number; skills: string[] }> = [
  { role: 'medical', share: 0.16, skills: ['medical', 'gate'] },
  { role: 'police_liaison', share: 0.07, skills: ['police_liaison', 'gate'] },
  { role: 'cadre', share: 0.05, skills: ['gate'] },
  { role: 'guard', share: 0.4, skills: ['gate'] },
  { role: 'volunteer', share: 0.32, skills: ['gate'] },
];

/** Gate 0 of each community needs a medic on every shift; gate 1 a police liaison on the day shift. */
function skillFor(gate: number, shift: number): string {
  if (gate === 0) return 'medical';
  if (gate === 1 && shift === 1) return 'police_liaison';
  return 'gate';
}

export function buildBenchSeats(communities: number, gatesPerCommunity: number, days: number): RosterSeat[] {
  const seats: RosterSeat[] = [];
  for (let day = 0; day < days; day++) {
    for (let community = 0; community < communities; community++) {
      for (let gate = 0; gate < gatesPerCommunity; gate++) {
        for (let shift = 0; shift < SHIFTS_PER_DAY; shift++) {
          const start = HORIZON_START + day * DAY + shift * SHIFT_MS;
          seats.push({
            seatId: `d${day}-c${community}-g${gate}-s${shift}`,
            postId: `c${community}-gate${gate}`,
            jurisdiction: `community-${community}`,
            start,
            end: start + SHIFT_MS,
            requiredSkill: skillFor(gate, shift),
          });
        }
      }
    }
  }
  return seats;
}

export function buildBenchStaff(count: number, communities: number, gatesPerCommunity: number, days: number, seed: number): RosterStaff[] {
  const random = seededRandom(seed);
  const roles = ROLE_MIX.flatMap((mix, i) => {
    const n = i === ROLE_MIX.length - 1 ? count : Math.round(mix.share * count);
    return Array.from({ length: n }, () => mix);
  }).slice(0, count);
  // Seeded Fisher–Yates so roles are not clustered by id.
  for (let i = roles.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [roles[i], roles[j]] = [roles[j], roles[i]];
  }
  return roles.map((mix, i): RosterStaff => {
    const community = i % communities;
    const onLeave = random() < 0.08;
    const leaveStart = HORIZON_START + Math.floor(random() * days) * DAY;
    return {
      staffId: `staff-${i}`,
      role: mix.role,
      homeCommunity: `community-${community}`,
      skills: mix.skills,
      unavailable: onLeave ? [{ start: leaveStart, end: leaveStart + (1 + Math.floor(random() * 3)) * DAY }] : [],
      avoidNights: random() < 0.08,
      preferredPostIds:
        mix.role === 'volunteer' ? [`c${community}-gate${Math.floor(random() * gatesPerCommunity)}`] : undefined,
    };
  });
}

/** A second person on every shift of `day` at gates 2, 3, … of each community (plain gate seats). */
export function buildWarTimeSeats(communities: number, gatesPerCommunity: number, day: number, gates: number): RosterSeat[] {
  return buildBenchSeats(communities, gatesPerCommunity, day + 1)
    .filter((seat) => seat.seatId.startsWith(`d${day}-`) && seat.requiredSkill === 'gate')
    .filter((seat) => {
      const gate = Number(seat.postId.slice(seat.postId.indexOf('gate') + 4));
      return gate >= 2 && gate < 2 + gates;
    })
    .map((seat) => ({ ...seat, seatId: `${seat.seatId}-war` }));
}

function summarize(
  seats: RosterSeat[],
  staff: RosterStaff[],
  solution: RosterSolution,
  solveMs: number,
): RosterRunSummary {
  const checkStarted = performance.now();
  const independent = checkRoster(seats, staff, solution.assignments);
  const checkMs = performance.now() - checkStarted;
  return {
    seats: solution.stats.seats,
    filled: solution.stats.filled,
    unfilled: solution.unfilled.length,
    violations: Math.max(solution.violations.length, independent.length),
    solveMs,
    checkMs,
    nightSpread: solution.stats.nightSpread,
    weekendSpread: solution.stats.weekendSpread,
    shiftSpread: solution.stats.shiftSpread,
    sampleUnfilledReason: solution.unfilled[0]?.reason,
  };
}

function timed<T>(run: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = run();
  return { value, ms: performance.now() - started };
}

export async function runRosterBench(opts: RosterBenchOptions = {}): Promise<RosterBenchResult> {
  const communities = opts.communities ?? 37;
  const gatesPerCommunity = opts.gatesPerCommunity ?? 7;
  const days = opts.days ?? 14;
  const staffCount = opts.staff ?? Math.round((1000 * communities * gatesPerCommunity) / (37 * 7));
  const seed = opts.seed ?? 7;
  const warTimeDay = Math.min(opts.warTimeDay ?? 4, days - 1);

  const seats = buildBenchSeats(communities, gatesPerCommunity, days);
  const staff = buildBenchStaff(staffCount, communities, gatesPerCommunity, days, seed);

  const initialRun = timed(() => solveRoster({ seats, staff, seed }));
  const initial = summarize(seats, staff, initialRun.value, initialRun.ms);

  const added = buildWarTimeSeats(communities, gatesPerCommunity, warTimeDay, opts.warTimeGatesPerCommunity ?? 1);
  const warSeats = [...seats, ...added];
  const warRun = timed(() => solveRoster({ seats: warSeats, staff, seed, previous: initialRun.value.assignments }));
  const addedIds = new Set(added.map((seat) => seat.seatId));
  const addedSeatsFilled = warRun.value.assignments.filter((a) => addedIds.has(a.seatId)).length;

  return {
    instance: {
      communities,
      gatesPerCommunity,
      days,
      staff: staffCount,
      seats: seats.length,
      capacity: staffCount * Math.min(days, Math.floor((days * 6) / 7)),
    },
    initial,
    warTime: {
      ...summarize(warSeats, staff, warRun.value, warRun.ms),
      day: warTimeDay,
      date: formatLocalDay(HORIZON_FIRST_DAY + warTimeDay),
      addedSeats: added.length,
      addedSeatsFilled,
      changedFromPrevious: warRun.value.stats.changedFromPrevious,
      totalChanges: addedSeatsFilled + warRun.value.stats.changedFromPrevious,
    },
  };
}

export interface RosterApiBenchResult {
  seats: number;
  staff: number;
  filled: number;
  unfilled: number;
  /** The solver's time in the worker's activity. */
  solveMs: number;
  /** From POST /rosters to the plan stored as a draft. */
  untilDraftMs: number;
  postAnsweredMs: number;
  /**
   * GET /health every HEALTH_INTERVAL_MS while the worker solved the plan, for as long after it with
   * nothing running, and while the same plan was solved on the API's event loop (as before).
   */
  health: { during: HealthLatency; idle: HealthLatency; onApiLoop: HealthLatency };
}

export interface HealthLatency {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Pause between two GET /health calls: a monitor's pace, so the probe does not take the cores it measures. */
const HEALTH_INTERVAL_MS = 20;

/**
 * The full-size roster asked for through the API (`POST /rosters`, solved by the worker), with
 * `GET /health` called every HEALTH_INTERVAL_MS meanwhile, for as long after it with nothing running,
 * and, as the baseline, while the same plan is solved on the API's event loop, as it was before.
 * The posts and staff are the pure benchmark's (buildBenchStaff, its leave moved to the plan's
 * dates); a post's skill is the same on every shift, so gate 1 needs no police liaison here.
 */
export async function benchRosterThroughApi(ctx: BenchContext, opts: { communities?: number; gatesPerCommunity?: number; days?: number; staff?: number; seed?: number } = {}): Promise<RosterApiBenchResult> {
  const communities = opts.communities ?? 37;
  const gatesPerCommunity = opts.gatesPerCommunity ?? 7;
  const days = opts.days ?? 14;
  const staffCount = opts.staff ?? 1000;
  const from = addDays(localDate(Date.now(), 480), 1);
  const to = addDays(from, days - 1);
  const posts = Array.from({ length: communities * gatesPerCommunity }, (_, i) => {
    const community = Math.floor(i / gatesPerCommunity);
    const gate = i % gatesPerCommunity;
    const need = [{ skill: gate === 0 ? 'medical' : 'gate', headcount: 1 }];
    return { id: `c${community}-gate${gate}`, jurisdiction: `community-${community}`, requirements: { peace: need, war: need }, pattern: [...DEFAULT_PATTERN] };
  });
  await ctx.db.query(
    `INSERT INTO roster_post (id, kind, name, jurisdiction, requirements, pattern, supervisor)
     SELECT p.id, 'community_gate', p.id, p.jurisdiction, p.requirements, p.pattern, 'bench-supervisor' FROM jsonb_to_recordset($1::jsonb) AS p(id text, jurisdiction text, requirements jsonb, pattern jsonb)`,
    [JSON.stringify(posts)],
  );
  const leaveShiftMs = localMidnight(from, 480) - HORIZON_START;
  const staff = buildBenchStaff(staffCount, communities, gatesPerCommunity, days, opts.seed ?? 7).map((member) => ({
    ...member,
    unavailable: member.unavailable.map((leave) => ({ start: leave.start + leaveShiftMs, end: leave.end + leaveShiftMs })),
    preferredPostIds: member.preferredPostIds ?? [],
  }));
  await ctx.db.query(
    `INSERT INTO roster_staff (id, name, role, home_community, skills, unavailable, avoid_nights, preferred_post_ids)
     SELECT s."staffId", s."staffId", s.role, s."homeCommunity", ARRAY(SELECT jsonb_array_elements_text(s.skills)), s.unavailable, s."avoidNights", ARRAY(SELECT jsonb_array_elements_text(s."preferredPostIds"))
     FROM jsonb_to_recordset($1::jsonb) AS s("staffId" text, role text, "homeCommunity" text, skills jsonb, unavailable jsonb, "avoidNights" boolean, "preferredPostIds" jsonb)`,
    [JSON.stringify(staff)],
  );

  // Each call's latency counts from when it was due, so a stalled event loop (the caller shares the
  // API's process) shows as the wait it causes, not as a call never made.
  const health = async (until: () => boolean): Promise<HealthLatency> => {
    const latencies: number[] = [];
    for (let due = performance.now(); ; due = performance.now() + HEALTH_INTERVAL_MS) {
      if (latencies.length) await new Promise((resolve) => setTimeout(resolve, HEALTH_INTERVAL_MS));
      const response = await fetch(`${ctx.apiUrl}/health`);
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`GET /health answered ${response.status}`);
      latencies.push(performance.now() - due);
      if (until()) break;
    }
    latencies.sort((a, b) => a - b);
    return { requests: latencies.length, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), maxMs: latencies[latencies.length - 1] };
  };

  // As it was before the solve moved to the worker: the same instance solved on the event loop of
  // this process, which serves the API.
  let solvedHere = false;
  const [onApiLoop] = await Promise.all([
    health(() => solvedHere),
    new Promise((resolve) => setTimeout(resolve, 5 * HEALTH_INTERVAL_MS)).then(() => {
      solveRoster({ seats: seatsOf(posts, from, to, () => 'peace', 480), staff, seed: opts.seed });
      solvedHere = true;
    }),
  ]);

  const asked = performance.now();
  const response = await fetch(`${ctx.apiUrl}/rosters`, {
    method: 'POST',
    headers: { ...ctx.auth, 'content-type': 'application/json' },
    body: JSON.stringify({ from, to, postIds: posts.map((p) => p.id), by: 'bench-supervisor' }),
  });
  const postAnsweredMs = performance.now() - asked;
  const plan = (await response.json()) as { id: string; state: string };
  if (response.status !== 202) throw new Error(`POST /rosters answered ${response.status}: ${JSON.stringify(plan)}`);
  let solved = false;
  const [during] = await Promise.all([
    health(() => solved),
    ctx.client.workflow
      .getHandle(rosterPlanWorkflowId(plan.id))
      .result()
      .finally(() => (solved = true)),
  ]);
  const untilDraftMs = performance.now() - asked;
  const idleUntil = performance.now() + untilDraftMs;
  const idle = await health(() => performance.now() >= idleUntil);
  const [row] = await ctx.db.query(`SELECT state, failure, stats FROM roster_plan WHERE id = $1`, [plan.id]);
  if (row.state !== 'draft') throw new Error(`roster ${plan.id} is ${row.state}: ${row.failure}`);
  return { seats: row.stats.seats, staff: staffCount, filled: row.stats.filled, unfilled: row.stats.unfilled, solveMs: row.stats.solveMs, untilDraftMs, postAnsweredMs, health: { during, idle, onApiLoop } };
}

function printResult(result: RosterBenchResult): void {
  const { instance, initial, warTime } = result;
  console.log(
    `Roster bench: ${instance.communities} communities × ${instance.gatesPerCommunity} gates × ${SHIFTS_PER_DAY} shifts × ` +
      `${instance.days} days = ${instance.seats} seats, ${instance.staff} staff (capacity ≈ ${instance.capacity} shifts, ` +
      `${((100 * instance.seats) / instance.capacity).toFixed(1)}% needed)`,
  );
  const row = (summary: RosterRunSummary) => ({
    seats: summary.seats,
    filled: summary.filled,
    unfilled: summary.unfilled,
    violations: summary.violations,
    'solve ms': Math.round(summary.solveMs),
    'check ms': Math.round(summary.checkMs),
    'night spread': summary.nightSpread,
    'weekend spread': summary.weekendSpread,
    'shift spread': summary.shiftSpread,
  });
  console.table({ initial: row(initial), [`war-time ${warTime.date}`]: row(warTime) });
  console.log(
    `War-time re-plan: +${warTime.addedSeats} seats, ${warTime.addedSeatsFilled} filled, ` +
      `${warTime.changedFromPrevious} previous assignments changed, ${warTime.totalChanges} changes in total`,
  );
  for (const summary of [initial, warTime]) {
    if (summary.sampleUnfilledReason) console.log(`e.g. unfilled: ${summary.sampleUnfilledReason}`);
  }
}

function parseArgs(argv: string[]): RosterBenchOptions {
  const opts: Record<string, number> = {};
  for (const arg of argv) {
    const match = /^--(\w+)=(\d+)$/.exec(arg);
    if (match) opts[match[1]] = Number(match[2]);
  }
  return opts;
}

if (require.main === module) {
  runRosterBench(parseArgs(process.argv.slice(2))).then(printResult, (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
