import { MigrationInterface, QueryRunner } from 'typeorm';

/** Closed-loop transfers: resources, runs, their travellers (identities live here only), trips, exceptions, quarantine records. */
export class Transfer1764100000000 implements MigrationInterface {
  name = 'Transfer1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE transfer_sorting_point (
      id text PRIMARY KEY,
      name text NOT NULL,
      address text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE TABLE transfer_destination (
      id text PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('community', 'hotel')),
      name text NOT NULL,
      travel_minutes int NOT NULL CHECK (travel_minutes > 0),
      capacity int CHECK (capacity >= 0),
      receiver text NOT NULL,
      worker text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE TABLE transfer_vehicle (
      id text PRIMARY KEY,
      plate text NOT NULL UNIQUE,
      seats int NOT NULL CHECK (seats > 0),
      driver_name text NOT NULL,
      driver_contact text NOT NULL,
      available boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE TABLE transfer_escort (
      id text PRIMARY KEY,
      name text NOT NULL,
      contact text NOT NULL,
      available boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);

    await q.query(`CREATE TABLE transfer_run (
      id text PRIMARY KEY,
      client_request_id text UNIQUE,
      kind text NOT NULL,
      status text NOT NULL,
      sorting_point_id text NOT NULL,
      dispatcher text NOT NULL,
      supervisor text NOT NULL,
      resources jsonb NOT NULL,
      input jsonb NOT NULL,
      counts jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz)`);
    await q.query(`CREATE INDEX transfer_run_created ON transfer_run (created_at DESC, id)`);

    await q.query(`CREATE TABLE transfer_traveller (
      run_id text NOT NULL REFERENCES transfer_run(id),
      traveller_id text NOT NULL,
      row_number int NOT NULL,
      name text NOT NULL,
      document_type text NOT NULL,
      document_number text NOT NULL,
      mobile text,
      address jsonb,
      responsible_worker text,
      arrival_time timestamptz NOT NULL,
      disposition text NOT NULL,
      key_person boolean NOT NULL DEFAULT false,
      family_group text,
      destination_id text NOT NULL,
      status text NOT NULL,
      trip_id text,
      handed_over_at timestamptz,
      receiver jsonb,
      aftercare text,
      observation_number text,
      quarantine_record_id uuid,
      closed_as text,
      closed_by text,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (run_id, traveller_id))`);
    // A person is listed once per run, so they can never ride two of its trips.
    await q.query(`CREATE UNIQUE INDEX transfer_traveller_document ON transfer_traveller (run_id, document_type, document_number)`);
    await q.query(`CREATE INDEX transfer_traveller_status ON transfer_traveller (run_id, status)`);

    await q.query(`CREATE TABLE transfer_trip (
      run_id text NOT NULL REFERENCES transfer_run(id),
      trip_id text NOT NULL,
      vehicle_id text NOT NULL,
      escort_ids jsonb NOT NULL,
      destination_id text NOT NULL,
      traveller_ids jsonb NOT NULL,
      depart_at timestamptz NOT NULL,
      arrive_at timestamptz NOT NULL,
      return_at timestamptz NOT NULL,
      leg text NOT NULL,
      meeting jsonb,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (run_id, trip_id))`);

    await q.query(`CREATE TABLE transfer_exception (
      id text PRIMARY KEY,
      run_id text NOT NULL REFERENCES transfer_run(id),
      kind text NOT NULL,
      traveller_ids jsonb NOT NULL,
      trip_id text,
      owner_role text NOT NULL,
      owner text NOT NULL,
      state text NOT NULL,
      reason text NOT NULL,
      opened_at timestamptz NOT NULL,
      deadline timestamptz NOT NULL,
      escalated_at timestamptz,
      resolution text,
      decided_by text,
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX transfer_exception_run ON transfer_exception (run_id, state)`);

    await q.query(`CREATE TABLE centralized_quarantine (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      client_request_id text NOT NULL UNIQUE,
      hotel_id text NOT NULL,
      name text NOT NULL,
      document_type text NOT NULL,
      document_number text NOT NULL,
      mobile text,
      arrival_date date NOT NULL,
      run_id text REFERENCES transfer_run(id),
      traveller_id text,
      admitted_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX centralized_quarantine_hotel ON centralized_quarantine (hotel_id, arrival_date)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'centralized_quarantine',
      'transfer_exception',
      'transfer_trip',
      'transfer_traveller',
      'transfer_run',
      'transfer_escort',
      'transfer_vehicle',
      'transfer_destination',
      'transfer_sorting_point',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
