import { DAY, HOUR, MINUTE } from '../domain/local-time';
/**
 * Hard rules of the duty roster: the domain types, local-time arithmetic and the single
 * implementation of every hard constraint. The solver asks a StaffLedger "may this person take
 * this seat?"; checkRoster replays a whole roster through the same ledgers, so the two can never
 * disagree.
 *
 * Pure and deterministic (no I/O, no clock): the solver, the planner and every check share it.
 *
 * Contract limits (hours a day and a week, days in a row, shifts a day) are a staff member's own
 * where set, else those of the mode the shift is worked in (DEFAULT_STAFF_LIMITS): the offices work
 * longer in war time (战时) than a peace-time contract allows.
 *
 * Time model: instants are epoch milliseconds. Local time = instant + timeZoneOffsetMinutes (a
 * fixed offset: Asia/Shanghai has no daylight saving). A shift belongs to the local day on which
 * it starts: its whole length counts towards that day's hours and shift count, and towards that
 * day's calendar week — Monday 00:00 to Sunday 24:00 local — for weekly hours. Consecutive working
 * days are counted inside the planning horizon only (days before the first seat are not known).
 */

export type RosterRole = 'cadre' | 'guard' | 'volunteer' | 'medical' | 'police_liaison';

/** Peace-time (平时) or war-time (战时) command, switched per jurisdiction (平战转换). */
export const ROSTER_MODES = ['peace', 'war'] as const;
export type RosterMode = (typeof ROSTER_MODES)[number];

export interface TimeInterval {
  start: number;
  end: number;
}

/** One required person on one shift at one post. */
export interface RosterSeat {
  seatId: string;
  postId: string;
  jurisdiction: string;
  start: number;
  end: number;
  requiredSkill?: string;
  /** This seat must go to this person; if that breaks a hard rule the seat stays unfilled. */
  pinnedStaffId?: string;
  /** The mode the shift is worked in, which sets the contract limits of staff without their own (default peace). */
  mode?: RosterMode;
}

export interface RosterStaff {
  staffId: string;
  role: RosterRole;
  homeCommunity?: string;
  skills: string[];
  unavailable: TimeInterval[];
  avoidNights?: boolean;
  preferredPostIds?: string[];
  /** The person's own contract limits, in every mode; unset, the mode's default applies. */
  maxHoursPerDay?: number;
  maxHoursPerWeek?: number;
  maxConsecutiveDays?: number;
  maxShiftsPerDay?: number;
}

export type ContractLimits = Required<Pick<RosterStaff, 'maxHoursPerDay' | 'maxHoursPerWeek' | 'maxConsecutiveDays' | 'maxShiftsPerDay'>>;

export interface RosterRules {
  /** Minimum hours between the end of one of a person's shifts and the start of the next. */
  minRestHours: number;
  timeZoneOffsetMinutes: number;
  /** Local night window [nightStartHour, nightEndHour), wrapping midnight when start > end. */
  nightStartHour: number;
  nightEndHour: number;
  /** A night shift covers at least this many hours of the night window (EU night-work definition: 3). */
  minNightHours: number;
  /** The contract limits of staff without their own, by the mode a shift is worked in. */
  staffLimits: Readonly<Record<RosterMode, Readonly<ContractLimits>>>;
}

export interface RosterAssignment {
  seatId: string;
  staffId: string;
}

export type HardViolationKind =
  | 'overlap'
  | 'rest'
  | 'skill'
  | 'unavailable'
  | 'hours_per_day'
  | 'hours_per_week'
  | 'consecutive_days'
  | 'shifts_per_day'
  | 'unknown_staff'
  | 'unknown_seat'
  | 'double_booked_seat';

export interface HardViolation {
  kind: HardViolationKind;
  seatId: string;
  staffId: string;
  detail: string;
}

/**
 * Peace time: a working week's contract, 8 h a day, 48 h a week, 6 days in a row, one shift a day.
 * War time: what the offices worked in an outbreak, one 8-hour shift every day of a 14-day stint
 * (the field reports' highway checkpoint, held 24 h by three people on 8-hour shifts): 56 h a week,
 * 14 days in a row.
 */
