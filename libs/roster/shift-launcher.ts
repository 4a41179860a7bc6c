import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../libs/config/config';
import { APP_CONFIG } from '../../libs/config/config.module';
import { utcOffsetMinutes } from '../../libs/config/time-zone';
import { COMMUNITY, STATUS } from '../../libs/temporal/search-attributes';
import { startOnce } from '../../libs/temporal/start-once';
import type { RosterMode } from '../../libs/roster/roster-seats';
import { DEFAULT_SHIFT_TIMING } from '../../workflows/roster/shift-policy';
import { ShiftInput, shiftWorkflowId } from '../../workflows/roster/shift.messages';
import { shiftWorkflow } from '../../workflows/roster/shift.workflow';
import { HOUR } from '../../libs/domain/local-time';

/**
 * How far ahead shift workflows are started. Publishing starts the shifts that begin within this
 * window; the daily roll-forward schedule starts the rest as they come into it. So a two-week
 * roster does not put two weeks of timers into Temporal at once, a re-plan of far shifts only
 * touches rows, and every shift is still running a day before it starts (its reminder, and the
 * hand-over note of the shift before it, can reach it).
 */
export const START_HORIZON_MS = 48 * HOUR;

interface ShiftRow {
  id: string;
  post_id: string;
  post_name: string;
  jurisdiction: string;
  seat_no: number;
  mode: RosterMode;
  start_at: Date;
  end_at: Date;
  staff_id: string | null;
  on_call: string[];
  supervisor: string;
}

export function shiftInputOf(row: ShiftRow, timeZone: string): ShiftInput {
  const start = new Date(row.start_at).getTime();
  return {
    shiftId: row.id,
    postId: row.post_id,
    postName: row.post_name,
    jurisdiction: row.jurisdiction,
    seatNo: row.seat_no,
    mode: row.mode,
    start,
    end: new Date(row.end_at).getTime(),
    staffId: row.staff_id ?? undefined,
    onCall: row.on_call,
    supervisor: row.supervisor,
    utcOffsetMinutes: utcOffsetMinutes(timeZone, start),
    timing: { ...DEFAULT_SHIFT_TIMING },
  };
}

/** Starts the workflows of published shifts; shared by publishing (API) and the roll-forward (worker). */
@Injectable()
export class ShiftLauncher {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Starts every published shift not started yet that begins before `until` and has not ended by
   * `now`; safe to repeat (a shift's workflow is started once, and a flag skips it afterwards).
   * Returns the shifts whose workflow this call started.
   */
  async startDue(client: Client, { now, until, shiftIds }: { now: number; until: number; shiftIds?: string[] }): Promise<string[]> {
    const rows: ShiftRow[] = await this.dataSource.query(
      `SELECT s.id, s.post_id, p.name AS post_name, s.jurisdiction, s.seat_no, s.mode, s.start_at, s.end_at, s.staff_id, p.on_call, p.supervisor
       FROM roster_shift s JOIN roster_post p ON p.id = s.post_id
       WHERE s.status = 'published' AND NOT s.workflow_started AND s.start_at < $1 AND s.end_at > $2 AND ($3::text[] IS NULL OR s.id = ANY($3))
       ORDER BY s.start_at, s.id`,
      [new Date(until), new Date(now), shiftIds ?? null],
    );
    const started: string[] = [];
    for (const row of rows) {
      const outcome = await startOnce(client, shiftWorkflow, {
        workflowId: shiftWorkflowId(row.id),
        taskQueue: this.config.temporal.taskQueue,
        args: [shiftInputOf(row, this.config.timeZone)],
        typedSearchAttributes: [
          { key: COMMUNITY, value: row.jurisdiction },
          { key: STATUS, value: 'scheduled' },
        ],
      });
      if (outcome === 'started') started.push(row.id);
      await this.dataSource.query(`UPDATE roster_shift SET workflow_started = true, updated_at = now() WHERE id = $1`, [row.id]);
    }
    return started;
  }
}
