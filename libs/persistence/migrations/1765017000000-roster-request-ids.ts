import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The client's idempotency key (`Idempotency-Key` or the body's `requestId`) of `POST /rosters` and
 * `POST /shift-requests`: asked again with the same key, the plan or request first made is the answer.
 */
export class RosterRequestIds1765017000000 implements MigrationInterface {
  name = 'RosterRequestIds1765017000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE roster_plan ADD COLUMN request_id text UNIQUE`);
    await q.query(`ALTER TABLE roster_request ADD COLUMN request_id text UNIQUE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE roster_request DROP COLUMN request_id`);
    await q.query(`ALTER TABLE roster_plan DROP COLUMN request_id`);
  }
}
