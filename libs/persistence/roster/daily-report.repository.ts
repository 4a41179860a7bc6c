import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { ShiftCounts } from './roster-shift.repository';

/** The daily report (日报) of a local date. */
export interface DailyReport {
  date: string;
  generatedAt: string;
  /** Everyone under observation at some time that day, by their status now; enrolled and released that day. */
  observations: { byStatus: Record<string, number>; enrolled: number; released: number };
  /** From the transfer tables when they exist (another family's schema, read defensively). */
  transfers: { available: false } | { available: true; runs?: Record<string, number>; travellers?: Record<string, number> };
  shifts: ShiftCounts & { byJurisdiction: Record<string, ShiftCounts> };
}

/** Where a date's report is on its way up. */
export interface DailyReportDelivery {
  date: string;
  generatedAt: Date | null;
  sentAt: Date | null;
  receivedAt: Date | null;
  receivedBy: string | null;
}

/** daily_report: every statement on the daily reports. */
@Injectable()
export class DailyReportRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Writes the report of its date, over one written before. */
  async save(report: DailyReport): Promise<void> {
    await this.db.query(
      `INSERT INTO daily_report (report_date, content, generated_at) VALUES ($1, $2, $3)
       ON CONFLICT (report_date) DO UPDATE SET content = EXCLUDED.content, generated_at = EXCLUDED.generated_at`,
      [report.date, JSON.stringify(report), new Date(report.generatedAt)],
    );
  }

  /** The report of a date, marked sent unless it was before (in the caller's transaction); undefined when there is none. */
  async markSent(tx: EntityManager, date: string): Promise<DailyReport | undefined> {
    const [[row]] = await tx.query(`UPDATE daily_report SET sent_at = coalesce(sent_at, now()) WHERE report_date = $1 RETURNING content`, [date]);
    return row?.content;
  }

  /** Received by a district account: the first receipt counts; answers false when there is no report of that date. */
  async markReceived(date: string, by: string): Promise<boolean> {
    const [, count] = await this.db.query(
      `UPDATE daily_report SET received_at = coalesce(received_at, now()), received_by = coalesce(received_by, $2) WHERE report_date = $1`,
      [date, by],
    );
    return count > 0;
  }

  /** Each date of [from, to] with its report's delivery, null where there is no report (missing). */
  async deliveries(from: string, to: string): Promise<DailyReportDelivery[]> {
    return this.db.query(
      `SELECT to_char(d, 'YYYY-MM-DD') AS date, r.generated_at AS "generatedAt", r.sent_at AS "sentAt", r.received_at AS "receivedAt", r.received_by AS "receivedBy"
       FROM generate_series($1::date, $2::date, interval '1 day') d LEFT JOIN daily_report r ON r.report_date = d::date
       ORDER BY d DESC`,
      [from, to],
    );
  }

  async get(date: string): Promise<DailyReport | undefined> {
    const [row] = await this.db.query(`SELECT content FROM daily_report WHERE report_date = $1`, [date]);
    return row?.content;
  }
}
