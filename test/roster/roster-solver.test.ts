import { buildBenchSeats, buildBenchStaff, buildWarTimeSeats } from '../../bench/roster-bench';
import {
  buildRosterModel,
  formatLocalDay,
  localDayOf,
  nightHoursOf,
  resolveRules,
  weekdayOfDay,
} from '../../libs/roster/roster-rules';
import {
  checkRoster,
  solveRoster,
  type HardViolationKind,
  type RosterAssignment,
  type RosterRules,
  type RosterSeat,
  type RosterSolution,
  type RosterStaff,
} from '../../libs/roster/roster-solver';
import { DAY, HOUR } from '../../libs/domain/local-time';
import { solveRosterOffThread } from '../../libs/roster/roster-solve-thread';

/** Monday 2024-01-01 00:00 in UTC+8, the default time zone. */
const MONDAY = 19_723 * DAY - 8 * HOUR;

function seat(seatId: string, day: number, startHour: number, hours: number, extra: Partial<RosterSeat> = {}): RosterSeat {
  const start = MONDAY + day * DAY + startHour * HOUR;
  return { seatId, postId: 'gate-1', jurisdiction: 'community-1', start, end: start + hours * HOUR, ...extra };
}

function person(staffId: string, extra: Partial<RosterStaff> = {}): RosterStaff {
  return { staffId, role: 'guard', skills: ['gate'], unavailable: [], ...extra };
}

/** One 8-hour day shift per day for `days` days starting at `firstDay`. */
function dailySeats(firstDay: number, days: number): RosterSeat[] {
  return Array.from({ length: days }, (_, i) => seat(`day-${firstDay + i}`, firstDay + i, 8, 8));
}

function holderOf(solution: RosterSolution, seatId: string): string | undefined {
  return solution.assignments.find((a) => a.seatId === seatId)?.staffId;
}

function expectSound(solution: RosterSolution, seats: RosterSeat[], staff: RosterStaff[], rules?: Partial<RosterRules>): void {
  expect(solution.violations).toEqual([]);
  expect(checkRoster(seats, staff, solution.assignments, rules)).toEqual([]);
  // Every seat is either filled or reported, never both, never dropped.
  const accounted = [...solution.assignments.map((a) => a.seatId), ...solution.unfilled.map((u) => u.seatId)];
  expect(accounted.sort()).toEqual(seats.map((s) => s.seatId).sort());
}

describe('local time model', () => {
  const rules = resolveRules();

  it('counts days and Monday-based weeks in local time', () => {
    const day = localDayOf(MONDAY, rules);
    expect(formatLocalDay(day)).toBe('2024-01-01');
    expect(weekdayOfDay(day)).toBe(0);
    expect(weekdayOfDay(localDayOf(MONDAY - 1, rules))).toBe(6); // Sunday 23:59:59.999 local
    expect(formatLocalDay(localDayOf(MONDAY - 1, { ...rules, timeZoneOffsetMinutes: 0 }))).toBe('2023-12-31');
  });

  it('measures night hours against the local night window', () => {
    expect(nightHoursOf(MONDAY, MONDAY + 8 * HOUR, rules)).toBe(6); // 00–08
    expect(nightHoursOf(MONDAY + 8 * HOUR, MONDAY + 16 * HOUR, rules)).toBe(0); // 08–16
    expect(nightHoursOf(MONDAY + 16 * HOUR, MONDAY + 24 * HOUR, rules)).toBe(2); // 16–24
    expect(nightHoursOf(MONDAY + 20 * HOUR, MONDAY + 28 * HOUR, rules)).toBe(6); // 20–04
  });

  it('flags night and weekend shifts from the configured offset', () => {
    const seats = [seat('mon-early', 0, 0, 8), seat('mon-late', 0, 16, 8), seat('sat-day', 5, 8, 8)];
    const shanghai = buildRosterModel(seats, []).shifts;
    expect(shanghai.map((s) => [s.night, s.weekend])).toEqual([
      [true, false],
      [false, false],
      [false, true],
    ]);
    // In UTC the same instants are Sunday 16–24, Monday 08–16 and Saturday 00–08.
    const utc = buildRosterModel(seats, [], { timeZoneOffsetMinutes: 0 }).shifts;
    expect(utc.map((s) => [s.night, s.weekend])).toEqual([
      [false, true],
      [false, false],
      [true, true],
    ]);
  });
});

