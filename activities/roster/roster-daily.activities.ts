import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { addDays, localDate, localMidnight, localTime } from '../../libs/domain/local-time';
import { DailyReport, DailyReportRepository } from '../../libs/persistence/roster/daily-report.repository';
import { RosterShiftRepository, ShiftCounts } from '../../libs/persistence/roster/roster-shift.repository';
import { ShiftLauncher } from '../../libs/roster/shift-launcher';
import { StaffNotices } from '../../libs/roster/staff-notices';
import { TEMPORAL_CLIENT } from '../../libs/temporal/temporal.module';

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
    private readonly notices: StaffNotices,
    private readonly shifts: RosterShiftRepository,
    private readonly reports: DailyReportRepository,
  ) {}

  async startUpcomingShifts({ now, until }: { now: number; until: number }): Promise<{ started: string[] }> {
    return { started: await this.launcher.startDue(this.client, { now, until }) };
  }

  /** Tells each post's supervisor of seats starting in [from, to) with nobody rostered; once per seat. */
  async flagRosterGaps({ from, to, utcOffsetMinutes }: { from: number; to: number; utcOffsetMinutes: number }): Promise<{ gaps: string[]; toDeliver: string[] }> {
    const gaps = await this.shifts.unstaffed(new Date(from), new Date(to));
    const toDeliver = await this.dataSource.transaction((tx) =>
      this.notices.store(
        tx,
        gaps.map((gap) => ({
          id: `roster-gap:${gap.id}`,
          recipient: { staff: gap.supervisor },
          template: 'roster_gap' as const,
          params: {
            post: gap.postName,
            shiftDate: localDate(gap.startAt.getTime(), utcOffsetMinutes),
            shiftStart: localTime(gap.startAt.getTime(), utcOffsetMinutes),
            shiftEnd: localTime(gap.endAt.getTime(), utcOffsetMinutes),
            reason: gap.unfilledReason ?? 'unfilled',
          },
        })),
      ),
    );
    return { gaps: gaps.map((gap) => gap.id), toDeliver };
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

    const shiftRows = await this.shifts.countsBetween(dayStart, dayEnd);
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
    await this.reports.save(report);
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
