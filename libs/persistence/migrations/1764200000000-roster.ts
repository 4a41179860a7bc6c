import { MigrationInterface, QueryRunner } from 'typeorm';

/** Duty rosters: posts, staff, planned rosters, published shifts and their log, modes, requests, daily reports. */
export class Roster1764200000000 implements MigrationInterface {
  name = 'Roster1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE roster_post (
      id text PRIMARY KEY,
      kind text NOT NULL,
      name text NOT NULL,
      location text NOT NULL DEFAULT '',
      jurisdiction text NOT NULL,
      requirements jsonb NOT NULL,
      pattern jsonb NOT NULL,
      supervisor text NOT NULL,
      on_call text[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX roster_post_jurisdiction ON roster_post (jurisdiction)`);

    await q.query(`CREATE TABLE roster_staff (
      id text PRIMARY KEY,
      name text NOT NULL,
      role text NOT NULL,
      home_community text,
      skills text[] NOT NULL DEFAULT '{}',
      mobile text,
      email text,
      unavailable jsonb NOT NULL DEFAULT '[]',
      avoid_nights boolean NOT NULL DEFAULT false,
      preferred_post_ids text[] NOT NULL DEFAULT '{}',
      max_hours_per_day int,
      max_hours_per_week int,
      max_consecutive_days int,
      max_shifts_per_day int,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);

    await q.query(`CREATE TABLE roster_plan (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      from_date date NOT NULL,
      to_date date NOT NULL,
      post_ids text[] NOT NULL,
      state text NOT NULL,
      seats jsonb NOT NULL,
      assignments jsonb NOT NULL,
      unfilled jsonb NOT NULL,
      stats jsonb NOT NULL,
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      published_by text,
      published_at timestamptz)`);

    await q.query(`CREATE TABLE roster_shift (
      id text PRIMARY KEY,
      post_id text NOT NULL REFERENCES roster_post(id),
      jurisdiction text NOT NULL,
      shift_date date NOT NULL,
      slot int NOT NULL,
      seat_no int NOT NULL,
      mode text NOT NULL,
      start_at timestamptz NOT NULL,
      end_at timestamptz NOT NULL,
      required_skill text,
      staff_id text REFERENCES roster_staff(id),
      status text NOT NULL,
      duty_state text NOT NULL,
      unfilled_reason text,
      plan_id uuid REFERENCES roster_plan(id),
      workflow_started boolean NOT NULL DEFAULT false,
      checked_in_by text,
      checked_in_at timestamptz,
      gap_since timestamptz,
      handover_note text,
      handed_over_to text,
      handed_over_at timestamptz,
      ended_at timestamptz,
      end_reason text,
      updated_at timestamptz NOT NULL DEFAULT now())`);
    // The hand-over successor is found by post, seat and start instant.
    await q.query(`CREATE INDEX roster_shift_seat ON roster_shift (post_id, seat_no, start_at)`);
    await q.query(`CREATE INDEX roster_shift_window ON roster_shift (status, start_at)`);
    await q.query(`CREATE INDEX roster_shift_staff ON roster_shift (staff_id, start_at)`);

    await q.query(`CREATE TABLE roster_shift_event (
      id bigserial PRIMARY KEY,
      shift_id text NOT NULL REFERENCES roster_shift(id),
      at timestamptz NOT NULL,
      kind text NOT NULL,
      detail jsonb NOT NULL DEFAULT '{}',
      dedup_key text UNIQUE)`);
    await q.query(`CREATE INDEX roster_shift_event_shift ON roster_shift_event (shift_id, at)`);
    await q.query(`CREATE INDEX roster_shift_event_kind ON roster_shift_event (kind, at)`);

    await q.query(`CREATE TABLE roster_mode (
      jurisdiction text PRIMARY KEY,
      mode text NOT NULL,
      changed_at timestamptz NOT NULL,
      changed_by text NOT NULL)`);

    await q.query(`CREATE TABLE roster_mode_switch (
      id bigserial PRIMARY KEY,
      jurisdiction text NOT NULL,
      from_mode text NOT NULL,
      to_mode text NOT NULL,
      effective_at timestamptz NOT NULL,
      switched_by text NOT NULL,
      reason text NOT NULL,
      summary jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX roster_mode_switch_jurisdiction ON roster_mode_switch (jurisdiction, effective_at)`);

    await q.query(`CREATE TABLE roster_request (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      kind text NOT NULL,
      shift_id text NOT NULL REFERENCES roster_shift(id),
      other_shift_id text REFERENCES roster_shift(id),
      staff_id text NOT NULL REFERENCES roster_staff(id),
      requested_by text NOT NULL,
      state text NOT NULL,
      note text,
      decided_by text,
      decided_at timestamptz,
      decision_note text,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX roster_request_state ON roster_request (state, created_at)`);

    await q.query(`CREATE TABLE daily_report (
      report_date date PRIMARY KEY,
      content jsonb NOT NULL,
      generated_at timestamptz NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['daily_report', 'roster_request', 'roster_mode_switch', 'roster_mode', 'roster_shift_event', 'roster_shift', 'roster_plan', 'roster_staff', 'roster_post']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
