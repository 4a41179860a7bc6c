/**
 * Duty-roster solver: fills seats (one person, one shift, one post) with staff so that every hard
 * rule in roster-rules.ts holds, then improves the soft goals.
 *
 *  1. Pins: a pinned seat gets its pinned person or stays unfilled with the reason.
 *  2. Re-plan: assignments of the previous (published) roster that are still valid are kept.
 *  3. Greedy, day by day in chronological order; within a day the seats with the fewest feasible
 *     candidates go first. The least-loaded feasible person wins, so workloads stay level — which
 *     is what keeps "six days in seven" satisfiable — then fewest nights/weekends, preferences and
 *     not spending scarce skills on seats that do not need them.
 *  4. Repair: each seat still open is filled by an ejection chain (a person leaves another seat
 *     that someone else can take), within a deterministic search budget.
 *  5. Fairness: swaps between two people that lower Σ weight × count² of nights and weekends plus
 *     the preference cost, keeping every hard rule. Kept and pinned assignments are not swapped.
 *
 * Pure and deterministic: no I/O, no clock; randomness (tie-breaking) comes from `seed`.
 */
import {
  buildRosterModel,
  checkAssignments,
  DAY_LEVEL_CONFLICTS,
  describeConflict,
  type HardViolation,
  type Conflict,
  type RosterAssignment,
  type RosterMode,
  type RosterModel,
  type RosterPerson,
  type RosterRules,
  type RosterSeat,
  type RosterShift,
  type RosterStaff,
  StaffLedger,
} from './roster-rules';

export {
  checkRoster,
  DEFAULT_ROSTER_RULES,
  DEFAULT_STAFF_LIMITS,
  type HardViolation,
  type HardViolationKind,
  type RosterAssignment,
  type RosterRole,
  type RosterRules,
  type RosterSeat,
  type RosterStaff,
  type TimeInterval,
} from './roster-rules';

export interface SolveRosterInput {
  seats: RosterSeat[];
  staff: RosterStaff[];
  rules?: Partial<RosterRules>;
  /** The published roster: as many of these as are still valid are kept. */
  previous?: RosterAssignment[];
  seed?: number;
}

export interface UnfilledSeat {
  seatId: string;
  reason: string;
}

export interface RosterStats {
  seats: number;
  filled: number;
  /** Previous assignments (for seats that still exist) now held by someone else or unfilled. */
  changedFromPrevious: number;
  keptFromPrevious: number;
  /** Max − min night shifts among staff with at least one shift who do not avoid nights. */
  nightSpread: number;
  /** Max − min weekend shifts among staff with at least one shift. */
  weekendSpread: number;
  /** Max − min shifts among staff with at least one shift. */
  shiftSpread: number;
}

export interface RosterSolution {
  /** In seat input order. */
  assignments: RosterAssignment[];
  unfilled: UnfilledSeat[];
  /** checkRoster run on the result: always [] unless the solver has a bug. */
  violations: HardViolation[];
  stats: RosterStats;
}

/** mulberry32: tiny, fast, good enough to break ties reproducibly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Soft-goal weights, lower total wins. One shift of extra load (100) outweighs everything except avoidNights. */
const WEIGHT = {
  loadPerHour: 12.5,
  nightsSoFar: 40,
  weekendsSoFar: 40,
  avoidedNight: 300,
  scarceSkill: 80,
  preferredPost: 15,
  homeCommunity: 10,
  /** Below 1 so it only ever breaks ties. */
  jitter: 0.5,
} as const;

/** No fitCost is lower: every preference met, no scarce skill idle. */
const LOWEST_FIT_COST = -(WEIGHT.preferredPost + WEIGHT.homeCommunity);

/** Ejection chains: how many people may be moved per open seat and how much work (feasibility checks) it may cost. */
const REPAIR = { depth: 2, checksPerSeat: 50_000, checksTotal: 3_000_000 } as const;
/** Fairness swaps: at most this many rounds, and failed swap attempts per seat offered. */
const FAIRNESS = { rounds: 20, swapAttemptsPerShift: 200 } as const;

/** How firmly an assignment is held: free ones may move anywhere, kept previous ones only to fill an open seat. */
enum Hold {
  Free = 0,
  Previous = 1,
  Pinned = 2,
}

