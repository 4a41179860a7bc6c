import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
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

  async get(date: string): Promise<DailyReport | undefined> {
    const [row] = await this.db.query(`SELECT content FROM daily_report WHERE report_date = $1`, [date]);
    return row?.content;
  }
}
