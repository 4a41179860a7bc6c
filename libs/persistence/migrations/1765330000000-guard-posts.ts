import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Guard posts (the "guard posted" measure): a roster post may belong to an observation, at most one
 * post per observation (so a retried measure posts nobody twice), and is closed when the
 * observation ends or the measure is lifted.
 */
export class GuardPosts1765330000000 implements MigrationInterface {
  name = 'GuardPosts1765330000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE roster_post ADD COLUMN observation_number text REFERENCES observation(number), ADD COLUMN closed_at timestamptz, ADD COLUMN close_reason text`);
    await q.query(`CREATE UNIQUE INDEX roster_post_observation ON roster_post (observation_number) WHERE observation_number IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX roster_post_observation`);
    await q.query(`ALTER TABLE roster_post DROP COLUMN observation_number, DROP COLUMN closed_at, DROP COLUMN close_reason`);
  }
}
