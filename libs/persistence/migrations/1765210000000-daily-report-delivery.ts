import { MigrationInterface, QueryRunner } from 'typeorm';

/** The daily report goes up to the district: when it was sent, and when and by whom it was received. */
export class DailyReportDelivery1765210000000 implements MigrationInterface {
  name = 'DailyReportDelivery1765210000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE daily_report ADD COLUMN sent_at timestamptz, ADD COLUMN received_at timestamptz, ADD COLUMN received_by text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE daily_report DROP COLUMN sent_at, DROP COLUMN received_at, DROP COLUMN received_by`);
  }
}