describe('solveRoster hard constraints', () => {
  const loose = { maxShiftsPerDay: 3, maxHoursPerDay: 24 };

  it('never gives a person overlapping shifts', () => {
    const seats = [seat('a', 0, 8, 8), seat('b', 0, 12, 8)];
    const staff = [person('p', loose)];
    const solution = solveRoster({ seats, staff });
    expectSound(solution, seats, staff);
    expect(solution.stats.filled).toBe(1);
    expect(solution.unfilled[0].reason).toContain('1 overlap');
  });

  it('keeps the minimum rest between shifts, also across midnight', () => {
    const seats = [seat('early', 0, 0, 8), seat('afternoon', 0, 12, 8), seat('late', 1, 16, 8), seat('next-early', 2, 0, 8)];
    const staff = [person('p', loose)];
    const solution = solveRoster({ seats, staff });
    expectSound(solution, seats, staff);
    expect(solution.stats.filled).toBe(2);
    expect(solution.unfilled.map((u) => u.reason)).toEqual([expect.stringContaining('1 rest'), expect.stringContaining('1 rest')]);
  });

  it('uses the configured rest', () => {
    const seats = [seat('early', 0, 0, 8), seat('afternoon', 0, 12, 8)];
    const staff = [person('p', loose)];
    const rules = { minRestHours: 4 };
    const solution = solveRoster({ seats, staff, rules });
    expectSound(solution, seats, staff, rules);
    expect(solution.stats.filled).toBe(2);
  });

  it('requires the seat skill', () => {
    const seats = [seat('medic', 0, 8, 8, { requiredSkill: 'medical' }), seat('gate', 0, 8, 8, { requiredSkill: 'gate' })];
    const staff = [person('p')];
    const solution = solveRoster({ seats, staff });
    expectSound(solution, seats, staff);
    expect(holderOf(solution, 'gate')).toBe('p');
    expect(solution.unfilled).toEqual([{ seatId: 'medic', reason: "no staff with skill 'medical'" }]);
  });

  it('respects unavailability', () => {
    const seats = [seat('a', 0, 8, 8), seat('b', 1, 8, 8)];
    const staff = [person('p', { unavailable: [{ start: MONDAY + 10 * HOUR, end: MONDAY + 11 * HOUR }] })];
    const solution = solveRoster({ seats, staff });
    expectSound(solution, seats, staff);
    expect(holderOf(solution, 'b')).toBe('p');
    expect(solution.unfilled).toEqual([{ seatId: 'a', reason: expect.stringContaining('1 unavailable') }]);
  });

  it('caps hours per day', () => {
    const seats = [seat('a', 0, 0, 5), seat('b', 0, 14, 5)];
    const staff = [person('p', { maxShiftsPerDay: 2 })];
    const solution = solveRoster({ seats, staff });
    expectSound(solution, seats, staff);
    expect(solution.stats.filled).toBe(1);
    expect(solution.unfilled[0].reason).toContain('1 hours_per_day');
  });

  it('caps shifts per day', () => {
    const seats = [seat('a', 0, 0, 4), seat('b', 0, 14, 4)];
    const staff = [person('p')];
    const solution = solveRoster({ seats, staff });
    expectSound(solution, seats, staff);
    expect(solution.stats.filled).toBe(1);
    expect(solution.unfilled[0].reason).toContain('1 shifts_per_day');
  });

  it('caps consecutive working days (six in seven)', () => {
    const seats = dailySeats(0, 7);
    const staff = [person('p', { maxHoursPerWeek: 100 })];
    const solution = solveRoster({ seats, staff });
    expectSound(solution, seats, staff);
    expect(solution.stats.filled).toBe(6);
    expect(solution.unfilled[0].reason).toContain('1 consecutive_days');
  });

  it('caps hours per Monday-to-Sunday calendar week', () => {
    const staff = [person('p', { maxConsecutiveDays: 7 })];
    const mondayToSunday = dailySeats(0, 7);
    const sameWeek = solveRoster({ seats: mondayToSunday, staff });
    expectSound(sameWeek, mondayToSunday, staff);
    expect(sameWeek.stats.filled).toBe(6);
    expect(sameWeek.unfilled[0].reason).toContain('1 hours_per_week');

    // Thursday to Wednesday: 32 h in one calendar week, 24 h in the next.
    const thursdayToWednesday = dailySeats(3, 7);
    const twoWeeks = solveRoster({ seats: thursdayToWednesday, staff });
    expectSound(twoWeeks, thursdayToWednesday, staff);
    expect(twoWeeks.stats.filled).toBe(7);
  });
});

