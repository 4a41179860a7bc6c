import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A ledger import keeps its rows and a result per row, and runs as a workflow: the rows are stored
 * before the upload is answered, so an API that dies afterwards loses nothing.
 */
export class ImportRows1764410000000 implements MigrationInterface {
  name = 'ImportRows1764410000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE import_job ADD COLUMN file_key text, ADD COLUMN actor jsonb`);
    await q.query(`CREATE TABLE import_row (
      job_id uuid NOT NULL REFERENCES import_job (id) ON DELETE CASCADE,
      seq int NOT NULL,
      row_number int NOT NULL,
      record jsonb,
      hints jsonb,
      result jsonb,
      PRIMARY KEY (job_id, seq))`);
    // Results of earlier jobs move to rows; a job the old in-process import left running never ends.
    await q.query(`INSERT INTO import_row (job_id, seq, row_number, result)
      SELECT j.id, r.ordinality - 1, (r.value->>'row')::int, r.value FROM import_job j, jsonb_array_elements(j.results) WITH ORDINALITY AS r(value, ordinality)`);
    await q.query(`UPDATE import_job SET state = 'failed', error = 'interrupted when the import moved into a workflow; upload the file again to resume' WHERE state = 'running'`);
    await q.query(`ALTER TABLE import_job DROP COLUMN results`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE import_job ADD COLUMN results jsonb NOT NULL DEFAULT '[]'`);
    await q.query(`UPDATE import_job j SET results = (SELECT coalesce(jsonb_agg(r.result ORDER BY r.seq), '[]') FROM import_row r WHERE r.job_id = j.id AND r.result IS NOT NULL)`);
    await q.query(`DROP TABLE import_row`);
    await q.query(`ALTER TABLE import_job DROP COLUMN file_key, DROP COLUMN actor`);
  }
}
