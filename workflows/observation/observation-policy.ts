/**
 * Observation policy per category (A close contact, B domestic arrival, C overseas arrival,
 * D local). Pure: the API, the activities and the workflow all read the same rules.
 */
export const CATEGORIES = ['A', 'B', 'C', 'D'] as const;
export type Category = (typeof CATEGORIES)[number];

/** A daily local time window, 'HH:MM'–'HH:MM'. */
export interface TimeWindow {
  start: string;
  end: string;
}

export interface ObservationRules {
  /** Days from the anchor date (last exposure or arrival) to release. */
  periodDays: number;
  /** Temperature check-in slots, local time. */
  slots: TimeWindow[];
  /** Minutes after a slot opens that the reminder goes if nothing was reported yet. */
  reminderMinutes: number;
  /** Minutes after a slot closes during which a late report is still taken; then it is a miss. */
  graceMinutes: number;
  /** °C at or above which a report is fever. */
  feverThreshold: number;
  /** Local windows in which the door may open (e.g. rubbish collection); outside them a door event is non-cooperation. */
  doorAllowedWindows: TimeWindow[];
}

export interface ObservationPolicy {
  id: string;
  category: Category;
  version: number;
  /** YYYY-MM-DD: the policy applies to enrolments from this date. */
  effectiveFrom: string;
  rules: ObservationRules;
}

export const DEFAULT_RULES: ObservationRules = {
  periodDays: 14,
  slots: [
    { start: '08:00', end: '10:00' },
    { start: '14:00', end: '16:00' },
  ],
  reminderMinutes: 0,
  graceMinutes: 60,
  feverThreshold: 37.3,
  doorAllowedWindows: [],
};

/**
 * Rules whose one slot takes a report at any hour, for tests and the bench, which run whenever they
 * are started: the minute of grace carries the 00:00-23:59 slot up to the next day's opening.
 */
export const ALL_DAY_RULES: ObservationRules = { ...DEFAULT_RULES, slots: [{ start: '00:00', end: '23:59' }], graceMinutes: 1 };

export interface RuleViolation {
  field: string;
  reason: string;
}

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

export function minutesOfDay(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

function checkWindows(field: string, windows: unknown, violations: RuleViolation[]): void {
  if (!Array.isArray(windows)) {
    violations.push({ field, reason: 'must be a list of {start, end} windows' });
    return;
  }
  windows.forEach((window: Partial<TimeWindow>, i) => {
    if (!window || !HH_MM.test(String(window.start)) || !HH_MM.test(String(window.end))) {
      violations.push({ field: `${field}[${i}]`, reason: 'start and end must be HH:MM' });
    } else if (minutesOfDay(window.start!) >= minutesOfDay(window.end!)) {
      violations.push({ field: `${field}[${i}]`, reason: 'start must be before end on the same day' });
    }
  });
}

/** Every problem with a rules object, each naming its field. */
export function validateRules(rules: Partial<ObservationRules>): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const int = (field: keyof ObservationRules, min: number, max: number) => {
    const value = rules[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      violations.push({ field, reason: `must be a whole number from ${min} to ${max}` });
    }
  };
  int('periodDays', 1, 60);
  int('reminderMinutes', 0, 24 * 60);
  int('graceMinutes', 0, 24 * 60);
  if (typeof rules.feverThreshold !== 'number' || rules.feverThreshold < 36 || rules.feverThreshold > 40) {
    violations.push({ field: 'feverThreshold', reason: 'must be a temperature from 36.0 to 40.0 °C' });
  }
  checkWindows('slots', rules.slots, violations);
  if (Array.isArray(rules.slots) && rules.slots.length === 0) violations.push({ field: 'slots', reason: 'needs at least one check-in slot' });
  if (violations.length === 0) {
    const sorted = [...rules.slots!].sort((a, b) => minutesOfDay(a.start) - minutesOfDay(b.start));
    for (let i = 1; i < sorted.length; i++) {
      // A slot's grace must end before the next slot opens, so every report belongs to one slot.
      if (minutesOfDay(sorted[i - 1].end) + rules.graceMinutes! > minutesOfDay(sorted[i].start)) {
        violations.push({ field: 'slots', reason: `slot ${sorted[i - 1].start}-${sorted[i - 1].end} plus grace overlaps slot ${sorted[i].start}` });
      }
    }
  }
  checkWindows('doorAllowedWindows', rules.doorAllowedWindows, violations);
  return violations;
}

export function isCategory(value: unknown): value is Category {
  return typeof value === 'string' && (CATEGORIES as readonly string[]).includes(value);
}
