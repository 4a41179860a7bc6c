import { Inject, Injectable } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { StartOutcome, startOnce } from '../temporal/start-once';
import { TEMPORAL_CLIENT } from '../temporal/temporal.module';
import { ledgerImportWorkflowId } from '../../workflows/observation/ledger-import.messages';
import { ledgerImportWorkflow } from '../../workflows/observation/ledger-import.workflow';

/**
 * Starts a ledger import's workflow: the API once the upload is stored, the reconciler for a job
 * whose start was lost. Its rows and progress are `ImportJobRepository`'s.
 */
@Injectable()
export class LedgerImports {
  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Starts the job's workflow unless it runs or ran. */
  start(jobId: string): Promise<StartOutcome> {
    return startOnce(this.client, ledgerImportWorkflow, { workflowId: ledgerImportWorkflowId(jobId), taskQueue: this.config.temporal.taskQueue, args: [{ jobId }] });
  }
}
