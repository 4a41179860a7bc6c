import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The quarantine stay (集中隔离) a hotel hand-over starts: its room, check-in and check-out, the
 * observation that holds its daily health checks, and how it ended (released, handed back to home
 * observation, transferred out). A hotel's rooms are numbered 1 to its capacity; a room holds one
 * stay at a time.
 */
export class QuarantineStays1765300000000 implements MigrationInterface {
  name = 'QuarantineStays1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE quarantine_stay (
      id uuid PRIMARY KEY REFERENCES centralized_quarantine(id),
      hotel_id text NOT NULL REFERENCES transfer_destination(id),
      room int NOT NULL CHECK (room > 0),
      subdistrict text,
      community text,
      anchor_date date NOT NULL,
      status text NOT NULL CHECK (status IN ('in_room', 'released', 'handed_back', 'transferred_out')),
      checked_in_at timestamptz NOT NULL DEFAULT now(),
      checked_out_at timestamptz,
      observation_number text REFERENCES observation(number),
      health_checks_refused text,
      home_observation_number text REFERENCES observation(number),
      end_reason text,
      ended_by text)`);
    await q.query(`CREATE UNIQUE INDEX quarantine_stay_room ON quarantine_stay (hotel_id, room) WHERE status = 'in_room'`);
    await q.query(`CREATE INDEX quarantine_stay_hotel ON quarantine_stay (hotel_id, status, checked_in_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE quarantine_stay`);
  }
}
