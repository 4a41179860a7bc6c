import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A change a publishing or an approval committed to a shift whose workflow runs, kept until the
 * workflow has been told of it (`{ by, reason, at }`: what it is told with, and when the change was
 * made): a telling after the commit that failed is done by the reconciler (libs/roster/shift-follower.ts).
 */
export class UntoldShiftChanges1765500000000 implements MigrationInterface {
  name = 'UntoldShiftChanges1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE roster_shift ADD COLUMN untold_change jsonb`);
    await q.query(`CREATE INDEX roster_shift_untold ON roster_shift (start_at) WHERE untold_change IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX roster_shift_untold`);
    await q.query(`ALTER TABLE roster_shift DROP COLUMN untold_change`);
  }
}
