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
import { ObservationRepository } from '../../libs/persistence/observation/observation.repository';
import { TransferRunRepository } from '../../libs/persistence/transfer/transfer-run.repository';

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
    private readonly observations: ObservationRepository,
    private readonly transferRuns: TransferRunRepository,
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

    const { byStatus, enrolled, released } = await this.observations.dayFigures(dayStart, dayEnd);

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
      observations: { byStatus: Object.fromEntries(byStatus.map((r) => [r.status, r.n])), enrolled, released },
      transfers: { available: true, ...(await this.transferRuns.countsWithin(dayStart, dayEnd)) },
      shifts: { ...totals, byJurisdiction },
    };
    await this.reports.save(report);
    return report;
  }
}
