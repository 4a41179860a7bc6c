import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Jurisdiction } from '../../auth/jurisdiction';
import type { PlannedSeat, RosterMode } from '../../roster/roster-seats';
import type { DutyState } from '../../../workflows/roster/shift.messages';
import type { Queryable } from '../queryable';

/** A shift (班): one seat of one post for one slot of a local date, as published and as worked. */
export interface RosterShift {
  id: string;
  postId: string;
  jurisdiction: string;
  shiftDate: string;
  slot: number;
  seatNo: number;
  mode: RosterMode;
  startAt: Date;
  endAt: Date;
  requiredSkill: string | null;
  /** The rostered person; null: an unfilled seat. */
  staffId: string | null;
  /** published, or cancelled by a later plan. */
  status: string;
  dutyState: DutyState;
  unfilledReason: string | null;
  planId: string | null;
  /** Its workflow has been started (within 48 h of its start). */
  workflowStarted: boolean;
  checkedInBy: string | null;
  checkedInAt: Date | null;
  gapSince: Date | null;
  handoverNote: string | null;
  handedOverTo: string | null;
  handedOverAt: Date | null;
  endedAt: Date | null;
  endReason: string | null;
}

/** A shift as the pages show it: with the name of who holds it (null: an unfilled seat). */
export interface ShownShift extends RosterShift {
  staffName: string | null;
}

/** What a shift's running workflow is told of a change to its row: who made it, and why. */
export interface ShiftTelling {
  by: string;
  reason: string;
}

/** A shift's row as its workflow is to follow it: cancelled (the workflow ends), or published with this holder (it is reassigned). */
export interface UntoldShift extends Pick<RosterShift, 'id' | 'status' | 'staffId'> {
  told: ShiftTelling;
}

/** An entry of a shift's event log. */
export interface ShiftEvent {
  at: Date;
  kind: string;
  detail: Record<string, unknown>;
}

/** An entry a shift workflow writes to the log; the dedup key makes a retried write a no-op. */
export interface ShiftEventEntry {
  dedupKey: string;
  /** Epoch ms. */
  at: number;
  kind: string;
  detail: Record<string, unknown>;
}

/** What a shift workflow's pass sets on its row; instants as epoch ms (null clears). */
export type ShiftFieldChanges = Partial<{
  dutyState: DutyState;
  staffId: string | null;
  checkedInBy: string;
  checkedInAt: number;
  gapSince: number | null;
  handoverNote: string;
  handedOverTo: string;
  handedOverAt: number;
  endedAt: number;
  endReason: string;
}>;

/** The lists' filters; `subdistrict` is the post's (who runs it), `community` the shift's jurisdiction. */
export interface ShiftFilter {
  subdistrict?: string;
  community?: string;
  postId?: string;
  jurisdiction?: string;
  date?: string;
  dutyState?: string;
  /** Only the shifts of the staff member linked to this account. */
  accountId?: string;
}

/** A published shift whose workflow is due to start, with what its workflow needs of the post. */
export interface ShiftToStart extends Pick<RosterShift, 'id' | 'postId' | 'jurisdiction' | 'seatNo' | 'mode' | 'startAt' | 'endAt' | 'staffId'> {
  postName: string;
  onCall: string[];
  supervisor: string;
}

/** A coming seat with nobody rostered, and who to tell. */
export interface RosterGap extends Pick<RosterShift, 'id' | 'startAt' | 'endAt' | 'unfilledReason'> {
  postName: string;
  supervisor: string;
}

/** A day's shifts of one jurisdiction, counted for the daily report. */
export interface ShiftCounts {
  seats: number;
  /** Someone checked in. */
  covered: number;
  /** Covered by someone other than the rostered person (backup, on-call, reassigned on the day). */
  coveredByCover: number;
  missed: number;
  noShows: number;
  unfilled: number;
  handedOver: number;
  cancelled: number;
  incidents: number;
}

/** A published shift nobody is working: scheduled, a no-show, or ended by its workflow without being worked. */
const NOT_WORKED = `status = 'published' AND duty_state IN ('scheduled', 'no_show', 'cancelled')`;

