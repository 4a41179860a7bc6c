import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The policies this migration seeds, version 1 of each category, as they were when it was written:
 * literals, not the live DEFAULT_RULES, so that changing the defaults never changes a schema already
 * migrated (a new policy version does that).
 */
export const SEED_CATEGORIES = ['A', 'B', 'C', 'D'];
export const SEED_RULES = {
  periodDays: 14,
  slots: [
    { start: '08:00', end: '10:00' },
    { start: '14:00', end: '16:00' },
  ],
  reminderMinutes: 0,
  graceMinutes: 60,
  feverThreshold: 37.3,
  doorAllowedWindows: [],
};

export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE person (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL,
      document_type text NOT NULL,
      document_number text NOT NULL,
      mobile text NOT NULL,
      subdistrict text NOT NULL,
      community text NOT NULL,
      building text NOT NULL,
      unit text NOT NULL,
      address_detail text,
      devices jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE UNIQUE INDEX person_document_unique ON person (document_type, document_number)`);
    // Device platforms report by device id: door sensor, camera, thermometer.
    await q.query(`CREATE INDEX person_devices ON person USING gin (devices jsonb_path_ops)`);

    await q.query(`CREATE TABLE observation_policy (
      id text PRIMARY KEY,
      category char(1) NOT NULL,
      version int NOT NULL,
      effective_from date NOT NULL,
      rules jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE UNIQUE INDEX observation_policy_effective ON observation_policy (category, effective_from)`);
    for (const category of SEED_CATEGORIES) {
      await q.query(`INSERT INTO observation_policy (id, category, version, effective_from, rules) VALUES ($1, $2, 1, '2020-01-01', $3)`, [
        `${category}-v1`,
        category,
        JSON.stringify(SEED_RULES),
      ]);
    }

    await q.query(`CREATE TABLE observation_number_counter (
      prefix text PRIMARY KEY,
      last_value bigint NOT NULL)`);

    await q.query(`CREATE TABLE observation (
      number text PRIMARY KEY,
      person_id uuid NOT NULL REFERENCES person(id),
      category char(1) NOT NULL,
      status text NOT NULL,
      subdistrict text NOT NULL,
      community text NOT NULL,
      responsible_worker text NOT NULL,
      anchor_date date NOT NULL,
      policy_id text NOT NULL REFERENCES observation_policy(id),
      started_at timestamptz NOT NULL,
      release_due_at timestamptz NOT NULL,
      next_due_at timestamptz,
      last_report_at timestamptz,
      ended_at timestamptz,
      end_reason text,
      client_request_id text UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);
    // One open observation per person: the database, not a race-prone read, enforces it.
    await q.query(`CREATE UNIQUE INDEX observation_one_open_per_person ON observation (person_id) WHERE status IN ('active', 'escalated')`);
    await q.query(`CREATE INDEX observation_filter ON observation (subdistrict, community, status, category)`);
    await q.query(`CREATE INDEX observation_next_due ON observation (status, next_due_at)`);
    await q.query(`CREATE INDEX observation_created ON observation (created_at DESC, number)`);

    await q.query(`CREATE TABLE tracking_log (
      id bigserial PRIMARY KEY,
      observation_number text NOT NULL REFERENCES observation(number),
      at timestamptz NOT NULL,
      day int NOT NULL,
      kind text NOT NULL,
      slot_start timestamptz,
      temperature numeric(4,1),
      detail jsonb NOT NULL DEFAULT '{}',
      dedup_key text UNIQUE)`);
    await q.query(`CREATE INDEX tracking_log_observation ON tracking_log (observation_number, at)`);

    await q.query(`CREATE TABLE escalation (
      id text PRIMARY KEY,
      observation_number text NOT NULL REFERENCES observation(number),
      kind text NOT NULL,
      owner_role text NOT NULL,
      owner text NOT NULL,
      state text NOT NULL,
      reason text NOT NULL,
      opened_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      resolution text,
      decided_by text)`);
    await q.query(`CREATE INDEX escalation_open ON escalation (state, opened_at)`);
    await q.query(`CREATE INDEX escalation_observation ON escalation (observation_number)`);

    await q.query(`CREATE TABLE notification (
      id text PRIMARY KEY,
      observation_number text,
      recipient text NOT NULL,
      channel text NOT NULL,
      template text NOT NULL,
      language text NOT NULL,
      subject text NOT NULL,
      body text NOT NULL,
      address text,
      state text NOT NULL,
      attempts int NOT NULL DEFAULT 0,
      last_error text,
      created_at timestamptz NOT NULL,
      sent_at timestamptz)`);
    await q.query(`CREATE INDEX notification_recipient ON notification (recipient, created_at)`);
    await q.query(`CREATE INDEX notification_observation ON notification (observation_number)`);

    await q.query(`CREATE TABLE import_job (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      file_name text NOT NULL,
      state text NOT NULL,
      total_rows int NOT NULL DEFAULT 0,
      processed_rows int NOT NULL DEFAULT 0,
      accepted int NOT NULL DEFAULT 0,
      rejected int NOT NULL DEFAULT 0,
      results jsonb NOT NULL DEFAULT '[]',
      error text,
      requested_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);

    await q.query(`CREATE TABLE system_probe (
      workflow_id text PRIMARY KEY,
      requested_by text NOT NULL,
      written_at timestamptz NOT NULL,
      worker_identity text NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['system_probe', 'import_job', 'notification', 'escalation', 'tracking_log', 'observation', 'observation_number_counter', 'observation_policy', 'person']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