export function solveRoster(input: SolveRosterInput): RosterSolution {
  const model = buildRosterModel(input.seats, input.staff, input.rules);
  const board = new RosterBoard(model, input.seed ?? 1);

  placePins(board);
  const previousBySeat = keepPrevious(board, input.previous ?? []);
  fillGreedily(board);
  repairOpenSeats(board);
  improveFairness(board);

  const assignments = board.assignments();
  return {
    assignments,
    unfilled: explainUnfilled(board),
    violations: checkAssignments(model, assignments),
    stats: computeStats(board, previousBySeat),
  };
}

// ---------------------------------------------------------------------------------------------
// Board: who holds which seat, with each person's ledger kept in step.

class RosterBoard {
  readonly holder: Int32Array;
  readonly hold: Uint8Array;
  readonly ledgers: StaffLedger[];
  /** Seats that must stay empty (broken pin), with the reason. */
  readonly closed = new Map<number, string>();
  readonly shiftsByDay: RosterShift[][];
  readonly random: () => number;
  /** Feasibility checks spent, the deterministic currency of the repair budget. */
  checks = 0;
  /** Everyone with the skill, per required skill (undefined: everyone). */
  private readonly candidatesBySkill = new Map<string | undefined, RosterPerson[]>();
  private readonly skillScarcity: Map<string, number>;

  constructor(
    readonly model: RosterModel,
    seed: number,
  ) {
    this.holder = new Int32Array(model.shifts.length).fill(-1);
    this.hold = new Uint8Array(model.shifts.length);
    this.ledgers = model.people.map((person) => new StaffLedger(person, model));
    this.shiftsByDay = Array.from({ length: model.dayCount }, () => []);
    for (const shift of model.shifts) this.shiftsByDay[shift.dayIndex].push(shift);
    this.random = seededRandom(seed);
    this.skillScarcity = measureSkillScarcity(model);
    for (const { seat } of model.shifts) {
      const skill = seat.requiredSkill;
      if (!this.candidatesBySkill.has(skill)) {
        this.candidatesBySkill.set(skill, model.people.filter((person) => skill === undefined || person.skills.has(skill)));
      }
    }
  }

  /** Everyone who has the seat's skill: the only people worth checking. */
  candidatesFor(shift: RosterShift): readonly RosterPerson[] {
    return this.peopleWithSkill(shift.seat.requiredSkill);
  }

  /** Everyone with the skill (undefined: everyone), for every skill some seat requires. */
  peopleWithSkill(skill: string | undefined): readonly RosterPerson[] {
    return this.candidatesBySkill.get(skill)!;
  }

  canTake(person: number, shift: RosterShift): boolean {
    this.checks++;
    return this.ledgers[person].firstConflict(shift) === null;
  }

  isOpen(shift: RosterShift): boolean {
    return this.holder[shift.index] < 0 && !this.closed.has(shift.index);
  }

  assign(shift: RosterShift, person: number, hold: Hold): void {
    this.holder[shift.index] = person;
    this.hold[shift.index] = hold;
    this.ledgers[person].add(shift);
  }

  unassign(shift: RosterShift): { person: number; hold: Hold } {
    const person = this.holder[shift.index];
    const hold = this.hold[shift.index] as Hold;
    this.ledgers[person].remove(shift);
    this.holder[shift.index] = -1;
    return { person, hold };
  }

  /** Soft cost that does not change as the roster fills: preferences and scarce skills left idle. */
  fitCost(person: RosterPerson, shift: RosterShift): number {
    const { staff } = person;
    let cost = 0;
    if (shift.night && staff.avoidNights) cost += WEIGHT.avoidedNight;
    if (staff.preferredPostIds?.includes(shift.seat.postId)) cost -= WEIGHT.preferredPost;
    if (staff.homeCommunity === shift.seat.jurisdiction) cost -= WEIGHT.homeCommunity;
    for (const skill of staff.skills) {
      if (skill !== shift.seat.requiredSkill) cost += WEIGHT.scarceSkill * (this.skillScarcity.get(skill) ?? 0);
    }
    return cost;
  }

  /** Soft cost that grows with what the person already has: the fairness terms. */
  loadCost(ledger: StaffLedger, shift: RosterShift): number {
    let cost = (WEIGHT.loadPerHour * ledger.minutes) / 60;
    if (shift.night) cost += WEIGHT.nightsSoFar * ledger.nights;
    if (shift.weekend) cost += WEIGHT.weekendsSoFar * ledger.weekends;
    return cost;
  }