const COLUMNS = `id, post_id AS "postId", jurisdiction, to_char(shift_date, 'YYYY-MM-DD') AS "shiftDate", slot, seat_no AS "seatNo", mode, start_at AS "startAt", end_at AS "endAt",
  required_skill AS "requiredSkill", staff_id AS "staffId", status, duty_state AS "dutyState", unfilled_reason AS "unfilledReason", plan_id AS "planId", workflow_started AS "workflowStarted",
  checked_in_by AS "checkedInBy", checked_in_at AS "checkedInAt", gap_since AS "gapSince", handover_note AS "handoverNote", handed_over_to AS "handedOverTo",
  handed_over_at AS "handedOverAt", ended_at AS "endedAt", end_reason AS "endReason"`;
/** A shift as shown: its row and the name of who holds it. */
const SHOWN = `${COLUMNS}, (SELECT name FROM roster_staff WHERE id = roster_shift.staff_id) AS "staffName"`;

const INSTANT = (v: number | null) => (v === null ? null : new Date(v));
const SAME = (v: unknown) => v;
const FIELD_COLUMNS: Record<keyof ShiftFieldChanges, [string, (v: never) => unknown]> = {
  dutyState: ['duty_state', SAME],
  staffId: ['staff_id', SAME],
  checkedInBy: ['checked_in_by', SAME],
  checkedInAt: ['checked_in_at', INSTANT],
  gapSince: ['gap_since', INSTANT],
  handoverNote: ['handover_note', SAME],
  handedOverTo: ['handed_over_to', SAME],
  handedOverAt: ['handed_over_at', INSTANT],
  endedAt: ['ended_at', INSTANT],
  endReason: ['end_reason', SAME],
};

