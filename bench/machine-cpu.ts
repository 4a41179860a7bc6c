/**
 * CPU accounting for the bench, from /proc: how busy the whole machine was while a figure was
 * measured, its CPU time per call, and which processes spent it. When both sides of a ratio keep
 * every core busy, the ratio is one of CPU time per call, not of waiting.
 */
import * as fs from 'node:fs';

/** USER_HZ: 100 on Linux on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** CPU time in clock ticks: the machine's busy and total (all cores), and each watched process's. */
export interface Ticks {
  busy: number;
  total: number;
  byProcess: Record<string, number>;
}

export interface MachineLoad {
  /** 0-1 of all cores. */
  busy: number;
  cpuMsEach: number;
  /** CPU-ms per call spent by each watched process (with its descendants), and by everything else. */
  cpuMsEachByProcess: Record<string, number>;
}

let watched: Record<string, number> = {};

/**
 * Names the processes whose CPU the figures split out: each process counts under its nearest
 * named ancestor, so a root that started the others counts only what they do not.
 */
export function watchProcesses(roots: Record<string, number>): void {
  watched = roots;
}

/** A process's /proc stat fields after its command name: [1] is its parent, [11] and [12] its user and system CPU ticks. */
function statFields(pid: number): string[] {
  return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
}

function cpuTicksOf(fields: string[]): number {
  return Number(fields[11]) + Number(fields[12]);
}

function watchedTicks(): Record<string, number> {
  const parent = new Map<number, number>();
  const sums: Record<string, number> = Object.fromEntries(Object.keys(watched).map((name) => [name, 0]));
  const names = new Map(Object.entries(watched).map(([name, pid]) => [pid, name]));
  const ticks = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = statFields(Number(entry));
      parent.set(Number(entry), Number(fields[1]));
      ticks.set(Number(entry), cpuTicksOf(fields));
    } catch {
      // the process ended meanwhile
    }
  }
  for (const [pid, used] of ticks) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parent.get(p)) {
      const name = names.get(p);
      if (name) {
        sums[name] += used;
        break;
      }
    }
  }
  return sums;
}

/** The whole machine's busy and total CPU time so far (/proc/stat). */
function machineCpu(): { busy: number; total: number } {
  // user nice system idle iowait irq softirq steal
  const ticks = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  return { busy: total - ticks[3] - ticks[4], total };
}

/** The CPU time so far. */
export function machineTicks(): Ticks {
  return { ...machineCpu(), byProcess: watchedTicks() };
}

/** The CPU time since `before`. */
export function ticksSince(before: Ticks): Ticks {
  const now = machineTicks();
  // A process that ended meanwhile (a database connection closed) takes its ticks with it: never below 0.
  return { busy: now.busy - before.busy, total: now.total - before.total, byProcess: mapValues(now.byProcess, (t, name) => Math.max(0, t - (before.byProcess[name] ?? 0))) };
}

export function addTicks(a: Ticks, b: Ticks): Ticks {
  return { busy: a.busy + b.busy, total: a.total + b.total, byProcess: mapValues(a.byProcess, (t, name) => t + (b.byProcess[name] ?? 0)) };
}

export function machineLoad(ticks: Ticks, count: number): MachineLoad {
  const msEach = (t: number) => (t * 1000) / TICKS_PER_SECOND / count;
  const named = Object.values(ticks.byProcess).reduce((a, b) => a + b, 0);
  return {
    busy: ticks.busy / ticks.total,
    cpuMsEach: msEach(ticks.busy),
    cpuMsEachByProcess: { ...mapValues(ticks.byProcess, msEach), other: msEach(Math.max(0, ticks.busy - named)) },
  };
}

/**
 * Until a share of CPU, read one second at a time from cumulative counters, has stayed under
 * `limit` for three seconds in a row (queued work done); false if it never did within the timeout.
 */
async function untilQuiet(read: () => { busy: number; total: number }, limit: number, timeoutMs = 10 * 60_000): Promise<boolean> {
  let quiet = 0;
  for (const until = Date.now() + timeoutMs; quiet < 3 && Date.now() < until; ) {
    const before = read();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = read();
    quiet = (after.busy - before.busy) / (after.total - before.total) < limit ? quiet + 1 : 0;
  }
  return quiet >= 3;
}

/** Until the whole machine has been under 15% busy for three seconds in a row. */
export function machineQuiet(): Promise<boolean> {
  return untilQuiet(machineCpu, 0.15);
}

/** Until a process has used under 5% of a core for three seconds in a row. */
export function processQuiet(pid: number): Promise<boolean> {
  return untilQuiet(() => ({ busy: cpuTicksOf(statFields(pid)), total: (Date.now() / 1000) * TICKS_PER_SECOND }), 0.05);
}

function mapValues(record: Record<string, number>, f: (value: number, key: string) => number): Record<string, number> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, f(value, key)]));
}