  /** The best feasible person for the seat, or -1; with a day ranking it stops once no one further can win. */
  pickBest(shift: RosterShift, ranking?: DayRanking): number {
    let best = -1;
    let bestCost = Infinity;
    for (const person of ranking ? ranking.candidatesFor(shift) : this.candidatesFor(shift)) {
      if (ranking) {
        if (ranking.isDropped(person)) continue;
        if (ranking.lowestCost(person) > bestCost) break;
      }
      this.checks++;
      const conflict = this.ledgers[person.index].firstConflict(shift);
      if (conflict) {
        if (ranking && DAY_LEVEL_CONFLICTS.has(conflict.kind)) ranking.drop(person);
        continue;
      }
      const cost =
        this.loadCost(this.ledgers[person.index], shift) + this.fitCost(person, shift) + WEIGHT.jitter * this.random();
      if (cost < bestCost) {
        bestCost = cost;
        best = person.index;
      }
    }
    return best;
  }

  assignments(): RosterAssignment[] {
    const assignments: RosterAssignment[] = [];
    for (const shift of this.model.shifts) {
      const person = this.holder[shift.index];
      if (person >= 0) assignments.push({ seatId: shift.seat.seatId, staffId: this.model.people[person].staff.staffId });
    }
    return assignments;
  }
}

/**
 * One greedy day's candidates, sorted by load at the start of the day. Loads only grow during the
 * day, so that load bounds each person's cost from below and a scan can stop early; people with a
 * day-level conflict (shifts per day, consecutive days) can take no seat that day and are dropped.
 */
class DayRanking {
  private readonly floors: Float64Array;
  private readonly lists = new Map<string | undefined, RosterPerson[]>();
  private readonly dropped: Uint8Array;
  private droppedSinceCompaction = 0;

  constructor(board: RosterBoard, skills: Iterable<string | undefined>) {
    this.floors = Float64Array.from(board.ledgers, (ledger) => ledger.minutes);
    this.dropped = new Uint8Array(board.ledgers.length);
    const byLoad = (a: RosterPerson, b: RosterPerson) => this.floors[a.index] - this.floors[b.index] || a.index - b.index;
    for (const skill of skills) {
      this.lists.set(skill, [...board.peopleWithSkill(skill)].sort(byLoad));
    }
  }

  candidatesFor(shift: RosterShift): readonly RosterPerson[] {
    // Dropped people cluster at the front (least loaded go first), so compact now and then.
    if (this.droppedSinceCompaction > 32) {
      for (const [skill, list] of this.lists) this.lists.set(skill, list.filter((person) => !this.isDropped(person)));
      this.droppedSinceCompaction = 0;
    }
    return this.lists.get(shift.seat.requiredSkill)!;
  }

  lowestCost(person: RosterPerson): number {
    return (WEIGHT.loadPerHour * this.floors[person.index]) / 60 + LOWEST_FIT_COST;
  }

  isDropped(person: RosterPerson): boolean {
    return this.dropped[person.index] === 1;
  }

  drop(person: RosterPerson): void {
    this.dropped[person.index] = 1;
    this.droppedSinceCompaction++;
  }
}

/**
 * Share of a skill's holders' working days its seats need (0–1): spending a medic on a plain gate
 * seat costs more the scarcer medics are.
 */
function measureSkillScarcity(model: RosterModel): Map<string, number> {
  const demand = new Map<string, number>();
  for (const shift of model.shifts) {
    const skill = shift.seat.requiredSkill;
    if (skill !== undefined) demand.set(skill, (demand.get(skill) ?? 0) + 1);
  }
  const scarcity = new Map<string, number>();
  for (const [skill, seats] of demand) {
    const holders = model.people.filter((person) => person.skills.has(skill)).length;
    if (holders > 0) scarcity.set(skill, Math.min(1, seats / (holders * model.dayCount)));
  }
  return scarcity;
}

function chronological(a: RosterShift, b: RosterShift): number {
  return a.start - b.start || a.end - b.end || a.index - b.index;
}

// ---------------------------------------------------------------------------------------------
// 1–3: pins, previous roster, greedy.