export const DEFAULT_STAFF_LIMITS: Readonly<Record<RosterMode, Readonly<ContractLimits>>> = {
  peace: { maxHoursPerDay: 8, maxHoursPerWeek: 48, maxConsecutiveDays: 6, maxShiftsPerDay: 1 },
  war: { maxHoursPerDay: 8, maxHoursPerWeek: 56, maxConsecutiveDays: 14, maxShiftsPerDay: 1 },
};

export const DEFAULT_ROSTER_RULES: Readonly<RosterRules> = {
  minRestHours: 8,
  timeZoneOffsetMinutes: 480,
  nightStartHour: 22,
  nightEndHour: 6,
  minNightHours: 3,
  staffLimits: DEFAULT_STAFF_LIMITS,
};


export function resolveRules(rules?: Partial<RosterRules>): RosterRules {
  return { ...DEFAULT_ROSTER_RULES, ...rules };
}

/** Local calendar day number (days since 1970-01-01 local). */
export function localDayOf(instant: number, rules: RosterRules): number {
  return Math.floor((instant + rules.timeZoneOffsetMinutes * MINUTE) / DAY);
}

/** Monday-based week number: 1970-01-01 was a Thursday, so day 4 (a Monday) starts week 1. */
export function weekOfDay(day: number): number {
  return Math.floor((day + 3) / 7);
}

/** 0 = Monday … 6 = Sunday. */
export function weekdayOfDay(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}

/** Hours of [start, end) that fall inside the local night window. */
export function nightHoursOf(start: number, end: number, rules: RosterRules): number {
  const windowMs = (((rules.nightEndHour - rules.nightStartHour) % 24) + 24) % 24 * HOUR;
  if (windowMs === 0) return 0;
  const offsetMs = rules.timeZoneOffsetMinutes * MINUTE;
  const localStart = start + offsetMs;
  const localEnd = end + offsetMs;
  let overlapMs = 0;
  // The window opening on the day before the shift may still be running when it starts.
  for (let day = Math.floor(localStart / DAY) - 1; day * DAY < localEnd; day++) {
    const windowStart = day * DAY + rules.nightStartHour * HOUR;
    overlapMs += Math.max(0, Math.min(localEnd, windowStart + windowMs) - Math.max(localStart, windowStart));
  }
  return overlapMs / HOUR;
}

