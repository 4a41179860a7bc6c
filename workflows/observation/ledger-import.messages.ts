/** The ledger import workflow's names, shared by the workflow, the API and the worker. */
import { defineQuery } from '@temporalio/workflow';

export interface LedgerImportInput {
  jobId: string;
  /** Carried across continue-as-new, so the query answers at once. */
  progress?: ImportProgress;
}

export interface ImportProgress {
  totalRows: number;
  processedRows: number;
  accepted: number;
  rejected: number;
}

export const importProgressQuery = defineQuery<ImportProgress | undefined>('importProgress');

export const ledgerImportWorkflowId = (jobId: string) => `ledger-import-${jobId}`;
