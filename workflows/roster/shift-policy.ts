/**
 * When a shift's deadlines fall and who is called: pure, shared by the shift workflow and the API.
 */
import type { ShiftInput, ShiftTiming } from './shift.messages';
import { MINUTE } from '../../libs/domain/local-time';

export const DEFAULT_SHIFT_TIMING: Readonly<ShiftTiming> = {
  reminderLeadMinutes: 60,
  checkInEarlyMinutes: 30,
  graceMinutes: 15,
  supervisorAfterMinutes: 30,
  handoverTimeoutMinutes: 30,
};


export interface ShiftDeadlines {
  remindAt: number;
  checkInOpensAt: number;
  /** No check-in by then: a gap (an unfilled seat is one from its start). */
  noShowAt: number;
  supervisorAt: number;
  end: number;
  handoverDueAt: number;
}

export function deadlinesOf(input: Pick<ShiftInput, 'start' | 'end' | 'timing'>, assigned: boolean): ShiftDeadlines {
  const t = input.timing;
  const noShowAt = assigned ? input.start + t.graceMinutes * MINUTE : input.start;
  return {
    remindAt: input.start - t.reminderLeadMinutes * MINUTE,
    checkInOpensAt: input.start - t.checkInEarlyMinutes * MINUTE,
    noShowAt,
    supervisorAt: noShowAt + t.supervisorAfterMinutes * MINUTE,
    end: input.end,
    handoverDueAt: input.end + t.handoverTimeoutMinutes * MINUTE,
  };
}

/** The first on-call person who is not the one missing. */
export function pickBackup(onCall: readonly string[], missing: string | undefined): string | undefined {
  return onCall.find((staffId) => staffId !== missing);
}
