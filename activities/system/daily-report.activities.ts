import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../libs/config/config';
import { APP_CONFIG } from '../../libs/config/config.module';
import { addDays, localMidnight } from '../../libs/domain/local-time';
import { NotificationOutbox } from '../../libs/notifications/notification-outbox';
import { ObservationRepository } from '../../libs/persistence/observation/observation.repository';
import { DailyReport, DailyReportRepository } from '../../libs/persistence/roster/daily-report.repository';
import { RosterShiftRepository, ShiftCounts } from '../../libs/persistence/roster/roster-shift.repository';
import { TransferRunRepository } from '../../libs/persistence/transfer/transfer-run.repository';

/** The daily report (日报): written from the day's figures, then sent up to the district's accounts. */
@Injectable()
export class DailyReportActivities {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly outbox: NotificationOutbox,
    private readonly shifts: RosterShiftRepository,
    private readonly reports: DailyReportRepository,
    private readonly observations: ObservationRepository,
    private readonly transferRuns: TransferRunRepository,
  ) {}

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

  /**
   * Stores the report's message to the district's supervisors (their inbox and channels; the
   * admins when the district has none) and marks it sent, in one transaction; answers the copies
   * to deliver. Sent once per date, however often it runs.
   */
  async sendDailyReport({ date }: { date: string }): Promise<{ toDeliver: string[] }> {
    const toDeliver = await this.dataSource.transaction(async (tx) => {
      const report = await this.reports.markSent(tx, date);
      if (!report) throw new Error(`no daily report of ${date} to send`);
      const { observations, shifts } = report;
      const underObservation = (observations.byStatus.active ?? 0) + (observations.byStatus.escalated ?? 0);
      return this.outbox.enqueue(tx, [
        {
          id: `daily-report:${date}`,
          recipient: { role: 'supervisor', subdistrict: null },
          template: 'daily_report',
          concerns: { kind: 'daily_report', id: date },
          params: {
            date,
            underObservation,
            enrolled: observations.enrolled,
            released: observations.released,
            seats: shifts.seats,
            covered: shifts.covered,
            missed: shifts.missed,
            unfilled: shifts.unfilled,
            reportLink: `${this.config.selfReport.publicUrl}/dashboard?reportDate=${date}`,
          },
        },
      ]);
    });
    return { toDeliver };
  }
}
