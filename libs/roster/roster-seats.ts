/**
 * From posts to seats: a post's shift pattern and its per-mode requirements expand, for each local
 * date, into the seats the solver fills. Seat ids are deterministic — post, date, slot, seat number —
 * so a re-plan (a new mode, a new draft) meets the same seat again and can keep its person.
 *
 * Pure (no I/O, no clock): the planner, the API and the benchmark share it.
 */
import { ROSTER_MODES, type RosterMode, type RosterSeat } from './roster-rules';
import { MINUTE, datesBetween, localMidnight } from '../domain/local-time';

export { ROSTER_MODES, type RosterMode };
export const POST_KINDS = ['checkpoint', 'community_gate', 'on_call_desk', 'transfer_team'] as const;
export type PostKind = (typeof POST_KINDS)[number];
/** The kind of the posts the "guard posted" measure opens at a person's door (not made by hand). */
export const GUARD_POST_KIND = 'guard';

/** `headcount` people with `skill` (none: anyone) on every shift. */
export interface SeatRequirement {
  skill?: string;
  headcount: number;
}

export type PostRequirements = Record<RosterMode, SeatRequirement[]>;

/** One shift of a day: starts at local `start` (HH:MM) and lasts `hours`. */
export interface ShiftSlot {
  start: string;
  hours: number;
}

/** 3 × 8 h: 00–08, 08–16, 16–24. */
export const DEFAULT_PATTERN: readonly ShiftSlot[] = [
  { start: '00:00', hours: 8 },
  { start: '08:00', hours: 8 },
  { start: '16:00', hours: 8 },
];

export interface PostPlan {
  id: string;
  jurisdiction: string;
  requirements: PostRequirements;
  pattern: ShiftSlot[];
}

/** A seat with where it comes from, as planned and published. */
export interface PlannedSeat extends RosterSeat {
  shiftDate: string;
  slot: number;
  seatNo: number;
  mode: RosterMode;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function shiftId(postId: string, date: string, slot: number, seatNo: number): string {
  return `${postId}-${date.replace(/-/g, '')}-s${slot}-${seatNo}`;
}

/** The seats of one shift in a mode, numbered from 1 in requirement order. */
export function seatSkills(requirements: PostRequirements, mode: RosterMode): Array<string | undefined> {
  return requirements[mode].flatMap((r) => Array.from({ length: r.headcount }, () => r.skill));
}

/**
 * The seats of `posts` on the local dates `from`..`to`, each post in the mode `modeOf` gives its
 * jurisdiction. Seats of shifts that end at or before `notBefore` are left out; a shift running at
 * `notBefore` is cut to start there (a seat added mid-shift by a switch to war-time starts at once).
 */
export function seatsOf(
  posts: readonly PostPlan[],
  from: string,
  to: string,
  modeOf: (jurisdiction: string) => RosterMode,
  utcOffsetMinutes: number,
  notBefore = -Infinity,
): PlannedSeat[] {
  const seats: PlannedSeat[] = [];
  for (const date of datesBetween(from, to)) {
    const midnight = localMidnight(date, utcOffsetMinutes);
    for (const post of posts) {
      const mode = modeOf(post.jurisdiction);
      post.pattern.forEach((slot, index) => {
        const [hh, mm] = slot.start.split(':').map(Number);
        const start = midnight + (hh * 60 + mm) * MINUTE;
        const end = start + slot.hours * 60 * MINUTE;
        if (end <= notBefore) return;
        seatSkills(post.requirements, mode).forEach((skill, i) => {
          seats.push({
            seatId: shiftId(post.id, date, index, i + 1),
            postId: post.id,
            jurisdiction: post.jurisdiction,
            start: Math.max(start, notBefore),
            end,
            requiredSkill: skill,
            shiftDate: date,
            slot: index,
            seatNo: i + 1,
            mode,
          });
        });
      });
    }
  }
  return seats;
}

/** Problems with a post's requirements and pattern, as field/reason pairs (empty: valid). */
export function validatePostPlan(requirements: unknown, pattern: unknown): Array<{ field: string; reason: string }> {
  const problems: Array<{ field: string; reason: string }> = [];
  const req = requirements as Partial<Record<string, unknown>> | undefined;
  for (const mode of ROSTER_MODES) {
    const list = req?.[mode];
    if (!Array.isArray(list) || list.length === 0) {
      problems.push({ field: `requirements.${mode}`, reason: 'must list at least one seat requirement { skill?, headcount }' });
      continue;
    }
    list.forEach((r: Partial<SeatRequirement>, i) => {
      if (!Number.isInteger(r?.headcount) || r.headcount! < 1 || r.headcount! > 50) problems.push({ field: `requirements.${mode}[${i}].headcount`, reason: 'must be a whole number 1-50' });
      if (r?.skill !== undefined && (typeof r.skill !== 'string' || !r.skill.trim())) problems.push({ field: `requirements.${mode}[${i}].skill`, reason: 'must be a non-empty string' });
    });
  }
  if (!Array.isArray(pattern) || pattern.length === 0) {
    problems.push({ field: 'pattern', reason: 'must list at least one shift { start: HH:MM, hours }' });
    return problems;
  }
  let previousEnd = -Infinity;
  (pattern as Partial<ShiftSlot>[]).forEach((slot, i) => {
    const match = HHMM.exec(slot?.start ?? '');
    if (!match) return void problems.push({ field: `pattern[${i}].start`, reason: 'must be a local time HH:MM' });
    if (typeof slot.hours !== 'number' || !(slot.hours > 0) || slot.hours > 24 || !Number.isInteger(slot.hours * 4)) {
      return void problems.push({ field: `pattern[${i}].hours`, reason: 'must be 0.25-24 in quarter hours' });
    }
    const start = Number(match[1]) * 60 + Number(match[2]);
    if (start < previousEnd) problems.push({ field: `pattern[${i}].start`, reason: 'overlaps the previous shift of the pattern (shifts are listed in order and do not overlap)' });
    previousEnd = start + slot.hours * 60;
  });
  if (previousEnd > 24 * 60 + (HHMM.test(pattern[0]?.start ?? '') ? Number(pattern[0].start.slice(0, 2)) * 60 + Number(pattern[0].start.slice(3)) : 0)) {
    problems.push({ field: 'pattern', reason: 'the shifts of a day must fit in 24 hours' });
  }
  return problems;
}
