import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A roster plan is solved by the worker after it is asked for: the row holds what was asked (pins,
 * seed, the mode of each jurisdiction) and as of when, and why a solve failed.
 */
export class RosterPlanSolving1764415000000 implements MigrationInterface {
  name = 'RosterPlanSolving1764415000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE roster_plan
      ADD COLUMN request jsonb NOT NULL DEFAULT '{}',
      ADD COLUMN as_of timestamptz,
      ADD COLUMN failure text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE roster_plan DROP COLUMN request, DROP COLUMN as_of, DROP COLUMN failure`);
  }
}