describe('solveRoster pins, preferences and reasons', () => {
  it('keeps a pinned person even when someone else would be preferred', () => {
    const seats = [seat('a', 0, 8, 8, { pinnedStaffId: 'q' })];
    const staff = [person('p', { preferredPostIds: ['gate-1'], homeCommunity: 'community-1' }), person('q')];
    const solution = solveRoster({ seats, staff });
    expectSound(solution, seats, staff);
    expect(holderOf(solution, 'a')).toBe('q');
  });

  it('reports a pin that breaks a hard rule as unfilled instead of violating it or re-assigning', () => {
    const seats = [
      seat('medic', 0, 8, 8, { requiredSkill: 'medical', pinnedStaffId: 'p' }),
      seat('ghost', 1, 8, 8, { pinnedStaffId: 'nobody' }),
    ];
    const staff = [person('p'), person('medic', { skills: ['medical'] })];
    const solution = solveRoster({ seats, staff });
    expectSound(solution, seats, staff);
    expect(solution.assignments).toEqual([]);
    expect(solution.unfilled).toEqual([
      { seatId: 'medic', reason: expect.stringMatching(/^pinned staff member p cannot take it: skill/) },
      { seatId: 'ghost', reason: 'pinned staff member nobody does not exist' },
    ]);
  });

  // Without the soft goal each of these would be a coin toss, so try several seeds.
  const seeds = [1, 2, 3, 4, 5, 6, 7, 8];

  it.each(seeds)('gives the day seat to the person who avoids nights (seed %i)', (seed) => {
    const seats = [seat('night', 0, 0, 8), seat('day', 0, 8, 8)];
    const staff = [person('owl'), person('lark', { avoidNights: true })];
    const solution = solveRoster({ seats, staff, seed });
    expectSound(solution, seats, staff);
    expect(holderOf(solution, 'day')).toBe('lark');
    expect(holderOf(solution, 'night')).toBe('owl');
  });

  it.each(seeds)('keeps a scarce skill off seats that do not need it (seed %i)', (seed) => {
    const seats = [seat('gate', 0, 8, 8, { requiredSkill: 'gate' }), seat('medic', 1, 8, 8, { requiredSkill: 'medical' })];
    const staff = [person('medic', { skills: ['gate', 'medical'] }), person('guard')];
    const solution = solveRoster({ seats, staff, seed });
    expectSound(solution, seats, staff);
    expect(holderOf(solution, 'gate')).toBe('guard');
    expect(holderOf(solution, 'medic')).toBe('medic');
  });

  it('says why a seat nobody can take is unfilled', () => {
    const seats = [seat('a', 0, 8, 8), seat('b', 0, 8, 8), seat('c', 0, 8, 8)];
    const staff = [person('p'), person('q', { unavailable: [{ start: MONDAY, end: MONDAY + DAY }] })];
    const solution = solveRoster({ seats, staff });
    expectSound(solution, seats, staff);
    expect(solution.unfilled).toHaveLength(2);
    for (const { reason } of solution.unfilled) {
      expect(reason).toContain('every qualified staff member is at a contract, rest or availability limit');
      expect(reason).toContain('2 staff, peace-time seat: 1 shifts_per_day (limit 1), 1 unavailable');
    }
  });

  it('is deterministic for a seed', () => {
    const seats = buildBenchSeats(2, 7, 7);
    const staff = buildBenchStaff(40, 2, 7, 7, 3);
    expect(solveRoster({ seats, staff, seed: 5 })).toEqual(solveRoster({ seats, staff, seed: 5 }));
  });
});

