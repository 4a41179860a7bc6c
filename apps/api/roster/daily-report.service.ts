import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../../libs/config/config';
import { APP_CONFIG } from '../../../libs/config/config.module';
import { utcOffsetMinutes } from '../../../libs/config/time-zone';
import { invalid, invalidAll, notFound } from '../../../libs/domain/errors';
import { addDays, DAY, isDate, localDate, localMidnight } from '../../../libs/domain/local-time';
import { DailyReport, DailyReportDelivery, DailyReportRepository } from '../../../libs/persistence/roster/daily-report.repository';
import type { DailyReportStatusResponse } from './roster.responses';

/** A report sent later than this after its time is late. */
const LATE_AFTER_MS = 30 * 60_000;
/** At most this many days in one listing. */
const MAX_DAYS = 62;

/** The daily reports (日报) and their way up to the district: due, sent, received, late or missing. */
@Injectable()
export class DailyReportService {
  constructor(
    private readonly reports: DailyReportRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async get(date: string): Promise<DailyReport> {
    if (!isDate(date)) throw invalid('date', 'must be a date YYYY-MM-DD');
    const report = await this.reports.get(date);
    if (!report) throw notFound('daily report for', date);
    return report;
  }

  /** Each day of [from, to] (default: the last 7 local days), newest first, with where its report is. */
  async statuses(query: { from?: string; to?: string }, now = Date.now()): Promise<DailyReportStatusResponse[]> {
    const offset = utcOffsetMinutes(this.config.timeZone);
    const to = query.to ?? addDays(localDate(now, offset), -1);
    const from = query.from ?? addDays(to, -6);
    const problems = [
      ...(!isDate(from) ? [{ field: 'from', reason: 'must be a date YYYY-MM-DD' }] : []),
      ...(!isDate(to) ? [{ field: 'to', reason: 'must be a date YYYY-MM-DD' }] : []),
    ];
    if (!problems.length && from > to) problems.push({ field: 'from', reason: 'must not be after to' });
    if (!problems.length && (localMidnight(to, 0) - localMidnight(from, 0)) / DAY >= MAX_DAYS) problems.push({ field: 'from', reason: `at most ${MAX_DAYS} days at once` });
    if (problems.length) throw invalidAll(problems);
    return (await this.reports.deliveries(from, to)).map((d) => this.status(d, offset, now));
  }

  async received(date: string, by: string): Promise<DailyReportStatusResponse> {
    if (!isDate(date)) throw invalid('date', 'must be a date YYYY-MM-DD');
    if (!(await this.reports.markReceived(date, by))) throw notFound('daily report for', date);
    const [delivery] = await this.reports.deliveries(date, date);
    return this.status(delivery, utcOffsetMinutes(this.config.timeZone), Date.now());
  }

  /**
   * A day's report is due the next day at EPI_DAILY_REPORT_AT: before that it is pending; after it,
   * missing until sent; sent more than LATE_AFTER_MS after its time, it was late.
   */
  private status(d: DailyReportDelivery, offset: number, now: number): DailyReportStatusResponse {
    const at = this.config.schedules.dailyReportAt ?? { hour: 8, minute: 0 };
    const dueAt = localMidnight(addDays(d.date, 1), offset) + (at.hour * 60 + at.minute) * 60_000;
    const state = d.receivedAt ? 'received' : d.sentAt ? 'sent' : now < dueAt ? 'pending' : 'missing';
    const late = d.sentAt ? d.sentAt.getTime() > dueAt + LATE_AFTER_MS : now > dueAt + LATE_AFTER_MS;
    const iso = (v: Date | null) => v?.toISOString() ?? null;
    return { date: d.date, state, late, dueAt: new Date(dueAt).toISOString(), generatedAt: iso(d.generatedAt), sentAt: iso(d.sentAt), receivedAt: iso(d.receivedAt), receivedBy: d.receivedBy };
  }
}
