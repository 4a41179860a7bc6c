import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { TEMPORAL_CLIENT } from '../../libs/temporal/temporal.module';
import { NotificationOutbox } from '../../libs/notifications/notification-outbox';
import { addDays, localDate, localMidnight, localTime } from '../../libs/domain/local-time';
import { addressStaffNotifications } from './shift.activities';
import { ShiftLauncher } from './shift-launcher';

export interface DailyReport {
  date: string;
  generatedAt: string;
  /** Everyone under observation at some time that day, by their status now; enrolled and released that day. */
  observations: { byStatus: Record<string, number>; enrolled: number; released: number };
  /** From the transfer tables when they exist (another family's schema, read defensively). */
  transfers: { available: false } | { available: true; runs?: Record<string, number>; travellers?: Record<string, number> };
  shifts: ShiftCounts & { byJurisdiction: Record<string, ShiftCounts> };
}

interface ShiftCounts {
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

const TRANSFER_TABLES = { runs: 'transfer_run', travellers: 'transfer_traveller' } as const;
/** The first of these a transfer table has dates its rows into days. */
const TRANSFER_TIME_COLUMNS = ['completed_at', 'ended_at', 'handed_over_at', 'updated_at', 'created_at'];

/** The roll-forward schedule's work: start the coming shifts, flag gaps a day ahead, write the daily report. */
@Injectable()
export class RosterDailyActivities {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    private readonly launcher: ShiftLauncher,
    private readonly outbox: NotificationOutbox,
  ) {}

  async startUpcomingShifts({ now, until }: { now: number; until: number }): Promise<{ started: string[] }> {
    return { started: await this.launcher.startDue(this.client, { now, until }) };
  }

  /** Tells each post's supervisor of seats starting in [from, to) with nobody rostered; once per seat. */
  async flagRosterGaps({ from, to, utcOffsetMinutes }: { from: number; to: number; utcOffsetMinutes: number }): Promise<{ gaps: string[]; toDeliver: string[] }> {
    const rows: Array<{ id: string; name: string; supervisor: string; start_at: Date; end_at: Date; unfilled_reason: string | null }> = await this.dataSource.query(
      `SELECT s.id, p.name, p.supervisor, s.start_at, s.end_at, s.unfilled_reason FROM roster_shift s JOIN roster_post p ON p.id = s.post_id
       WHERE s.status = 'published' AND s.staff_id IS NULL AND s.duty_state = 'scheduled' AND s.start_at >= $1 AND s.start_at < $2 ORDER BY s.start_at, s.id`,
      [new Date(from), new Date(to)],
    );
    const toDeliver = await this.dataSource.transaction(async (manager) =>
      this.outbox.enqueue(
        manager,
        await addressStaffNotifications(
          manager,
          rows.map((r) => ({
            id: `roster-gap:${r.id}`,
            recipient: { staff: r.supervisor },
            template: 'roster_gap' as const,
            params: {
              post: r.name,
              shiftDate: localDate(r.start_at.getTime(), utcOffsetMinutes),
              shiftStart: localTime(r.start_at.getTime(), utcOffsetMinutes),
              shiftEnd: localTime(r.end_at.getTime(), utcOffsetMinutes),
              reason: r.unfilled_reason ?? 'unfilled',
            },
          })),
        ),
      ),
    );
    return { gaps: rows.map((r) => r.id), toDeliver };
  }

  /** Writes (or rewrites) the daily report of a local date into daily_report. */
  async produceDailyReport({ date, utcOffsetMinutes, generatedAt }: { date: string; utcOffsetMinutes: number; generatedAt: number }): Promise<DailyReport> {
    const dayStart = new Date(localMidnight(date, utcOffsetMinutes));
    const dayEnd = new Date(localMidnight(addDays(date, 1), utcOffsetMinutes));
    const q = (sql: string, params: unknown[] = [dayStart, dayEnd]) => this.dataSource.query(sql, params);

    const byStatus = await q(`SELECT status, count(*)::int AS n FROM observation WHERE started_at < $2 AND (ended_at IS NULL OR ended_at >= $1) GROUP BY status`);
    const [{ enrolled, released }] = await q(
      `SELECT count(*) FILTER (WHERE started_at >= $1 AND started_at < $2)::int AS enrolled,
              count(*) FILTER (WHERE status = 'released' AND ended_at >= $1 AND ended_at < $2)::int AS released FROM observation`,
    );

    const shiftRows: Array<ShiftCounts & { jurisdiction: string }> = await q(
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
    );
    const zero: ShiftCounts = { seats: 0, covered: 0, coveredByCover: 0, missed: 0, noShows: 0, unfilled: 0, handedOver: 0, cancelled: 0, incidents: 0 };
    const totals = { ...zero };
    const byJurisdiction: Record<string, ShiftCounts> = {};
    for (const { jurisdiction, ...counts } of shiftRows) {
      byJurisdiction[jurisdiction] = counts;
      for (const key of Object.keys(zero) as Array<keyof ShiftCounts>) totals[key] += counts[key];
    }

    const report: DailyReport = {
      date,
      generatedAt: new Date(generatedAt).toISOString(),
      observations: { byStatus: Object.fromEntries(byStatus.map((r: { status: string; n: number }) => [r.status, r.n])), enrolled, released },
      transfers: await this.transferCounts(dayStart, dayEnd),
      shifts: { ...totals, byJurisdiction },
    };
    await this.dataSource.query(
      `INSERT INTO daily_report (report_date, content, generated_at) VALUES ($1, $2, $3)
       ON CONFLICT (report_date) DO UPDATE SET content = EXCLUDED.content, generated_at = EXCLUDED.generated_at`,
      [date, JSON.stringify(report), new Date(generatedAt)],
    );
    return report;
  }

  /** Counts by status of each transfer table that exists, for rows dated in the day by their first known time column. */
  private async transferCounts(dayStart: Date, dayEnd: Date): Promise<DailyReport['transfers']> {
    const result: { available: true; runs?: Record<string, number>; travellers?: Record<string, number> } = { available: true };
    for (const [key, table] of Object.entries(TRANSFER_TABLES) as Array<[keyof typeof TRANSFER_TABLES, string]>) {
      const [{ exists }] = await this.dataSource.query(`SELECT to_regclass($1) IS NOT NULL AS exists`, [table]);
      if (!exists) continue;
      const columns: string[] = (await this.dataSource.query(`SELECT column_name FROM information_schema.columns WHERE table_name = $1 AND table_schema = current_schema()`, [table])).map(
        (c: { column_name: string }) => c.column_name,
      );
      const time = TRANSFER_TIME_COLUMNS.find((c) => columns.includes(c));
      const status = columns.includes('status') ? 'status' : columns.includes('state') ? 'state' : undefined;
      // Table and column names come from the constants above and information_schema, never from input.
      const rows = await this.dataSource.query(
        `SELECT ${status ? `"${status}"::text` : `'all'`} AS status, count(*)::int AS n FROM "${table}" ${time ? `WHERE "${time}" >= $1 AND "${time}" < $2` : ''} GROUP BY 1`,
        time ? [dayStart, dayEnd] : [],
      );
      result[key] = Object.fromEntries(rows.map((r: { status: string; n: number }) => [r.status, r.n]));
    }
    return result.runs || result.travellers ? result : { available: false };
  }
}