describe('checkRoster', () => {
  const twoShiftDay = { maxShiftsPerDay: 2, maxHoursPerDay: 24 };
  const cases: Array<[HardViolationKind, RosterSeat[], RosterStaff[], RosterAssignment[]]> = [
    ['overlap', [seat('a', 0, 8, 8), seat('b', 0, 12, 8)], [person('p', twoShiftDay)], assign('p', 'a', 'b')],
    ['rest', [seat('a', 0, 0, 8), seat('b', 0, 12, 8)], [person('p', twoShiftDay)], assign('p', 'a', 'b')],
    ['skill', [seat('a', 0, 8, 8, { requiredSkill: 'medical' })], [person('p')], assign('p', 'a')],
    ['unavailable', [seat('a', 0, 8, 8)], [person('p', { unavailable: [{ start: MONDAY, end: MONDAY + DAY }] })], assign('p', 'a')],
    ['hours_per_day', [seat('a', 0, 0, 5), seat('b', 0, 14, 5)], [person('p', { maxShiftsPerDay: 2 })], assign('p', 'a', 'b')],
    ['shifts_per_day', [seat('a', 0, 0, 4), seat('b', 0, 14, 4)], [person('p')], assign('p', 'a', 'b')],
    ['hours_per_week', dailySeats(0, 7), [person('p', { maxConsecutiveDays: 7 })], assign('p', ...dailySeats(0, 7).map((s) => s.seatId))],
    ['consecutive_days', dailySeats(0, 7), [person('p', { maxHoursPerWeek: 100 })], assign('p', ...dailySeats(0, 7).map((s) => s.seatId))],
    ['unknown_staff', [seat('a', 0, 8, 8)], [person('p')], assign('nobody', 'a')],
    ['unknown_seat', [seat('a', 0, 8, 8)], [person('p')], assign('p', 'nowhere')],
    ['double_booked_seat', [seat('a', 0, 8, 8)], [person('p'), person('q')], [...assign('p', 'a'), ...assign('q', 'a')]],
  ];

  function assign(staffId: string, ...seatIds: string[]): RosterAssignment[] {
    return seatIds.map((seatId) => ({ seatId, staffId }));
  }

  it.each(cases)('detects %s', (kind, seats, staff, assignments) => {
    const violations = checkRoster(seats, staff, assignments);
    expect(violations).toEqual([{ kind, seatId: expect.any(String), staffId: expect.any(String), detail: expect.any(String) }]);
    expect(violations[0].detail.length).toBeGreaterThan(3);
  });

  it('reports every rule a shift breaks, on the later shift, with details', () => {
    const seats = [seat('a', 0, 8, 8), seat('b', 0, 12, 8, { requiredSkill: 'medical' })];
    const violations = checkRoster(seats, [person('p')], assign('p', 'b', 'a'));
    expect(violations).toEqual([
      { kind: 'shifts_per_day', seatId: 'b', staffId: 'p', detail: '2 shifts on 2024-01-01 (limit 1)' },
      { kind: 'hours_per_day', seatId: 'b', staffId: 'p', detail: '16h on 2024-01-01 (limit 8h)' },
      { kind: 'skill', seatId: 'b', staffId: 'p', detail: "seat needs skill 'medical'" },
      { kind: 'overlap', seatId: 'b', staffId: 'p', detail: 'overlaps seat a' },
    ]);
  });

  it('accepts a sound roster', () => {
    const seats = [seat('a', 0, 0, 8), seat('b', 0, 8, 8), seat('c', 1, 0, 8)];
    expect(checkRoster(seats, [person('p'), person('q')], [...assign('p', 'a', 'c'), ...assign('q', 'b')])).toEqual([]);
  });
});