/** roster_shift and roster_shift_event: every statement on shifts and their event logs. */
@Injectable()
export class RosterShiftRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** One page of the shifts the filter keeps, in time order, and how many it keeps in all. */
  async page(filter: ShiftFilter, { offset, limit }: { offset: number; limit: number }): Promise<{ items: ShownShift[]; total: number }> {
    const clauses: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      clauses.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.subdistrict !== undefined) add('post_id IN (SELECT id FROM roster_post WHERE subdistrict = ?)', filter.subdistrict);
    if (filter.community !== undefined) add('jurisdiction = ?', filter.community);
    if (filter.postId !== undefined) add('post_id = ?', filter.postId);
    if (filter.jurisdiction !== undefined) add('jurisdiction = ?', filter.jurisdiction);
    if (filter.date !== undefined) add('shift_date = ?', filter.date);
    if (filter.dutyState !== undefined) add('duty_state = ?', filter.dutyState);
    if (filter.accountId !== undefined) add('staff_id IN (SELECT id FROM roster_staff WHERE account_id = ?)', filter.accountId);
    const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    const [items, [{ total }]] = await Promise.all([
      this.db.query(`SELECT ${SHOWN} FROM roster_shift ${where} ORDER BY start_at, post_id, seat_no, id LIMIT ${limit} OFFSET ${offset}`, params),
      this.db.query(`SELECT count(*)::int AS total FROM roster_shift ${where}`, params),
    ]);
    return { items, total };
  }

  async get(id: string): Promise<ShownShift | undefined> {
    const [row] = await this.db.query(`SELECT ${SHOWN} FROM roster_shift WHERE id = $1`, [id]);
    return row;
  }

  getMany(ids: string[]): Promise<RosterShift[]> {
    return this.db.query(`SELECT ${COLUMNS} FROM roster_shift WHERE id = ANY($1)`, [ids]);
  }

  /** The shift, locked for the rest of the caller's transaction (undefined: none yet). */
  async lock(tx: Queryable, id: string): Promise<RosterShift | undefined> {
    const [row] = await tx.query(`SELECT ${COLUMNS} FROM roster_shift WHERE id = $1 FOR UPDATE`, [id]);
    return row;
  }

  /**
   * A post's published shifts that have begun by `at` and still hold a seat: someone on post or
   * handing over, a no-show, or a seat not checked in to before its end.
   */
  current(postId: string, at: Date): Promise<RosterShift[]> {
    return this.db.query(
      `SELECT ${COLUMNS} FROM roster_shift WHERE post_id = $1 AND status = 'published' AND start_at <= $2 AND (duty_state IN ('on_duty', 'handing_over', 'no_show') OR (duty_state = 'scheduled' AND end_at > $2))
       ORDER BY seat_no, start_at`,
      [postId, at],
    );
  }

  /** Published shifts overlapping [from, to); `held`: only those someone holds (checked in, else rostered). */
  published(from: Date, to: Date, { held = false } = {}): Promise<RosterShift[]> {
    return this.db.query(
      `SELECT ${COLUMNS} FROM roster_shift WHERE status = 'published' AND end_at > $1 AND start_at < $2 ${held ? 'AND COALESCE(checked_in_by, staff_id) IS NOT NULL' : ''}`,
      [from, to],
    );
  }

  /** The first and last local dates of the posts' published shifts not over at `after`; undefined when there are none. */
  async publishedDates(postIds: string[], after: Date): Promise<{ first: string; last: string } | undefined> {
    const [row] = await this.db.query(
      `SELECT to_char(min(shift_date), 'YYYY-MM-DD') AS first, to_char(max(shift_date), 'YYYY-MM-DD') AS last FROM roster_shift WHERE post_id = ANY($1) AND status = 'published' AND end_at > $2`,
      [postIds, after],
    );
    return row.first ? row : undefined;
  }

  /**
   * Writes a planned seat as a published shift held by `staffId` (null: unfilled for `unfilledReason`),
   * new or over the shift already there; a cancelled shift published again is a new one (its workflow
   * to start again).
   */
  async publish(tx: Queryable, seat: PlannedSeat, holder: { staffId: string | null; unfilledReason: string | null; planId: string }): Promise<void> {
    await tx.query(
      `INSERT INTO roster_shift (id, post_id, jurisdiction, shift_date, slot, seat_no, mode, start_at, end_at, required_skill, staff_id, status, duty_state, unfilled_reason, plan_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'published', 'scheduled', $12, $13)
       ON CONFLICT (id) DO UPDATE SET mode = EXCLUDED.mode, start_at = EXCLUDED.start_at, end_at = EXCLUDED.end_at, required_skill = EXCLUDED.required_skill,
         staff_id = EXCLUDED.staff_id, status = 'published', duty_state = 'scheduled', unfilled_reason = EXCLUDED.unfilled_reason, plan_id = EXCLUDED.plan_id,
         workflow_started = CASE WHEN roster_shift.status = 'cancelled' THEN false ELSE roster_shift.workflow_started END, ended_at = NULL, end_reason = NULL, updated_at = now()`,
      [
        seat.seatId, seat.postId, seat.jurisdiction, seat.shiftDate, seat.slot, seat.seatNo, seat.mode, new Date(seat.start), new Date(seat.end), seat.requiredSkill ?? null,
        holder.staffId, holder.unfilledReason, holder.planId,
      ],
    );
  }

  /**
   * Cancels a published shift nobody is working; one worked since the caller read it stays as it is
   * (undefined). Answers whether its workflow runs, under the row's lock: the one to tell.
   */
  async cancel(tx: Queryable, id: string, at: Date, reason: string): Promise<{ workflowStarted: boolean } | undefined> {
    const [[row]] = await tx.query(
      `UPDATE roster_shift SET status = 'cancelled', duty_state = 'cancelled', ended_at = $2, end_reason = $3, updated_at = now()
       WHERE id = $1 AND ${NOT_WORKED} RETURNING workflow_started AS "workflowStarted"`,
      [id, at, reason],
    );
    return row;
  }

  /**
   * A post's published shifts nobody is working (scheduled, a no-show, or ended by their workflow
   * without being worked), locked for the caller's transaction: those a closing post cancels.
   */
  notWorked(tx: Queryable, postId: string): Promise<RosterShift[]> {
    return tx.query(`SELECT ${COLUMNS} FROM roster_shift WHERE post_id = $1 AND ${NOT_WORKED} ORDER BY start_at, seat_no FOR UPDATE`, [
      postId,
    ]);
  }

  /**
   * Rosters `staffId` on the shift if it is still to come and held by `from` (null: open), as the
   * caller read it; else undefined. Answers whether its workflow runs (and so must be told).
   */
  async assign(tx: Queryable, id: string, staffId: string, from: string | null): Promise<{ workflowStarted: boolean } | undefined> {
    // An UPDATE answers [rows, count].
    const [[row]] = await tx.query(
      `UPDATE roster_shift SET staff_id = $2, unfilled_reason = NULL, updated_at = now()
       WHERE id = $1 AND status = 'published' AND duty_state = 'scheduled' AND staff_id IS NOT DISTINCT FROM $3 RETURNING workflow_started AS "workflowStarted"`,
      [id, staffId, from],
    );
    return row;
  }

  /** Published shifts not started yet that begin before `until` and have not ended by `now` (of `shiftIds` when given). */
  dueToStart({ now, until, shiftIds }: { now: Date; until: Date; shiftIds?: string[] }): Promise<ShiftToStart[]> {
    return this.db.query(
      `SELECT s.id, s.post_id AS "postId", p.name AS "postName", s.jurisdiction, s.seat_no AS "seatNo", s.mode, s.start_at AS "startAt", s.end_at AS "endAt", s.staff_id AS "staffId",
         p.on_call AS "onCall", p.supervisor
       FROM roster_shift s JOIN roster_post p ON p.id = s.post_id
       WHERE s.status = 'published' AND NOT s.workflow_started AND s.start_at < $1 AND s.end_at > $2 AND ($3::text[] IS NULL OR s.id = ANY($3))
       ORDER BY s.start_at, s.id`,
      [until, now, shiftIds ?? null],
    );
  }

  /** Keeps, with the change just made to each shift's row, that its running workflow is still to be told of it (`told`: by whom, why). */
  async markUntold(tx: Queryable, changes: UntoldShift[]): Promise<void> {
    if (!changes.length) return;
    await tx.query(
      `UPDATE roster_shift s SET untold_change = c.told || jsonb_build_object('at', now())
       FROM unnest($1::text[], $2::jsonb[]) AS c(id, told) WHERE s.id = c.id AND s.workflow_started`,
      [changes.map((c) => c.id), changes.map((c) => JSON.stringify(c.told))],
    );
  }

  /** The workflow has been told (or refused for good): unmarked, unless the row has changed again since (no longer `told`'s status or holder). */
  async markTold(told: UntoldShift): Promise<void> {
    await this.db.query(`UPDATE roster_shift SET untold_change = NULL WHERE id = $1 AND status = $2 AND ($2 = 'cancelled' OR staff_id IS NOT DISTINCT FROM $3)`, [told.id, told.status, told.staffId]);
  }

  /** Shifts whose workflow is still to be told of a change made to their row before `before`. */
  untold(before: Date): Promise<UntoldShift[]> {
    return this.db.query(
      `SELECT id, status, staff_id AS "staffId", untold_change - 'at' AS told FROM roster_shift
       WHERE untold_change IS NOT NULL AND (untold_change->>'at')::timestamptz < $1 ORDER BY start_at, id`,
      [before],
    );
  }

  /**
   * The shift's workflow runs. A change committed to the row while it started (a publishing or an
   * approval that saw no workflow yet to tell) would be lost to it: the row no longer published
   * with `startedWith`'s holder, or `startedWith` unknown (another caller started it), is marked
   * untold and answered, for the caller to tell.
   */
  async markStarted(id: string, startedWith: { staffId: string | null } | undefined): Promise<UntoldShift | undefined> {
    const [[row]] = await this.db.query(
      `UPDATE roster_shift SET workflow_started = true, updated_at = now(),
         untold_change = CASE WHEN $2 OR status <> 'published' OR staff_id IS DISTINCT FROM $3
           THEN jsonb_build_object('by', 'roster', 'reason', CASE WHEN status = 'cancelled' THEN coalesce(end_reason, 'cancelled') ELSE 'rostered while its workflow started' END, 'at', now())
           ELSE untold_change END
       WHERE id = $1 RETURNING id, status, staff_id AS "staffId", untold_change - 'at' AS told`,
      [id, startedWith === undefined, startedWith?.staffId ?? null],
    );
    return row?.told ? row : undefined;
  }

  /** Published seats starting in [from, to) that nobody is rostered on and nobody has checked in to. */
  unstaffed(from: Date, to: Date): Promise<RosterGap[]> {
    return this.db.query(
      `SELECT s.id, p.name AS "postName", p.supervisor, s.start_at AS "startAt", s.end_at AS "endAt", s.unfilled_reason AS "unfilledReason" FROM roster_shift s JOIN roster_post p ON p.id = s.post_id
       WHERE s.status = 'published' AND s.staff_id IS NULL AND s.duty_state = 'scheduled' AND s.start_at >= $1 AND s.start_at < $2 ORDER BY s.start_at, s.id`,
      [from, to],
    );
  }

  /** The shifts starting in [from, to), counted by jurisdiction. */
  countsBetween(from: Date, to: Date): Promise<Array<ShiftCounts & { jurisdiction: string }>> {
    return this.db.query(
      `SELECT s.jurisdiction,
         count(*) FILTER (WHERE s.status = 'published')::int AS seats,
         count(*) FILTER (WHERE s.checked_in_at IS NOT NULL)::int AS covered,
         count(*) FILTER (WHERE s.checked_in_at IS NOT NULL AND s.checked_in_by IS DISTINCT FROM s.staff_id)::int AS "coveredByCover",
         count(*) FILTER (WHERE s.duty_state = 'missed')::int AS missed,
         count(*) FILTER (WHERE EXISTS (SELECT 1 FROM roster_shift_event e WHERE e.shift_id = s.id AND e.kind = 'no_show'))::int AS "noShows",
         count(*) FILTER (WHERE s.status = 'published' AND s.staff_id IS NULL)::int AS unfilled,
         count(*) FILTER (WHERE s.handed_over_at IS NOT NULL)::int AS "handedOver",
         count(*) FILTER (WHERE s.status = 'cancelled')::int AS cancelled,
         COALESCE(sum((SELECT count(*) FROM roster_shift_event e WHERE e.shift_id = s.id AND e.kind = 'incident')), 0)::int AS incidents
       FROM roster_shift s WHERE s.start_at >= $1 AND s.start_at < $2 GROUP BY s.jurisdiction ORDER BY s.jurisdiction`,
      [from, to],
    );
  }

  /** Writes what a shift workflow's pass changed: the row's fields and the log's new entries (a retried write adds none twice). */
  async record(tx: Queryable, shiftId: string, fields: ShiftFieldChanges, events: ShiftEventEntry[]): Promise<void> {
    if (events.length) {
      const values: unknown[] = [];
      const rows = events.map((e, i) => {
        values.push(shiftId, new Date(e.at), e.kind, JSON.stringify(e.detail), e.dedupKey);
        const b = i * 5;
        return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}::jsonb, $${b + 5})`;
      });
      await tx.query(`INSERT INTO roster_shift_event (shift_id, at, kind, detail, dedup_key) VALUES ${rows.join(', ')} ON CONFLICT (dedup_key) DO NOTHING`, values);
    }
    const set = (Object.entries(fields) as Array<[keyof ShiftFieldChanges, never]>).filter(([, v]) => v !== undefined);
    if (set.length) {
      const sets = set.map(([key], i) => `${FIELD_COLUMNS[key][0]} = $${i + 2}`);
      await tx.query(`UPDATE roster_shift SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, [shiftId, ...set.map(([key, value]) => FIELD_COLUMNS[key][1](value))]);
    }
  }

  /** The published shift that takes over this one's seat at its end, if any. */
  async successor(shiftId: string): Promise<Pick<RosterShift, 'id' | 'staffId'> | undefined> {
    const [row] = await this.db.query(
      `SELECT n.id, n.staff_id AS "staffId" FROM roster_shift s
       JOIN roster_shift n ON n.post_id = s.post_id AND n.seat_no = s.seat_no AND n.start_at = s.end_at AND n.status = 'published'
       WHERE s.id = $1`,
      [shiftId],
    );
    return row;
  }

  events(shiftId: string): Promise<ShiftEvent[]> {
    return this.db.query(`SELECT at, kind, detail FROM roster_shift_event WHERE shift_id = $1 ORDER BY at, id`, [shiftId]);
  }

  /** Where the shifts lie: the subdistrict running each one's post, the shift's community. */
  places(ids: string[]): Promise<Jurisdiction[]> {
    return this.db.query(`SELECT DISTINCT p.subdistrict, s.jurisdiction AS community FROM roster_shift s JOIN roster_post p ON p.id = s.post_id WHERE s.id = ANY($1::text[])`, [ids]);
  }
}
