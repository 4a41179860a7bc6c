import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { Principal } from '../../../libs/auth/roles';
import { DomainError, notFound } from '../../../libs/domain/errors';
import { EnrolmentService } from '../../../libs/observation/enrolment.service';
import type { ImportRowResult } from '../../../libs/persistence/entities/import-job.entity';
import { LedgerRow, readLedger } from './ledger/ledger-reader';
import { parseUuid } from '../../../libs/domain/ids';

/** Enrolments in flight at once: near the dev server's sweet spot for workflow starts. */
const CONCURRENCY = 64;
const PROGRESS_EVERY = 100;
const ATTEMPTS = 4;

/**
 * Ledger imports: every row is enrolled like a `POST /persons` (same validator, same 409s) with a
 * client request id derived from the file and the row, so uploading the same file again after an
 * interruption resumes it without enrolling anyone twice.
 */
@Injectable()
export class ImportService {
  private readonly logger = new Logger('import');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly enrolment: EnrolmentService,
  ) {}

  /** Reads the file (422 if unreadable), records the job and starts it; answers before the rows are done. */
  async start(file: Buffer, fileName: string, actor: Principal) {
    const rows = await readLedger(file, fileName);
    const [job] = await this.dataSource.query(
      `INSERT INTO import_job (file_name, state, total_rows, requested_by, subdistrict, community) VALUES ($1, 'running', $2, $3, $4, $5) RETURNING id`,
      [fileName, rows.length, actor.username, actor.subdistrict, actor.community],
    );
    const fileKey = createHash('sha256').update(file).digest('hex').slice(0, 16);
    void this.run(job.id, fileKey, rows, actor).catch(async (error) => {
      this.logger.error(`import ${job.id} failed: ${(error as Error).stack}`);
      await this.dataSource.query(`UPDATE import_job SET state = 'failed', error = $2 WHERE id = $1`, [job.id, (error as Error).message]).catch(() => undefined);
    });
    return this.status(job.id);
  }

  async status(id: string, withResults: 'rejected' | 'all' | 'none' = 'rejected') {
    if (!parseUuid(id)) throw notFound('import', id);
    const [job] = await this.dataSource.query(`SELECT * FROM import_job WHERE id = $1`, [id]);
    if (!job) throw notFound('import', id);
    const results = (job.results as ImportRowResult[]).filter((r) => withResults === 'all' || (withResults === 'rejected' && r.status !== 'accepted'));
    return {
      id: job.id,
      fileName: job.file_name,
      state: job.state,
      totalRows: job.total_rows,
      processedRows: job.processed_rows,
      accepted: job.accepted,
      rejected: job.rejected,
      error: job.error,
      results: withResults === 'none' ? undefined : results,
      createdAt: job.created_at,
      updatedAt: job.updated_at,
    };
  }

  private async run(id: string, fileKey: string, rows: LedgerRow[], actor: Principal): Promise<void> {
    const results: ImportRowResult[] = new Array(rows.length);
    let next = 0;
    let done = 0;
    const counts = { accepted: 0, rejected: 0 };
    const lane = async () => {
      while (next < rows.length) {
        const i = next++;
        results[i] = await this.enrolRow(rows[i], fileKey, actor);
        counts[results[i].status === 'accepted' ? 'accepted' : 'rejected'] += 1;
        if (++done % PROGRESS_EVERY === 0) await this.progress(id, done, counts);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, lane));
    await this.dataSource.query(
      `UPDATE import_job SET state = 'done', processed_rows = $2, accepted = $3, rejected = $4, results = $5::jsonb, updated_at = now() WHERE id = $1`,
      [id, done, counts.accepted, counts.rejected, JSON.stringify(results)],
    );
  }

  private progress(id: string, done: number, counts: { accepted: number; rejected: number }) {
    return this.dataSource.query(`UPDATE import_job SET processed_rows = $2, accepted = $3, rejected = $4, updated_at = now() WHERE id = $1`, [id, done, counts.accepted, counts.rejected]);
  }

  private async enrolRow({ row, record, hints = {} }: LedgerRow, fileKey: string, actor: Principal): Promise<ImportRowResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.enrolment.enrol({ ...record, clientRequestId: `import:${fileKey}:${row}` }, actor);
        return { row, status: 'accepted', observationNumber: result.observationNumber };
      } catch (error) {
        if (error instanceof DomainError) {
          const [first] = error.problems;
          return { row, status: error.kind === 'conflict' ? 'duplicate' : 'rejected', field: first?.field, reason: error.problems.map((p) => `${p.field}: ${p.reason}${hints[p.field] ? ` (${hints[p.field]})` : ''}`).join('; ') || error.message, observationNumber: error.details.observationNumber as string | undefined };
        }
        // PostgreSQL or Temporal briefly unavailable: retry; after that the row is reported, and re-uploading the file resumes it.
        if (attempt >= ATTEMPTS) return { row, status: 'rejected', field: 'row', reason: `not enrolled, service unavailable (${(error as Error).message}); upload the file again to resume` };
        await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
      }
    }
  }
}