function placePins(board: RosterBoard): void {
  const pinned = board.model.shifts.filter((shift) => shift.seat.pinnedStaffId !== undefined).sort(chronological);
  for (const shift of pinned) {
    const staffId = shift.seat.pinnedStaffId!;
    const person = board.model.personByStaffId.get(staffId);
    if (!person) {
      board.closed.set(shift.index, `pinned staff member ${staffId} does not exist`);
      continue;
    }
    const conflict = board.ledgers[person.index].firstConflict(shift);
    if (conflict) {
      board.closed.set(shift.index, `pinned staff member ${staffId} cannot take it: ${conflict.kind} (${describeConflict(conflict, shift, board.model)})`);
    } else {
      board.assign(shift, person.index, Hold.Pinned);
    }
  }
}

/** Keeps every still-valid previous assignment (earliest first on conflict); returns previous staff by seat. */
function keepPrevious(board: RosterBoard, previous: readonly RosterAssignment[]): Map<number, number> {
  const { model } = board;
  const previousBySeat = new Map<number, number>();
  for (const { seatId, staffId } of previous) {
    const shift = model.shiftBySeatId.get(seatId);
    const person = model.personByStaffId.get(staffId);
    if (shift && !previousBySeat.has(shift.index)) previousBySeat.set(shift.index, person ? person.index : -1);
  }
  const keepable = [...previousBySeat.keys()].map((index) => model.shifts[index]).sort(chronological);
  for (const shift of keepable) {
    const person = previousBySeat.get(shift.index)!;
    if (person >= 0 && board.isOpen(shift) && board.canTake(person, shift)) board.assign(shift, person, Hold.Previous);
  }
  return previousBySeat;
}

function fillGreedily(board: RosterBoard): void {
  for (const dayShifts of board.shiftsByDay) {
    const open = dayShifts.filter((shift) => board.isOpen(shift));
    // One ranking per mode: a day-level conflict under one mode's limits may not hold under the other's.
    const rankings = new Map<RosterMode, DayRanking>();
    for (const mode of new Set(open.map((shift) => shift.mode))) {
      rankings.set(mode, new DayRanking(board, new Set(open.filter((shift) => shift.mode === mode).map((shift) => shift.seat.requiredSkill))));
    }
    for (const shift of hardestFirst(board, open)) {
      const person = board.pickBest(shift, rankings.get(shift.mode));
      if (person >= 0) board.assign(shift, person, Hold.Free);
    }
  }
}

/**
 * Orders a day's open seats by how many people could take them at the start of the day. Seats with
 * the same skill and times share a count, so this costs a handful of candidate scans per day.
 */
function hardestFirst(board: RosterBoard, shifts: RosterShift[]): RosterShift[] {
  const countByKind = new Map<string, number>();
  const feasibleCount = (shift: RosterShift): number => {
    const kind = seatKind(shift);
    let count = countByKind.get(kind);
    if (count === undefined) {
      count = board.candidatesFor(shift).filter((person) => board.canTake(person.index, shift)).length;
      countByKind.set(kind, count);
    }
    return count;
  };
  return shifts
    .map((shift) => ({ shift, count: feasibleCount(shift) }))
    .sort((a, b) => a.count - b.count || chronological(a.shift, b.shift))
    .map(({ shift }) => shift);
}

// ---------------------------------------------------------------------------------------------
// 4: repair by ejection chains.

function repairOpenSeats(board: RosterBoard): void {
  const open = board.model.shifts.filter((shift) => board.isOpen(shift)).sort(chronological);
  const totalBudget = board.checks + REPAIR.checksTotal;
  for (const shift of open) {
    // Past the total budget a seat still gets a direct attempt: earlier repairs may have freed someone.
    const maxDepth = board.checks > totalBudget ? 0 : REPAIR.depth;
    const search: EjectionSearch = {
      budget: Math.min(board.checks + REPAIR.checksPerSeat, totalBudget),
      chain: new Set([shift.index]),
      deadEnds: new Map(),
    };
    // Shortest chains first: every move changes someone's published shift.
    for (let depth = 0; depth <= maxDepth; depth++) {
      if (fillByEjection(board, shift, depth, search)) break;
    }
  }
}

