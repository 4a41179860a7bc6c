import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The supervisors' daily report (日报) for one local date. */
@Entity('daily_report')
export class DailyReportEntity {
  @PrimaryColumn({ name: 'report_date', type: 'date' }) reportDate!: string;
  @Column({ type: 'jsonb' }) content!: Record<string, unknown>;
  @Column({ name: 'generated_at', type: 'timestamptz' }) generatedAt!: Date;
}
