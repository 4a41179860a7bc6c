/**
 * One ledger import (台账导入), started by `POST /persons/import` once the file's rows are stored:
 * the rows are enrolled in batches by an activity that writes each row's result to PostgreSQL, so
 * a killed API or worker costs nothing but a retried batch (enrolments are idempotent per file and
 * row). Progress is the query's answer and the job's row.
 */
import { ApplicationFailure, CancellationScope, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { LedgerImportActivities } from '../../activities/observation/ledger-import.activities';
import { ImportProgress, importProgressQuery, LedgerImportInput } from './ledger-import.messages';

/** Rows per activity: enrolled 64 at a time, results written every 100. */
const BATCH_ROWS = 500;

const { importLedgerBatch } = proxyActivities<LedgerImportActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '20 seconds',
  // PostgreSQL or Temporal down: each batch waits up to about an hour for them, then the job fails.
  retry: { maximumInterval: '1 minute', maximumAttempts: 70 },
});
const { closeLedgerImport } = proxyActivities<LedgerImportActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '1 minute' },
});

export async function ledgerImportWorkflow(input: LedgerImportInput): Promise<ImportProgress> {
  let progress = input.progress;
  setHandler(importProgressQuery, () => progress);
  const done = () => progress !== undefined && progress.processedRows >= progress.totalRows;
  try {
    while (!done() && !workflowInfo().continueAsNewSuggested) {
      const before = progress?.processedRows;
      progress = await importLedgerBatch({ jobId: input.jobId, limit: BATCH_ROWS });
      if (progress.processedRows === before) throw ApplicationFailure.nonRetryable(`import ${input.jobId}: a batch gave no row a result`, 'ImportStuck');
    }
  } catch (error) {
    // An activity's failure says only that it failed; its cause says why.
    const reason = (error as { cause?: Error }).cause?.message ?? (error as Error).message;
    await CancellationScope.nonCancellable(() => closeLedgerImport({ jobId: input.jobId, error: reason }));
    throw error;
  }
  if (!done()) return continueAsNew<typeof ledgerImportWorkflow>({ ...input, progress });
  await closeLedgerImport({ jobId: input.jobId });
  return progress!;
}