interface EjectionSearch {
  /** board.checks value at which to give up. */
  budget: number;
  /** Seats already moved in this chain, not to be moved again. */
  chain: Set<number>;
  /**
   * Per seat kind, the deepest chain search that already failed for it in this search. The board
   * differs by a person or two between attempts, so retrying a kind at the same depth almost never
   * helps and would repeat the whole sub-search.
   */
  deadEnds: Map<string, number>;
}

/**
 * Fills `shift` directly, or moves an eligible person off one of their nearby seats onto it and
 * fills that seat in turn (up to `depth` moves). Leaves the board unchanged on failure.
 */
function fillByEjection(board: RosterBoard, shift: RosterShift, depth: number, search: EjectionSearch): boolean {
  const kind = seatKind(shift);
  const failedDepth = search.deadEnds.get(kind) ?? -1;
  if (failedDepth >= depth) return false;
  if (failedDepth < 0) {
    const direct = board.pickBest(shift);
    if (direct >= 0) {
      board.assign(shift, direct, Hold.Free);
      return true;
    }
  }
  if (depth > 0 && ejectOnto(board, shift, depth, search)) return true;
  if (board.checks <= search.budget) search.deadEnds.set(kind, depth);
  return false;
}

/** Tries each ejection onto `shift`, filling the released seat with one move fewer. */
function ejectOnto(board: RosterBoard, shift: RosterShift, depth: number, search: EjectionSearch): boolean {
  for (const { person, other } of ejections(board, shift, search.chain)) {
    if (board.checks > search.budget) return false;
    const released = board.unassign(other);
    if (board.canTake(person, shift)) {
      board.assign(shift, person, Hold.Free);
      search.chain.add(other.index);
      if (fillByEjection(board, other, depth - 1, search)) return true;
      search.chain.delete(other.index);
      board.unassign(shift);
    }
    board.assign(other, released.person, released.hold);
  }
  return false;
}

/** Seats of one kind are interchangeable for whoever may take them. */
function seatKind(shift: RosterShift): string {
  return `${shift.seat.requiredSkill ?? ''}|${shift.start}|${shift.end}`;
}

/**
 * Every (person, seat of theirs) whose release alone might let them take `shift`, skipping pinned
 * seats, seats in the chain and seats of the same kind (trading those changes nothing). Free seats
 * before kept previous ones, then nearest day first: a same-day seat is refilled from that day's
 * idle staff, the likeliest pool.
 */
function ejections(board: RosterBoard, shift: RosterShift, chain: Set<number>): Array<{ person: number; other: RosterShift }> {
  const kind = seatKind(shift);
  const moves: Array<{ person: number; other: RosterShift; distance: number }> = [];
  for (const person of board.candidatesFor(shift)) {
    board.checks++;
    for (const other of board.ledgers[person.index].releasable(shift)) {
      if (board.hold[other.index] === Hold.Pinned || chain.has(other.index) || seatKind(other) === kind) continue;
      moves.push({ person: person.index, other, distance: Math.abs(other.dayIndex - shift.dayIndex) });
    }
  }
  return moves.sort(
    (a, b) =>
      board.hold[a.other.index] - board.hold[b.other.index] ||
      a.distance - b.distance ||
      chronological(a.other, b.other) ||
      a.person - b.person,
  );
}

// ---------------------------------------------------------------------------------------------
// 5: fairness swaps.

interface FairnessMetric {
  count(ledger: StaffLedger): number;
  counts(shift: RosterShift): boolean;
  /** Whether this person is part of the reported spread. */
  includes(person: RosterPerson): boolean;
  /** Weight of Σ count² in the swap objective, in fitCost units. */
  weight: number;
  /** How many days apart two seats may be to be swapped for this metric. */
  partnerDays: number;
}

const NIGHTS: FairnessMetric = {
  count: (ledger) => ledger.nights,
  counts: (shift) => shift.night,
  includes: (person) => !person.staff.avoidNights,
  weight: WEIGHT.nightsSoFar,
  // Same-day swaps leave both people's working days, hence day, week and run limits, untouched.
  partnerDays: 0,
};

const WEEKENDS: FairnessMetric = {
  count: (ledger) => ledger.weekends,
  counts: (shift) => shift.weekend,
  includes: () => true,
  weight: WEIGHT.weekendsSoFar,
  // A weekend day swaps with a weekday of the same or neighbouring week.
  partnerDays: 3,
};