describe('re-planning against the published roster', () => {
  const seats = buildBenchSeats(3, 7, 14);
  const staff = buildBenchStaff(81, 3, 7, 14, 11);
  const published = solveRoster({ seats, staff, seed: 11 });

  it('keeps an unchanged roster as it is', () => {
    expectSound(published, seats, staff);
    expect(published.unfilled).toEqual([]);
    const again = solveRoster({ seats, staff, seed: 99, previous: published.assignments });
    expect(again.assignments).toEqual(published.assignments);
    expect(again.stats).toMatchObject({ changedFromPrevious: 0, keptFromPrevious: seats.length });
  });

  it('moves a published person to a new seat only they can take, and backfills their old seat', () => {
    const seats = [seat('gate', 0, 8, 8), seat('medic', 0, 16, 8, { requiredSkill: 'medical' })];
    const staff = [person('medic', { skills: ['gate', 'medical'] }), person('guard')];
    const previous = [{ seatId: 'gate', staffId: 'medic' }];
    const replanned = solveRoster({ seats, staff, previous });
    expectSound(replanned, seats, staff);
    expect(replanned.assignments).toEqual([
      { seatId: 'gate', staffId: 'guard' },
      { seatId: 'medic', staffId: 'medic' },
    ]);
    expect(replanned.stats).toMatchObject({ changedFromPrevious: 1, keptFromPrevious: 0 });
  });

  it('replaces a published assignment that is no longer valid', () => {
    const seats = [seat('a', 0, 8, 8), seat('b', 1, 8, 8)];
    const staff = [person('p', { unavailable: [{ start: MONDAY, end: MONDAY + DAY }] }), person('q')];
    const previous = [
      { seatId: 'a', staffId: 'p' },
      { seatId: 'b', staffId: 'p' },
    ];
    const replanned = solveRoster({ seats, staff, previous });
    expectSound(replanned, seats, staff);
    expect(replanned.assignments).toEqual([
      { seatId: 'a', staffId: 'q' },
      { seatId: 'b', staffId: 'p' },
    ]);
    expect(replanned.stats).toMatchObject({ changedFromPrevious: 1, keptFromPrevious: 1 });
  });

  it('only moves what it must when someone drops out', () => {
    const absent = published.assignments[0].staffId;
    const theirSeats = published.assignments.filter((a) => a.staffId === absent).length;
    const remaining = staff.filter((s) => s.staffId !== absent);
    const replanned = solveRoster({ seats, staff: remaining, seed: 11, previous: published.assignments });
    expectSound(replanned, seats, remaining);
    expect(replanned.unfilled).toEqual([]);
    // Their seats change by definition; each refill moves at most two more people.
    expect(replanned.stats.changedFromPrevious).toBeGreaterThanOrEqual(theirSeats);
    expect(replanned.stats.changedFromPrevious).toBeLessThanOrEqual(3 * theirSeats);
    const kept = new Set(replanned.assignments.map((a) => `${a.seatId}/${a.staffId}`));
    const others = published.assignments.filter((a) => a.staffId !== absent);
    expect(others.filter((a) => kept.has(`${a.seatId}/${a.staffId}`)).length).toBeGreaterThan(others.length * 0.95);
  });

  it('fills war-time seats while keeping most of the published roster', () => {
    const added = buildWarTimeSeats(3, 7, 4, 1);
    const warSeats = [...seats, ...added];
    const replanned = solveRoster({ seats: warSeats, staff, seed: 11, previous: published.assignments });
    expectSound(replanned, warSeats, staff);
    expect(added).toHaveLength(9);
    expect(replanned.unfilled).toEqual([]);
    expect(replanned.stats.changedFromPrevious).toBeLessThanOrEqual(2 * added.length);
  });
});

