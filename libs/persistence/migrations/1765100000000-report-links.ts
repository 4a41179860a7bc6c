import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each observation's self-report links (README "Self-reporting"): one row per generation, holding
 * only the SHA-256 of the token (the token itself is derived from the link key when a message needs
 * it), with when it was issued and revoked, and the per-link rate window of its reports.
 */
export class ReportLinks1765100000000 implements MigrationInterface {
  name = 'ReportLinks1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE report_link (
      observation_number text NOT NULL REFERENCES observation(number),
      generation int NOT NULL CHECK (generation > 0),
      token_hash bytea NOT NULL UNIQUE,
      issued_at timestamptz NOT NULL DEFAULT now(),
      issued_by text NOT NULL,
      revoked_at timestamptz,
      revoked_by text,
      rate_window_start timestamptz,
      rate_count int NOT NULL DEFAULT 0,
      PRIMARY KEY (observation_number, generation))`);
    // At most one link of an observation is live.
    await q.query(`CREATE UNIQUE INDEX report_link_one_live ON report_link (observation_number) WHERE revoked_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE report_link`);
  }
}
