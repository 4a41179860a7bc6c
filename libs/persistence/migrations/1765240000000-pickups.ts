import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Pick-ups a decision starts: hospitals as transfer destinations, an observation waiting for its
 * pick-up still open (one open observation per person), the pick-up run on the observation, and
 * the subdistrict whose vehicles and escorts fetch its people.
 */
export class Pickups1765240000000 implements MigrationInterface {
  name = 'Pickups1765240000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE transfer_destination DROP CONSTRAINT transfer_destination_kind_check`);
    await q.query(`ALTER TABLE transfer_destination ADD CONSTRAINT transfer_destination_kind_check CHECK (kind IN ('community', 'hotel', 'hospital'))`);
    await q.query(`DROP INDEX observation_one_open_per_person`);
    await q.query(`CREATE UNIQUE INDEX observation_one_open_per_person ON observation (person_id) WHERE status IN ('active', 'escalated', 'awaiting_pickup')`);
    await q.query(`ALTER TABLE observation ADD COLUMN pickup_run_id text`);
    await q.query(`ALTER TABLE transfer_vehicle ADD COLUMN subdistrict text`);
    await q.query(`ALTER TABLE transfer_escort ADD COLUMN subdistrict text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE transfer_escort DROP COLUMN subdistrict`);
    await q.query(`ALTER TABLE transfer_vehicle DROP COLUMN subdistrict`);
    await q.query(`ALTER TABLE observation DROP COLUMN pickup_run_id`);
    await q.query(`DROP INDEX observation_one_open_per_person`);
    await q.query(`CREATE UNIQUE INDEX observation_one_open_per_person ON observation (person_id) WHERE status IN ('active', 'escalated')`);
    await q.query(`ALTER TABLE transfer_destination DROP CONSTRAINT transfer_destination_kind_check`);
    await q.query(`ALTER TABLE transfer_destination ADD CONSTRAINT transfer_destination_kind_check CHECK (kind IN ('community', 'hotel'))`);
  }
}
