import { Injectable } from '@nestjs/common';
import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type { Principal } from '../../libs/auth/roles';
import { DomainError } from '../../libs/domain/errors';
import { EnrolmentService } from '../../libs/observation/enrolment.service';
import { ImportJobRepository, ImportRowResult, PendingImportRow } from '../../libs/persistence/observation/import-job.repository';
import type { ImportProgress } from '../../workflows/observation/ledger-import.messages';

/** Enrolments in flight at once: near the dev server's sweet spot for workflow starts. */
const CONCURRENCY = 64;
/** Results are written this many at a time, so a killed worker re-enrols at most this many rows. */
const WRITE_EVERY = 100;

/**
 * The ledger import workflow's activities. Every row is enrolled like a `POST /persons` (same
 * validator, same 409s), in the uploader's name, with a request id derived from the file and
 * the row, so a retried batch, or the same file uploaded again, enrols nobody twice.
 */
@Injectable()
export class LedgerImportActivities {
  constructor(
    private readonly imports: ImportJobRepository,
    private readonly enrolment: EnrolmentService,
  ) {}

  /**
   * Enrols up to `limit` rows without a result and writes their results. A row that fails for
   * another reason than its content (PostgreSQL or Temporal unavailable) fails the batch once the
   * others are written, and Temporal tries the batch again.
   */
  async importLedgerBatch({ jobId, limit }: { jobId: string; limit: number }): Promise<ImportProgress> {
    const pending = await this.imports.pending(jobId, limit);
    if (!pending) throw ApplicationFailure.nonRetryable(`import ${jobId} not found`, 'ImportNotFound');
    const done: Array<{ seq: number; result: ImportRowResult }> = [];
    const failures: unknown[] = [];
    let next = 0;
    const write = () => this.imports.recordResults(jobId, done.splice(0));
    const lane = async () => {
      while (next < pending.rows.length) {
        const row = pending.rows[next++];
        try {
          done.push({ seq: row.seq, result: await this.enrolRow(row, pending.fileKey, pending.actor) });
        } catch (error) {
          failures.push(error);
        }
        Context.current().heartbeat();
        if (done.length >= WRITE_EVERY) await write();
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, lane));
    const progress = await write();
    if (failures.length) throw failures[0];
    return progress;
  }

  /** Ends the job: done, or failed with the reason. */
  async closeLedgerImport({ jobId, error }: { jobId: string; error?: string }): Promise<void> {
    await this.imports.close(jobId, error);
  }

  private async enrolRow({ row, record, hints = {} }: PendingImportRow, fileKey: string, actor: Principal): Promise<ImportRowResult> {
    try {
      const result = await this.enrolment.enrol({ ...record, requestId: `import:${fileKey}:${row}` }, actor);
      return { row, status: 'accepted', observationNumber: result.observationNumber };
    } catch (error) {
      if (!(error instanceof DomainError) || error.kind === 'unavailable') throw error;
      const [first] = error.problems;
      return {
        row,
        status: error.kind === 'conflict' ? 'duplicate' : 'rejected',
        field: first?.field,
        reason: error.problems.map((p) => `${p.field}: ${p.reason}${hints[p.field] ? ` (${hints[p.field]})` : ''}`).join('; ') || error.message,
        observationNumber: error.details.observationNumber as string | undefined,
      };
    }
  }
}