describe('scale', () => {
  it('fills a medium instance (5 communities × 7 gates × 3 shifts × 14 days) without violations', () => {
    const seats = buildBenchSeats(5, 7, 14);
    const staff = buildBenchStaff(135, 5, 7, 14, 7);
    const solution = solveRoster({ seats, staff, seed: 7 });
    expectSound(solution, seats, staff);
    expect(seats).toHaveLength(1470);
    expect(solution.unfilled).toEqual([]);
    expect(solution.stats.nightSpread).toBeLessThanOrEqual(3);
    expect(solution.stats.weekendSpread).toBeLessThanOrEqual(3);
  });

  it('solves the same in a thread of its own, the event loop turning meanwhile', async () => {
    const seats = buildBenchSeats(5, 7, 14);
    const staff = buildBenchStaff(135, 5, 7, 14, 7);
    await solveRosterOffThread({ seats: seats.slice(0, 3), staff, seed: 7 }); // the thread starts once per process
    let turns = 0;
    const ticking = setInterval(() => turns++, 5);
    const solved = await solveRosterOffThread({ seats, staff, seed: 7 });
    clearInterval(ticking);
    // Solved on this thread, no timer could have fired before the answer.
    expect(turns).toBeGreaterThan(0);
    expect(solved).toEqual(solveRoster({ seats, staff, seed: 7 }));
  });
});

describe('one checkpoint, three staff, 8-hour shifts, 14 days', () => {
  const checkpoint = (mode?: RosterSeat['mode']) => Array.from({ length: 14 * 3 }, (_, i) => seat(`d${Math.floor(i / 3)}-s${i % 3}`, Math.floor(i / 3), (i % 3) * 8, 8, { mode }));
  const seats = checkpoint();
  const trio = (extra: Partial<RosterStaff> = {}) => ['a', 'b', 'c'].map((id) => person(id, extra));

  it('cannot be covered under the peace-time defaults: six days in seven and 48 h a week leave 36 of 42 shifts, and the reasons name the limits', () => {
    const staff = trio();
    const solution = solveRoster({ seats, staff });
    expectSound(solution, seats, staff);
    expect(solution.stats.filled).toBe(36);
    expect(solution.unfilled).toHaveLength(6);
    for (const { reason } of solution.unfilled) {
      expect(reason).toMatch(/^every qualified staff member is at a contract, rest or availability limit \(3 staff, peace-time seat: /);
      expect(reason).toMatch(/consecutive_days \(limit 6\)|hours_per_week \(limit 48h\)|shifts_per_day \(limit 1\)|rest \(minimum 8h\)/);
    }
  });

  it('is fully covered in war time: seats worked in war-time mode carry its limits (56 h a week, 14 days in a row)', () => {
    const war = checkpoint('war');
    const staff = trio();
    const solution = solveRoster({ seats: war, staff });
    expectSound(solution, war, staff);
    expect(solution.stats.filled).toBe(42);
    expect(solution.stats.shiftSpread).toBe(0);
  });

  it("keeps a staff member's own limits in war time", () => {
    const war = checkpoint('war');
    const staff = trio({ maxConsecutiveDays: 6 });
    const solution = solveRoster({ seats: war, staff });
    expectSound(solution, war, staff);
    expect(solution.stats.filled).toBeLessThan(42);
    expect(solution.unfilled[0].reason).toMatch(/war-time seat: .*consecutive_days \(limit 6\)/);
  });

  it('is fully covered when each works every day (14 consecutive days, 56 h a week)', () => {
    const staff = trio({ maxConsecutiveDays: 14, maxHoursPerWeek: 56 });
    const solution = solveRoster({ seats, staff });
    expectSound(solution, seats, staff);
    expect(solution.stats.filled).toBe(42);
    expect(solution.stats.shiftSpread).toBe(0);
  });
});