const FAIRNESS_METRICS: readonly FairnessMetric[] = [NIGHTS, WEEKENDS];

/** Max − min of `count` over people with at least one shift that `includes` selects. */
function spreadOf(
  board: RosterBoard,
  count: (ledger: StaffLedger) => number,
  includes: (person: RosterPerson) => boolean = () => true,
): number {
  let min = Infinity;
  let max = -Infinity;
  for (const ledger of board.ledgers) {
    if (ledger.shifts.length === 0 || !includes(ledger.person)) continue;
    const value = count(ledger);
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  return max < min ? 0 : max - min;
}

/**
 * Local search on Σ weight × count² over the fairness metrics plus preference fit, by swapping
 * seats between two people; stops when a round swaps nothing.
 */
function improveFairness(board: RosterBoard): void {
  for (let round = 0; round < FAIRNESS.rounds; round++) {
    let swapped = false;
    for (const metric of FAIRNESS_METRICS) if (balanceRound(board, metric)) swapped = true;
    if (!swapped) return;
  }
}

/** Everyone at the top of the metric's spread tries to swap one such seat away, everyone at the bottom to swap one in. */
function balanceRound(board: RosterBoard, metric: FairnessMetric): boolean {
  const ascending = board.ledgers
    .filter((ledger) => ledger.shifts.length > 0 && metric.includes(ledger.person))
    .sort((a, b) => metric.count(a) - metric.count(b) || a.person.index - b.person.index);
  if (ascending.length === 0) return false;
  const min = metric.count(ascending[0]);
  const max = metric.count(ascending[ascending.length - 1]);
  if (max - min <= 1) return false;
  const descending = [...ascending].reverse();
  let swapped = false;
  for (const ledger of ascending) {
    const count = metric.count(ledger);
    if (count !== min && count !== max) continue;
    const giving = count === max;
    const partners = giving ? ascending : descending;
    // A copy: a failed swap removes and restores seats in the ledger.
    for (const own of [...ledger.shifts]) {
      if (metric.counts(own) !== giving || board.hold[own.index] !== Hold.Free) continue;
      if (swapWithPartner(board, metric, own, partners)) {
        swapped = true;
        break;
      }
    }
  }
  return swapped;
}

/**
 * Swaps `own` with a free seat of the opposite kind, within the metric's day range, held by one of
 * `partners` (most promising first), if that lowers the objective. True if a swap was made.
 */
function swapWithPartner(board: RosterBoard, metric: FairnessMetric, own: RosterShift, partners: readonly StaffLedger[]): boolean {
  const self = board.ledgers[board.holder[own.index]];
  const giving = metric.counts(own);
  let attempts = 0;
  for (const partner of partners) {
    const gap = giving ? metric.count(self) - metric.count(partner) : metric.count(partner) - metric.count(self);
    // Partners are sorted, so once this metric alone cannot improve, no later partner helps.
    if (gap < 2) return false;
    if (!worksBetween(partner, own.dayIndex - metric.partnerDays, own.dayIndex + metric.partnerDays)) continue;
    for (const other of partner.shifts) {
      if (metric.counts(other) === giving || board.hold[other.index] !== Hold.Free) continue;
      if (Math.abs(other.dayIndex - own.dayIndex) > metric.partnerDays) continue;
      if (!self.isEligible(other) || !partner.isEligible(own) || swapGain(board, own, other) <= 0) continue;
      if (trySwap(board, own, other)) return true;
      if (++attempts >= FAIRNESS.swapAttemptsPerShift) return false;
    }
  }
  return false;
}

function worksBetween(ledger: StaffLedger, firstDay: number, lastDay: number): boolean {
  for (let day = Math.max(firstDay, 0); day <= lastDay && day < ledger.shiftsOnDay.length; day++) {
    if (ledger.shiftsOnDay[day] > 0) return true;
  }
  return false;
}

/**
 * How much the soft objective drops if the holders of a and b exchange seats (≤ 0: not worth it).
 * The fairness part is computed first because it is cheap and rules out most pairs.
 */
function swapGain(board: RosterBoard, a: RosterShift, b: RosterShift): number {
  const holderA = board.holder[a.index];
  const holderB = board.holder[b.index];
  let fairnessGain = 0;
  for (const metric of FAIRNESS_METRICS) {
    // The holder of a gains delta of this metric, the holder of b loses it:
    // (ca + δ)² + (cb − δ)² − ca² − cb² = 2δ(ca − cb) + 2δ², with δ² = 1.
    const delta = Number(metric.counts(b)) - Number(metric.counts(a));
    if (delta === 0) continue;
    const countA = metric.count(board.ledgers[holderA]);
    const countB = metric.count(board.ledgers[holderB]);
    fairnessGain -= metric.weight * (2 * delta * (countA - countB) + 2);
  }
  if (fairnessGain <= 0) return fairnessGain;
  const people = board.model.people;
  const fitBefore = board.fitCost(people[holderA], a) + board.fitCost(people[holderB], b);
  const fitAfter = board.fitCost(people[holderA], b) + board.fitCost(people[holderB], a);
  return fairnessGain + fitBefore - fitAfter;
}

/** Exchanges the holders of two free seats if both can take the other's seat; otherwise leaves them. */
function trySwap(board: RosterBoard, a: RosterShift, b: RosterShift): boolean {
  const holderA = board.unassign(a).person;
  const holderB = board.unassign(b).person;
  if (board.canTake(holderA, b)) {
    board.assign(b, holderA, Hold.Free);
    if (board.canTake(holderB, a)) {
      board.assign(a, holderB, Hold.Free);
      return true;
    }
    board.unassign(b);
  }
  board.assign(a, holderA, Hold.Free);
  board.assign(b, holderB, Hold.Free);
  return false;
}

// ---------------------------------------------------------------------------------------------
// Result.

function explainUnfilled(board: RosterBoard): UnfilledSeat[] {
  const unfilled: UnfilledSeat[] = [];
  for (const shift of board.model.shifts) {
    if (board.holder[shift.index] >= 0) continue;
    const reason = board.closed.get(shift.index) ?? whyNobodyFits(board, shift);
    unfilled.push({ seatId: shift.seat.seatId, reason });
  }
  return unfilled;
}

/**
 * Tallies the first rule each person with the skill would break, with the limit that held, e.g.
 * "…(3 staff, peace-time seat: 2 consecutive_days (limit 6), 1 hours_per_week (limit 48h))…".
 */
function whyNobodyFits(board: RosterBoard, shift: RosterShift): string {
  const skill = shift.seat.requiredSkill;
  const candidates = board.candidatesFor(shift);
  if (candidates.length === 0) return skill === undefined ? 'no staff' : `no staff with skill '${skill}'`;
  const tally = new Map<string, number>();
  for (const person of candidates) {
    const conflict = board.ledgers[person.index].firstConflict(shift);
    const key = conflict ? `${conflict.kind}${limitNote(conflict)}` : 'none';
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }
  const counts = [...tally].sort((a, b) => b[1] - a[1]).map(([key, count]) => `${count} ${key}`);
  const who = skill === undefined ? 'staff' : `staff with skill '${skill}'`;
  return `every qualified staff member is at a contract, rest or availability limit (${candidates.length} ${who}, ${shift.mode}-time seat: ${counts.join(', ')}); no reassignment chain found`;
}

/** The limit a conflict met, as the reason names it. */
function limitNote(conflict: Conflict): string {
  if (conflict.limit === undefined) return '';
  if (conflict.kind === 'rest') return ` (minimum ${conflict.limit}h)`;
  return conflict.kind.startsWith('hours_') ? ` (limit ${conflict.limit}h)` : ` (limit ${conflict.limit})`;
}

function computeStats(board: RosterBoard, previousBySeat: Map<number, number>): RosterStats {
  let kept = 0;
  for (const [shiftIndex, person] of previousBySeat) if (board.holder[shiftIndex] === person) kept++;
  const filled = board.holder.reduce((count, person) => count + (person >= 0 ? 1 : 0), 0);
  return {
    seats: board.model.shifts.length,
    filled,
    changedFromPrevious: previousBySeat.size - kept,
    keptFromPrevious: kept,
    nightSpread: spreadOf(board, NIGHTS.count, NIGHTS.includes),
    weekendSpread: spreadOf(board, WEEKENDS.count, WEEKENDS.includes),
    shiftSpread: spreadOf(board, (ledger) => ledger.shifts.length),
  };
}