/** YYYY-MM-DD of a local day number (Hinnant's civil-from-days), for human-readable details. */
export function formatLocalDay(day: number): string {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const dayOfMonth = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${year}-${String(month).padStart(2, '0')}-${String(dayOfMonth).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Model: seats and staff with everything the checks need precomputed.

/** A seat with its local-time facts precomputed; `dayIndex`/`weekIndex` count from the horizon start. */
export interface RosterShift {
  readonly index: number;
  readonly seat: RosterSeat;
  readonly start: number;
  readonly end: number;
  readonly minutes: number;
  readonly day: number;
  readonly dayIndex: number;
  readonly weekIndex: number;
  readonly night: boolean;
  readonly weekend: boolean;
  readonly mode: RosterMode;
}

export interface StaffLimits {
  readonly maxMinutesPerDay: number;
  readonly maxMinutesPerWeek: number;
  readonly maxConsecutiveDays: number;
  readonly maxShiftsPerDay: number;
}

export interface RosterPerson {
  readonly index: number;
  readonly staff: RosterStaff;
  readonly skills: ReadonlySet<string>;
  /** Sorted by start. */
  readonly unavailable: readonly TimeInterval[];
  /** The limits that hold on a shift worked in each mode. */
  readonly limits: Readonly<Record<RosterMode, StaffLimits>>;
}

export interface RosterModel {
  readonly rules: RosterRules;
  readonly restMs: number;
  readonly shifts: readonly RosterShift[];
  readonly shiftBySeatId: ReadonlyMap<string, RosterShift>;
  readonly people: readonly RosterPerson[];
  readonly personByStaffId: ReadonlyMap<string, RosterPerson>;
  readonly firstDay: number;
  readonly dayCount: number;
  readonly weekCount: number;
}

/** Builds the model; throws on malformed input (duplicate ids, empty intervals) since no roster can be judged then. */
export function buildRosterModel(
  seats: readonly RosterSeat[],
  staff: readonly RosterStaff[],
  partialRules?: Partial<RosterRules>,
): RosterModel {
  const rules = resolveRules(partialRules);
  const days = seats.map((seat) => localDayOf(seat.start, rules));
  const firstDay = days.reduce((min, day) => Math.min(min, day), days[0] ?? 0);
  const lastDay = days.reduce((max, day) => Math.max(max, day), days[0] ?? 0);
  const firstWeek = weekOfDay(firstDay);

  const shiftBySeatId = new Map<string, RosterShift>();
  const shifts = seats.map((seat, index): RosterShift => {
    if (!(seat.end > seat.start)) throw new Error(`seat ${seat.seatId}: end must be after start`);
    if (shiftBySeatId.has(seat.seatId)) throw new Error(`duplicate seatId ${seat.seatId}`);
    const day = days[index];
    const shift: RosterShift = {
      index,
      seat,
      start: seat.start,
      end: seat.end,
      minutes: (seat.end - seat.start) / MINUTE,
      day,
      dayIndex: day - firstDay,
      weekIndex: weekOfDay(day) - firstWeek,
      night: nightHoursOf(seat.start, seat.end, rules) >= rules.minNightHours,
      weekend: weekdayOfDay(day) >= 5,
      mode: seat.mode ?? 'peace',
    };
    shiftBySeatId.set(seat.seatId, shift);
    return shift;
  });

  const personByStaffId = new Map<string, RosterPerson>();
  const people = staff.map((member, index): RosterPerson => {
    if (personByStaffId.has(member.staffId)) throw new Error(`duplicate staffId ${member.staffId}`);
    const person: RosterPerson = {
      index,
      staff: member,
      skills: new Set(member.skills),
      unavailable: [...member.unavailable].sort((a, b) => a.start - b.start),
      limits: { peace: limitsOf(member, rules.staffLimits.peace), war: limitsOf(member, rules.staffLimits.war) },
    };
    personByStaffId.set(member.staffId, person);
    return person;
  });

  return {
    rules,
    restMs: rules.minRestHours * HOUR,
    shifts,
    shiftBySeatId,
    people,
    personByStaffId,
    firstDay,
    dayCount: lastDay - firstDay + 1,
    weekCount: weekOfDay(lastDay) - firstWeek + 1,
  };
}

/** A staff member's own limits where set, else the mode's. */
function limitsOf(member: RosterStaff, fallback: ContractLimits): StaffLimits {
  return {
    maxMinutesPerDay: (member.maxHoursPerDay ?? fallback.maxHoursPerDay) * 60,
    maxMinutesPerWeek: (member.maxHoursPerWeek ?? fallback.maxHoursPerWeek) * 60,
    maxConsecutiveDays: member.maxConsecutiveDays ?? fallback.maxConsecutiveDays,
    maxShiftsPerDay: member.maxShiftsPerDay ?? fallback.maxShiftsPerDay,
  };
}

// ---------------------------------------------------------------------------------------------
// The hard constraints, one function each.

/** What a shift would break; `other` / `amount` / `limit` feed the human-readable detail. */
export interface Conflict {
  readonly kind: HardViolationKind;
  readonly other?: RosterShift;
  readonly interval?: TimeInterval;
  readonly amount?: number;
  readonly limit?: number;
}

type Check = (ledger: StaffLedger, shift: RosterShift) => Conflict | null;

const checkSkill: Check = (ledger, shift) => {
  const skill = shift.seat.requiredSkill;
  return skill === undefined || ledger.person.skills.has(skill) ? null : { kind: 'skill' };
};

const checkAvailability: Check = (ledger, shift) => {
  for (const interval of ledger.person.unavailable) {
    if (interval.start >= shift.end) break;
    if (interval.end > shift.start) return { kind: 'unavailable', interval };
  }
  return null;
};

const checkShiftsPerDay: Check = (ledger, shift) => {
  const count = ledger.shiftsOnDay[shift.dayIndex] + 1;
  const limit = ledger.person.limits[shift.mode].maxShiftsPerDay;
  return count > limit ? { kind: 'shifts_per_day', amount: count, limit } : null;
};

const checkHoursPerDay: Check = (ledger, shift) => {
  const minutes = ledger.minutesOnDay[shift.dayIndex] + shift.minutes;
  const limit = ledger.person.limits[shift.mode].maxMinutesPerDay;
  return minutes > limit ? { kind: 'hours_per_day', amount: minutes / 60, limit: limit / 60 } : null;
};

const checkHoursPerWeek: Check = (ledger, shift) => {
  const minutes = ledger.minutesInWeek[shift.weekIndex] + shift.minutes;
  const limit = ledger.person.limits[shift.mode].maxMinutesPerWeek;
  return minutes > limit ? { kind: 'hours_per_week', amount: minutes / 60, limit: limit / 60 } : null;
};

/** Whether a held shift overlaps `shift` or leaves less than the minimum rest next to it. */
function spacingClash(held: RosterShift, shift: RosterShift, restMs: number): 'overlap' | 'rest' | null {
  if (held === shift) return null;
  if (held.start < shift.end && shift.start < held.end) return 'overlap';
  return Math.max(held.start - shift.end, shift.start - held.end) < restMs ? 'rest' : null;
}

/** Overlap (reported first, being worse) or too little rest next to a held shift. */
const checkSpacing: Check = (ledger, shift) => {
  const restMs = ledger.model.restMs;
  let restClash: RosterShift | undefined;
  for (const held of ledger.neighboursOf(shift)) {
    const clash = spacingClash(held, shift, restMs);
    if (clash === 'overlap') return { kind: 'overlap', other: held };
    if (clash === 'rest') restClash ??= held;
  }
  if (!restClash) return null;
  const gapMs = Math.max(restClash.start - shift.end, shift.start - restClash.end);
  return { kind: 'rest', other: restClash, amount: gapMs / HOUR, limit: restMs / HOUR };
};

/** First and last day of the run of worked days that `day` would join (or belongs to). */
function runAround(worked: Uint16Array, day: number): { first: number; last: number } {
  let first = day;
  let last = day;
  while (first > 0 && worked[first - 1] > 0) first--;
  while (last < worked.length - 1 && worked[last + 1] > 0) last++;
  return { first, last };
}

const checkConsecutiveDays: Check = (ledger, shift) => {
  if (ledger.shiftsOnDay[shift.dayIndex] > 0) return null;
  const { first, last } = runAround(ledger.shiftsOnDay, shift.dayIndex);
  const run = last - first + 1;
  const limit = ledger.person.limits[shift.mode].maxConsecutiveDays;
  return run > limit ? { kind: 'consecutive_days', amount: run, limit } : null;
};

/** Ordered cheapest and most often decisive first, since the solver stops at the first conflict. */
const ALL_CHECKS: readonly Check[] = [
  checkShiftsPerDay,
  checkHoursPerDay,
  checkSkill,
  checkAvailability,
  checkSpacing,
  checkHoursPerWeek,
  checkConsecutiveDays,
];

const NO_SHIFTS: readonly RosterShift[] = [];

/** Conflicts that depend only on the seat's day: the person can take no other seat that day either. */
export const DAY_LEVEL_CONFLICTS: ReadonlySet<HardViolationKind> = new Set(['shifts_per_day', 'consecutive_days']);

/** The checks no re-arrangement of other shifts can fix. */
const ELIGIBILITY_CHECKS: readonly Check[] = [checkSkill, checkAvailability];

/**
 * One person's shifts plus per-day and per-week counters, so each hard check is O(1) or a short
 * scan of the shifts next to the new one.
 */
export class StaffLedger {
  /** Sorted by start. */
  readonly shifts: RosterShift[] = [];
  readonly shiftsOnDay: Uint16Array;
  readonly minutesOnDay: Float64Array;
  readonly minutesInWeek: Float64Array;
  minutes = 0;
  nights = 0;
  weekends = 0;
  /** Upper bound on the length of held shifts: how far back an overlap or rest clash can start. */
  longestMs = 0;

  constructor(
    readonly person: RosterPerson,
    readonly model: RosterModel,
  ) {
    this.shiftsOnDay = new Uint16Array(model.dayCount);
    this.minutesOnDay = new Float64Array(model.dayCount);
    this.minutesInWeek = new Float64Array(model.weekCount);
  }

  firstConflict(shift: RosterShift): Conflict | null {
    for (const check of ALL_CHECKS) {
      const conflict = check(this, shift);
      if (conflict) return conflict;
    }
    return null;
  }

  allConflicts(shift: RosterShift): Conflict[] {
    const conflicts: Conflict[] = [];
    for (const check of ALL_CHECKS) {
      const conflict = check(this, shift);
      if (conflict) conflicts.push(conflict);
    }
    return conflicts;
  }

  /** Skill and availability: whether moving other shifts around could ever let this person take it. */
  isEligible(shift: RosterShift): boolean {
    return ELIGIBILITY_CHECKS.every((check) => check(this, shift) === null);
  }

  /**
   * Held shifts whose release alone might let this person take `shift`: those implicated in every
   * conflict it has. Empty if there is no conflict or releasing cannot help (skill, availability).
   */
  releasable(shift: RosterShift): RosterShift[] {
    let candidates: RosterShift[] | undefined;
    for (const conflict of this.allConflicts(shift)) {
      const implicated = this.implicatedIn(conflict.kind, shift);
      candidates = candidates ? candidates.filter((held) => implicated.includes(held)) : implicated;
      if (candidates.length === 0) break;
    }
    return candidates ?? [];
  }

  /**
   * Held shifts that could clash with `shift` on overlap or rest. Held shifts are sorted by start,
   * so only those starting within (longest shift + rest) before it, or before its end + rest, can.
   */
  neighboursOf(shift: RosterShift): readonly RosterShift[] {
    const held = this.shifts;
    const reachMs = this.model.restMs;
    let first = this.indexFor(shift);
    let last = first;
    while (first > 0 && held[first - 1].start + this.longestMs + reachMs > shift.start) first--;
    while (last < held.length && held[last].start < shift.end + reachMs) last++;
    return first === last ? NO_SHIFTS : held.slice(first, last);
  }

  add(shift: RosterShift): void {
    this.shifts.splice(this.indexFor(shift), 0, shift);
    this.count(shift, 1);
    this.longestMs = Math.max(this.longestMs, shift.end - shift.start);
  }

  remove(shift: RosterShift): void {
    const at = this.shifts.indexOf(shift);
    if (at < 0) throw new Error(`seat ${shift.seat.seatId} is not held by ${this.person.staff.staffId}`);
    this.shifts.splice(at, 1);
    this.count(shift, -1);
  }

  private implicatedIn(kind: HardViolationKind, shift: RosterShift): RosterShift[] {
    switch (kind) {
      case 'overlap':
      case 'rest':
        return this.neighboursOf(shift).filter((held) => spacingClash(held, shift, this.model.restMs) !== null);
      case 'shifts_per_day':
      case 'hours_per_day':
        return this.shifts.filter((held) => held.dayIndex === shift.dayIndex);
      case 'hours_per_week':
        return this.shifts.filter((held) => held.weekIndex === shift.weekIndex);
      case 'consecutive_days': {
        const { first, last } = runAround(this.shiftsOnDay, shift.dayIndex);
        return this.shifts.filter((held) => held.dayIndex >= first && held.dayIndex <= last);
      }
      default:
        return [];
    }
  }

  private count(shift: RosterShift, sign: 1 | -1): void {
    this.shiftsOnDay[shift.dayIndex] += sign;
    this.minutesOnDay[shift.dayIndex] += sign * shift.minutes;
    this.minutesInWeek[shift.weekIndex] += sign * shift.minutes;
    this.minutes += sign * shift.minutes;
    if (shift.night) this.nights += sign;
    if (shift.weekend) this.weekends += sign;
  }

  /** Position of `shift` in, or for insertion into, the held shifts (by start, ties by seat order). */
  indexFor(shift: RosterShift): number {
    const held = this.shifts;
    let low = 0;
    let high = held.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const other = held[mid];
      if (other.start < shift.start || (other.start === shift.start && other.index < shift.index)) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

export function describeConflict(conflict: Conflict, shift: RosterShift, model: RosterModel): string {
  const date = formatLocalDay(shift.day);
  switch (conflict.kind) {
    case 'skill':
      return `seat needs skill '${shift.seat.requiredSkill}'`;
    case 'unavailable':
      return `unavailable ${formatInstant(conflict.interval!.start, model)} – ${formatInstant(conflict.interval!.end, model)}`;
    case 'overlap':
      return `overlaps seat ${conflict.other!.seat.seatId}`;
    case 'rest':
      return `only ${conflict.amount}h rest next to seat ${conflict.other!.seat.seatId} (minimum ${conflict.limit}h)`;
    case 'shifts_per_day':
      return `${conflict.amount} shifts on ${date} (limit ${conflict.limit})`;
    case 'hours_per_day':
      return `${conflict.amount}h on ${date} (limit ${conflict.limit}h)`;
    case 'hours_per_week':
      return `${conflict.amount}h in the week of ${date} (limit ${conflict.limit}h)`;
    case 'consecutive_days':
      return `${conflict.amount} consecutive working days around ${date} (limit ${conflict.limit})`;
    default:
      return conflict.kind;
  }
}

function formatInstant(instant: number, model: RosterModel): string {
  const localMs = instant + model.rules.timeZoneOffsetMinutes * MINUTE;
  const day = Math.floor(localMs / DAY);
  const minuteOfDay = Math.floor((localMs - day * DAY) / MINUTE);
  const hh = String(Math.floor(minuteOfDay / 60)).padStart(2, '0');
  const mm = String(minuteOfDay % 60).padStart(2, '0');
  return `${formatLocalDay(day)} ${hh}:${mm}`;
}

// ---------------------------------------------------------------------------------------------
// The checker.

/**
 * Every hard-rule violation in a roster. Assignments are replayed in chronological order, so a
 * breach is reported on the later shift (the 7th consecutive day, the shift that tips the week over).
 * Pins are solver input, not hard rules, and are not checked here.
 */
export function checkRoster(
  seats: readonly RosterSeat[],
  staff: readonly RosterStaff[],
  assignments: readonly RosterAssignment[],
  rules?: Partial<RosterRules>,
): HardViolation[] {
  return checkAssignments(buildRosterModel(seats, staff, rules), assignments);
}

export function checkAssignments(model: RosterModel, assignments: readonly RosterAssignment[]): HardViolation[] {
  const violations: HardViolation[] = [];
  const placed: Array<{ shift: RosterShift; person: RosterPerson }> = [];
  const bookedSeats = new Set<string>();
  for (const { seatId, staffId } of assignments) {
    const shift = model.shiftBySeatId.get(seatId);
    const person = model.personByStaffId.get(staffId);
    if (!shift) violations.push({ kind: 'unknown_seat', seatId, staffId, detail: `no seat ${seatId}` });
    else if (!person) violations.push({ kind: 'unknown_staff', seatId, staffId, detail: `no staff member ${staffId}` });
    else if (bookedSeats.has(seatId)) {
      violations.push({ kind: 'double_booked_seat', seatId, staffId, detail: `seat ${seatId} is assigned more than once` });
    } else {
      bookedSeats.add(seatId);
      placed.push({ shift, person });
    }
  }
  placed.sort((a, b) => a.shift.start - b.shift.start || a.shift.end - b.shift.end || a.shift.index - b.shift.index);

  const ledgers = new Map<RosterPerson, StaffLedger>();
  for (const { shift, person } of placed) {
    let ledger = ledgers.get(person);
    if (!ledger) ledgers.set(person, (ledger = new StaffLedger(person, model)));
    for (const conflict of ledger.allConflicts(shift)) {
      violations.push({
        kind: conflict.kind,
        seatId: shift.seat.seatId,
        staffId: person.staff.staffId,
        detail: describeConflict(conflict, shift, model),
      });
    }
    ledger.add(shift);
  }
  return violations;
}
