import { Inject, Injectable } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { utcOffsetMinutes } from '../config/time-zone';
import { HOUR } from '../domain/local-time';
import { RosterShiftRepository, ShiftToStart, UntoldShift } from '../persistence/roster/roster-shift.repository';
import { COMMUNITY, STATUS } from '../temporal/search-attributes';
import { startAnew, startOnce } from '../temporal/start-once';
import { DEFAULT_SHIFT_TIMING } from '../../workflows/roster/shift-policy';
import { ShiftInput, shiftWorkflowId } from '../../workflows/roster/shift.messages';
import { shiftWorkflow } from '../../workflows/roster/shift.workflow';
import { ShiftFollower } from './shift-follower';

/**
 * How far ahead shift workflows are started. Publishing starts the shifts that begin within this
 * window; the daily roll-forward schedule starts the rest as they come into it. So a two-week
 * roster does not put two weeks of timers into Temporal at once, a re-plan of far shifts only
 * touches rows, and every shift is still running a day before it starts (its reminder, and the
 * hand-over note of the shift before it, can reach it).
 */
export const START_HORIZON_MS = 48 * HOUR;

function shiftInputOf(shift: ShiftToStart, timeZone: string): ShiftInput {
  const start = shift.startAt.getTime();
  return {
    shiftId: shift.id,
    postId: shift.postId,
    postName: shift.postName,
    jurisdiction: shift.jurisdiction,
    seatNo: shift.seatNo,
    mode: shift.mode,
    start,
    end: shift.endAt.getTime(),
    staffId: shift.staffId ?? undefined,
    onCall: shift.onCall,
    supervisor: shift.supervisor,
    utcOffsetMinutes: utcOffsetMinutes(timeZone, start),
    timing: { ...DEFAULT_SHIFT_TIMING },
  };
}

/** Starts the workflows of published shifts; shared by publishing (API), the roll-forward and the reconciler (worker). */
@Injectable()
export class ShiftLauncher {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly shifts: RosterShiftRepository,
    private readonly follower: ShiftFollower,
  ) {}

  /**
   * Starts every published shift not started yet that begins before `until` and has not ended by
   * `now`; safe to repeat (a shift's workflow is started once, and a flag skips it afterwards; a
   * shift cancelled and published again gets a new run).
   * Returns the shifts whose workflow this call started.
   */
  async startDue(client: Client, { now, until, shiftIds }: { now: number; until: number; shiftIds?: string[] }): Promise<string[]> {
    const due = await this.shifts.dueToStart({ now: new Date(now), until: new Date(until), shiftIds });
    const started: string[] = [];
    const untold: UntoldShift[] = [];
    for (const shift of due) {
      const options = {
        workflowId: shiftWorkflowId(shift.id),
        taskQueue: this.config.temporal.taskQueue,
        args: [shiftInputOf(shift, this.config.timeZone)] as [ShiftInput],
        typedSearchAttributes: [
          { key: COMMUNITY, value: shift.jurisdiction },
          { key: STATUS, value: 'scheduled' },
        ],
      };
      let outcome = await startOnce(client, shiftWorkflow, options);
      // Not started and yet run before: a shift cancelled (its run ended with it) and published again.
      if (outcome === 'closed') outcome = await startAnew(client, shiftWorkflow, options);
      if (outcome === 'started') started.push(shift.id);
      // Started with the row as read above; one running already, with what another caller read.
      const changed = await this.shifts.markStarted(shift.id, outcome === 'running' ? undefined : { staffId: shift.staffId });
      if (changed) untold.push(changed);
    }
    await this.follower.tell(untold);
    return started;
  }
}
