import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import type { LedgerRow } from '../../apps/api/observation/ledger/ledger-reader';
import type { Principal } from '../auth/roles';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { notFound } from '../domain/errors';
import { parseUuid } from '../domain/ids';
import type { ImportRowResult } from '../persistence/entities/import-job.entity';
import { StartOutcome, startOnce } from '../temporal/start-once';
import { TEMPORAL_CLIENT } from '../temporal/temporal.module';
import type { ImportRowChunks } from './import-rows';
import { ImportProgress, ledgerImportWorkflowId } from '../../workflows/observation/ledger-import.messages';
import { ledgerImportWorkflow } from '../../workflows/observation/ledger-import.workflow';

export interface PendingImportRows {
  fileKey: string;
  actor: Principal;
  rows: Array<LedgerRow & { seq: number }>;
}

/**
 * Ledger import jobs and their rows (`import_job`, `import_row`): every statement on them, shared by
 * the API (upload, status), the import workflow's activities and the reconciler.
 */
@Injectable()
export class LedgerImports {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Records the job and every row in one transaction: once it returns, nothing uploaded can be lost. */
  create(job: { fileName: string; fileKey: string; actor: Principal }, rows: ImportRowChunks): Promise<string> {
    return this.dataSource.transaction(async (manager) => {
      const [{ id }] = await manager.query(
        `INSERT INTO import_job (file_name, state, total_rows, requested_by, subdistrict, community, file_key, actor) VALUES ($1, 'running', $2, $3, $4, $5, $6, $7) RETURNING id`,
        [job.fileName, rows.rowCount, job.actor.username, job.actor.subdistrict, job.actor.community, job.fileKey, JSON.stringify(job.actor)],
      );
      for (const chunk of rows.chunks) {
        await manager.query(
          `INSERT INTO import_row (job_id, seq, row_number, record, hints)
           SELECT $1, r.seq, r.row, r.record, r.hints FROM jsonb_to_recordset($2::jsonb) AS r(seq int, row int, record jsonb, hints jsonb)`,
          [id, chunk],
        );
      }
      return id as string;
    });
  }

  /** Starts the job's workflow unless it runs or ran. */
  start(jobId: string): Promise<StartOutcome> {
    return startOnce(this.client, ledgerImportWorkflow, { workflowId: ledgerImportWorkflowId(jobId), taskQueue: this.config.temporal.taskQueue, args: [{ jobId }] });
  }

  async status(id: string, withResults: 'rejected' | 'all' | 'none' = 'rejected') {
    if (!parseUuid(id)) throw notFound('import', id);
    const [job] = await this.dataSource.query(`SELECT * FROM import_job WHERE id = $1`, [id]);
    if (!job) throw notFound('import', id);
    const results =
      withResults === 'none'
        ? undefined
        : (
            await this.dataSource.query(`SELECT result FROM import_row WHERE job_id = $1 AND result IS NOT NULL AND ($2 OR result->>'status' <> 'accepted') ORDER BY seq`, [
              id,
              withResults === 'all',
            ])
          ).map((r: { result: ImportRowResult }) => r.result);
    return {
      id: job.id,
      fileName: job.file_name,
      state: job.state,
      totalRows: job.total_rows,
      processedRows: job.processed_rows,
      accepted: job.accepted,
      rejected: job.rejected,
      error: job.error,
      results,
      createdAt: job.created_at,
      updatedAt: job.updated_at,
    };
  }

  /** The next rows without a result, in file order, with what their enrolments need; undefined for no such job. */
  async pending(jobId: string, limit: number): Promise<PendingImportRows | undefined> {
    const [job] = await this.dataSource.query(`SELECT file_key, actor FROM import_job WHERE id = $1`, [jobId]);
    if (!job) return undefined;
    const rows = await this.dataSource.query(
      `SELECT seq, row_number AS row, record, hints FROM import_row WHERE job_id = $1 AND result IS NULL ORDER BY seq LIMIT $2`,
      [jobId, limit],
    );
    return { fileKey: job.file_key, actor: job.actor, rows: rows.map((r: LedgerRow & { seq: number; hints: LedgerRow['hints'] | null }) => ({ ...r, hints: r.hints ?? undefined })) };
  }

  /**
   * Writes rows' results (clearing the personal data the row held) and counts each row once, however
   * often a retried batch writes it.
   */
  async recordResults(jobId: string, results: Array<{ seq: number; result: ImportRowResult }>): Promise<ImportProgress> {
    // An UPDATE answers [rows, count].
    const [[job]] = await this.dataSource.query(
      `WITH written AS (
         UPDATE import_row r SET result = x.result, record = NULL, hints = NULL
         FROM jsonb_to_recordset($2::jsonb) AS x(seq int, result jsonb)
         WHERE r.job_id = $1 AND r.seq = x.seq AND r.result IS NULL
         RETURNING x.result->>'status' AS status)
       UPDATE import_job SET processed_rows = processed_rows + (SELECT count(*) FROM written),
         accepted = accepted + (SELECT count(*) FROM written WHERE status = 'accepted'),
         rejected = rejected + (SELECT count(*) FROM written WHERE status <> 'accepted'),
         updated_at = now()
       WHERE id = $1 RETURNING total_rows, processed_rows, accepted, rejected`,
      [jobId, JSON.stringify(results)],
    );
    return { totalRows: job.total_rows, processedRows: job.processed_rows, accepted: job.accepted, rejected: job.rejected };
  }

  /** The job is over: done, or failed with the reason. */
  async close(jobId: string, error?: string): Promise<void> {
    await this.dataSource.query(`UPDATE import_job SET state = $2, error = $3, updated_at = now() WHERE id = $1 AND state = 'running'`, [jobId, error ? 'failed' : 'done', error ?? null]);
  }

  /** Jobs still running that were created before `olderThanSeconds` ago. */
  async running(olderThanSeconds: number): Promise<string[]> {
    const rows = await this.dataSource.query(`SELECT id FROM import_job WHERE state = 'running' AND created_at < now() - make_interval(secs => $1) ORDER BY created_at`, [olderThanSeconds]);
    return rows.map((r: { id: string }) => r.id);
  }
}
