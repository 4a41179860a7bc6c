import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A swap request keeps who held its shift when it was asked (`other_staff_id`, who takes the other
 * shift), as `staff_id` keeps the other shift's holder: its approval then exchanges the shifts of
 * the two people who asked, or refuses when either shift has changed hands since.
 */
export class SwapHolders1765600000000 implements MigrationInterface {
  name = 'SwapHolders1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE roster_request ADD COLUMN other_staff_id text REFERENCES roster_staff(id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE roster_request DROP COLUMN other_staff_id`);
  }
}
