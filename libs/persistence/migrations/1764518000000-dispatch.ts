import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Vehicle dispatch through a dispatch system: each trip's order as the dispatch system answered it,
 * the leg events it posts back (one row per event id, so a repeated event is answered and never
 * applied twice), and the vehicle's latest reported position on its trip.
 */
export class Dispatch1764518000000 implements MigrationInterface {
  name = 'Dispatch1764518000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE dispatch_order (
      order_id text PRIMARY KEY,
      run_id text NOT NULL REFERENCES transfer_run(id),
      trip_id text NOT NULL,
      state text NOT NULL CHECK (state IN ('accepted', 'refused')),
      reference text,
      reason text,
      sent_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (run_id, trip_id))`);

    // No foreign key to transfer_trip: a re-plan deletes and rewrites planned trips, and an event only ever names a dispatched one.
    await q.query(`CREATE TABLE dispatch_event (
      event_id text PRIMARY KEY,
      order_id text NOT NULL REFERENCES dispatch_order(order_id),
      run_id text NOT NULL,
      trip_id text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('departed', 'arrived', 'position')),
      at timestamptz NOT NULL,
      lat double precision,
      lon double precision,
      answer jsonb NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX dispatch_event_trip ON dispatch_event (run_id, trip_id, at)`);

    await q.query(`ALTER TABLE transfer_trip ADD COLUMN position_lat double precision, ADD COLUMN position_lon double precision, ADD COLUMN position_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE transfer_trip DROP COLUMN position_lat, DROP COLUMN position_lon, DROP COLUMN position_at`);
    await q.query(`DROP TABLE dispatch_event`);
    await q.query(`DROP TABLE dispatch_order`);
  }
}
