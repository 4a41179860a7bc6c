import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Principal } from '../../auth/roles';
import type { ImportProgress } from '../../../workflows/observation/ledger-import.messages';

/** What became of one ledger row. */
export interface ImportRowResult {
  /** The sheet row a person sees. */
  row: number;
  status: 'accepted' | 'rejected' | 'duplicate';
  observationNumber?: string;
  field?: string;
  reason?: string;
}

export type ImportJobState = 'running' | 'done' | 'failed';

/** A ledger import (台账) and its progress. */
export interface ImportJob extends ImportProgress {
  id: string;
  fileName: string;
  state: ImportJobState;
  error: string | null;
  requestedBy: string;
  /** The uploader's jurisdiction. */
  subdistrict: string | null;
  community: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A row still to enrol, as it was read from the file. */
export interface PendingImportRow {
  /** The row's place among the file's rows, from 0. */
  seq: number;
  row: number;
  record: Record<string, unknown>;
  hints?: Record<string, string>;
}

/** The rows of a job still to enrol, with what their enrolments need of the job. */
export interface PendingImportRows {
  /** Part of each row's enrolment request id, so the same file enrols nobody twice. */
  fileKey: string;
  /** The uploader: each row is enrolled in their name. */
  actor: Principal;
  rows: PendingImportRow[];
}

/**
 * A ledger's rows as JSON text, in chunks of `import_row` values (seq, row, record, hints), made
 * where the file is read: the API's main thread only passes the text on to PostgreSQL, and never
 * builds or copies tens of thousands of row objects.
 */
export interface ImportRowChunks {
  rowCount: number;
  chunks: string[];
}

/** Ledger import jobs and their rows (`import_job`, `import_row`). */
@Injectable()
export class ImportJobRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Records the job, running, and every row in one transaction; returns the job's id. */
  create(job: { fileName: string; fileKey: string; actor: Principal }, rows: ImportRowChunks): Promise<string> {
    return this.dataSource.transaction(async (db) => {
      const [{ id }] = await db.query(
        `INSERT INTO import_job (file_name, state, total_rows, requested_by, subdistrict, community, file_key, actor) VALUES ($1, 'running', $2, $3, $4, $5, $6, $7) RETURNING id`,
        [job.fileName, rows.rowCount, job.actor.username, job.actor.subdistrict, job.actor.community, job.fileKey, JSON.stringify(job.actor)],
      );
      for (const chunk of rows.chunks) {
        await db.query(
          `INSERT INTO import_row (job_id, seq, row_number, record, hints)
           SELECT $1, r.seq, r.row, r.record, r.hints FROM jsonb_to_recordset($2::jsonb) AS r(seq int, row int, record jsonb, hints jsonb)`,
          [id, chunk],
        );
      }
      return id as string;
    });
  }

  /** `id` must be a uuid (parseUuid). */
  async byId(id: string): Promise<ImportJob | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT id, file_name AS "fileName", state, total_rows AS "totalRows", processed_rows AS "processedRows", accepted, rejected, error,
         requested_by AS "requestedBy", subdistrict, community, created_at AS "createdAt", updated_at AS "updatedAt" FROM import_job WHERE id = $1`,
      [id],
    );
    return row;
  }

  /** Where a job lies: its uploader's jurisdiction. `id` must be a uuid. */
  async placeOf(id: string): Promise<{ subdistrict: string | null; community: string | null } | undefined> {
    const [row] = await this.dataSource.query(`SELECT subdistrict, community FROM import_job WHERE id = $1`, [id]);
    return row;
  }

  /** The results written so far, in file order: every one, or those not accepted. */
  async results(jobId: string, which: 'all' | 'not-accepted'): Promise<ImportRowResult[]> {
    const rows: Array<{ result: ImportRowResult }> = await this.dataSource.query(
      `SELECT result FROM import_row WHERE job_id = $1 AND result IS NOT NULL AND ($2 OR result->>'status' <> 'accepted') ORDER BY seq`,
      [jobId, which === 'all'],
    );
    return rows.map((r) => r.result);
  }

  /** The next rows without a result, in file order; undefined for no such job. */
  async pending(jobId: string, limit: number): Promise<PendingImportRows | undefined> {
    const [job] = await this.dataSource.query(`SELECT file_key AS "fileKey", actor FROM import_job WHERE id = $1`, [jobId]);
    if (!job) return undefined;
    const rows: Array<PendingImportRow & { hints: Record<string, string> | null }> = await this.dataSource.query(
      `SELECT seq, row_number AS row, record, hints FROM import_row WHERE job_id = $1 AND result IS NULL ORDER BY seq LIMIT $2`,
      [jobId, limit],
    );
    return { ...job, rows: rows.map((r) => ({ ...r, hints: r.hints ?? undefined })) };
  }

  /**
   * Writes rows' results (clearing the personal data the row held) and counts each row once, however
   * often a retried batch writes it.
   */
  async recordResults(jobId: string, results: Array<{ seq: number; result: ImportRowResult }>): Promise<ImportProgress> {
    // An UPDATE answers [rows, count].
    const [[progress]] = await this.dataSource.query(
      `WITH written AS (
         UPDATE import_row r SET result = x.result, record = NULL, hints = NULL
         FROM jsonb_to_recordset($2::jsonb) AS x(seq int, result jsonb)
         WHERE r.job_id = $1 AND r.seq = x.seq AND r.result IS NULL
         RETURNING x.result->>'status' AS status)
       UPDATE import_job SET processed_rows = processed_rows + (SELECT count(*) FROM written),
         accepted = accepted + (SELECT count(*) FROM written WHERE status = 'accepted'),
         rejected = rejected + (SELECT count(*) FROM written WHERE status <> 'accepted'),
         updated_at = now()
       WHERE id = $1 RETURNING total_rows AS "totalRows", processed_rows AS "processedRows", accepted, rejected`,
      [jobId, JSON.stringify(results)],
    );
    return progress;
  }

  /** The job is over: done, or failed with the reason. A job already over stays as it is. */
  async close(jobId: string, error?: string): Promise<void> {
    await this.dataSource.query(`UPDATE import_job SET state = $2, error = $3, updated_at = now() WHERE id = $1 AND state = 'running'`, [jobId, error ? 'failed' : 'done', error ?? null]);
  }

  /** Jobs still running that were created more than `seconds` ago, oldest first. */
  async runningBefore(seconds: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(`SELECT id FROM import_job WHERE state = 'running' AND created_at < now() - make_interval(secs => $1) ORDER BY created_at`, [seconds]);
    return rows.map((r) => r.id);
  }
}
