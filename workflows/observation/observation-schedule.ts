/**
 * When things fall due in one observation: slots, reminders, miss deadlines, release. Pure
 * arithmetic on epoch milliseconds with a fixed UTC offset (the jurisdiction's; China keeps no
 * daylight saving), so the workflow replays identically and the API computes the same answers.
 */
import { minutesOfDay, ObservationRules, TimeWindow } from './observation-policy';
import { DAY, MINUTE, localDate, localMidnight } from '../../libs/domain/local-time';

export interface ObservationPeriod {
  /** YYYY-MM-DD, local: last exposure or arrival. */
  anchorDate: string;
  /** Epoch ms of enrolment: slots that opened before it are not owed. */
  startedAt: number;
  utcOffsetMinutes: number;
  rules: ObservationRules;
}

/** The period of an observation record or workflow input. */
export function periodOf(o: { anchorDate: string; startedAt: number; utcOffsetMinutes: number; policy: { rules: ObservationRules } }): ObservationPeriod {
  return { anchorDate: o.anchorDate, startedAt: o.startedAt, utcOffsetMinutes: o.utcOffsetMinutes, rules: o.policy.rules };
}

export interface Slot {
  /** Stable identity of the slot: its opening time, ISO. */
  key: string;
  day: number;
  opensAt: number;
  remindAt: number;
  closesAt: number;
  /** A report after this is refused and a missing one is a miss. */
  deadline: number;
  /** Opened after enrolment, so a missing report counts as a miss (an earlier slot still takes reports). */
  owed: boolean;
}

/** The anchor date is day 1; release is the local midnight that ends day N. */
export function releaseAt(period: Pick<ObservationPeriod, 'anchorDate' | 'utcOffsetMinutes' | 'rules'>): number {
  return localMidnight(period.anchorDate, period.utcOffsetMinutes) + period.rules.periodDays * DAY;
}

/** Day n of N (1-based from the anchor date). */
export function dayOfPeriod(period: Pick<ObservationPeriod, 'anchorDate' | 'utcOffsetMinutes'>, at: number): number {
  return Math.floor((at - localMidnight(period.anchorDate, period.utcOffsetMinutes)) / DAY) + 1;
}

/** A slot's instants on the local day starting at `midnight`. */
function instantsOn(rules: ObservationRules, midnight: number, window: TimeWindow): Pick<Slot, 'key' | 'opensAt' | 'remindAt' | 'closesAt' | 'deadline'> {
  const opensAt = midnight + minutesOfDay(window.start) * MINUTE;
  const closesAt = midnight + minutesOfDay(window.end) * MINUTE;
  return { key: new Date(opensAt).toISOString(), opensAt, remindAt: opensAt + rules.reminderMinutes * MINUTE, closesAt, deadline: closesAt + rules.graceMinutes * MINUTE };
}

function slotOn(period: ObservationPeriod, midnight: number, window: TimeWindow): Slot {
  const instants = instantsOn(period.rules, midnight, window);
  return { ...instants, day: dayOfPeriod(period, instants.opensAt), owed: instants.opensAt >= period.startedAt };
}

/** Every slot of the period still open at or after enrolment, in time order, up to release. */
export function slotsOf(period: ObservationPeriod): Slot[] {
  const end = releaseAt(period);
  const windows = [...period.rules.slots].sort((a, b) => minutesOfDay(a.start) - minutesOfDay(b.start));
  const slots: Slot[] = [];
  const firstMidnight = localMidnight(localDate(period.startedAt, period.utcOffsetMinutes), period.utcOffsetMinutes);
  for (let midnight = firstMidnight; midnight < end; midnight += DAY) {
    for (const window of windows) {
      const slot = slotOn(period, midnight, window);
      if (slot.deadline > period.startedAt && slot.opensAt < end) slots.push(slot);
    }
  }
  return slots;
}

/** The slot a report at `at` belongs to, if one is open (from opening to deadline). */
export function openSlotAt(period: ObservationPeriod, at: number): Slot | undefined {
  return slotsOf(period).find((slot) => slot.opensAt <= at && at < slot.deadline);
}

/** The next moment a report is owed by: the deadline of the first owed slot not yet past at `at`. */
export function nextDeadlineAfter(period: ObservationPeriod, at: number, reportedSlotKeys: ReadonlySet<string> = new Set()): number | undefined {
  return slotsOf(period).find((slot) => slot.owed && slot.deadline > at && !reportedSlotKeys.has(slot.key))?.deadline;
}

/** Whether a door opening at `at` falls inside an allowed window. */
export function doorOpeningAllowed(rules: ObservationRules, utcOffsetMinutes: number, at: number): boolean {
  const minute = Math.floor((((at + utcOffsetMinutes * MINUTE) % DAY) + DAY) % DAY / MINUTE);
  return rules.doorAllowedWindows.some((w) => minutesOfDay(w.start) <= minute && minute < minutesOfDay(w.end));
}


/** A slot of a policy as the cohort clock sees it: the same instants for everyone on that policy. */
export type CohortSlot = Pick<Slot, 'key' | 'opensAt' | 'remindAt' | 'closesAt' | 'deadline'>;

/**
 * The cohort clock's agenda for one policy: the slots whose reminder, and those whose deadline,
 * falls in (from, to], and the first reminder or deadline after `to`. A reminder whose deadline has
 * also passed by `to` is left out: a reminder for a slot already closed is no news.
 */
export function cohortAgenda(rules: ObservationRules, utcOffsetMinutes: number, from: number, to: number): { reminders: CohortSlot[]; deadlines: CohortSlot[]; nextAt: number } {
  const reminders: CohortSlot[] = [];
  const deadlines: CohortSlot[] = [];
  let nextAt = Infinity;
  // A deadline can fall on the day after its slot opens (grace past midnight): start a day early.
  const first = localMidnight(localDate(from, utcOffsetMinutes), utcOffsetMinutes) - DAY;
  for (let midnight = first; midnight <= to + DAY; midnight += DAY) {
    for (const window of rules.slots) {
      const slot = instantsOn(rules, midnight, window);
      const { remindAt, deadline } = slot;
      if (remindAt > from && remindAt <= to && deadline > to) reminders.push(slot);
      if (deadline > from && deadline <= to) deadlines.push(slot);
      for (const at of [remindAt, deadline]) if (at > to) nextAt = Math.min(nextAt, at);
    }
  }
  return { reminders, deadlines, nextAt };
}

/** The policy's slot just before `slot`, whatever day it falls on (a second miss in a row escalates further). */
export function slotBefore(rules: ObservationRules, utcOffsetMinutes: number, slot: CohortSlot): CohortSlot {
  const midnight = localMidnight(localDate(slot.opensAt, utcOffsetMinutes), utcOffsetMinutes);
  const around = [midnight - DAY, midnight].flatMap((m) => rules.slots.map((window) => instantsOn(rules, m, window))).sort((a, b) => a.opensAt - b.opensAt);
  return around[around.findIndex((s) => s.opensAt === slot.opensAt) - 1];
}
