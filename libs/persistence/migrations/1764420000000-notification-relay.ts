import { MigrationInterface, QueryRunner } from 'typeorm';

/** A notification keeps when it may next be tried and until when a send holds it (the outbox relay). */
export class NotificationRelay1764420000000 implements MigrationInterface {
  name = 'NotificationRelay1764420000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notification ADD COLUMN next_attempt_at timestamptz, ADD COLUMN delivering_until timestamptz`);
    await q.query(`CREATE INDEX notification_pending ON notification (created_at) WHERE state = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX notification_pending`);
    await q.query(`ALTER TABLE notification DROP COLUMN next_attempt_at, DROP COLUMN delivering_until`);
  }
}
