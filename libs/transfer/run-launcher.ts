import { Inject, Injectable } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { TransferRunRepository } from '../persistence/transfer/transfer-run.repository';
import { STATUS } from '../temporal/search-attributes';
import { StartOutcome, startOnce } from '../temporal/start-once';
import { TEMPORAL_CLIENT } from '../temporal/temporal.module';
import { transferRunWorkflow } from '../../workflows/transfer/transfer-run.workflow';
import { TransferRunInput, transferRunWorkflowId } from '../../workflows/transfer/transfer.messages';

/**
 * Starts a recorded run's workflow unless it runs or ran; shared by `POST /transfer-runs` (API) and
 * the reconciler (worker), which starts the runs whose start was lost.
 */
@Injectable()
export class TransferRunLauncher {
  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly runs: TransferRunRepository,
  ) {}

  start(input: TransferRunInput): Promise<StartOutcome> {
    return startOnce(this.client, transferRunWorkflow, {
      workflowId: transferRunWorkflowId(input.runId),
      taskQueue: this.config.temporal.taskQueue,
      args: [input],
      typedSearchAttributes: [{ key: STATUS, value: input.dispatchNow ? 'running' : 'planned' }],
    });
  }

  /** A recorded run's workflow, from the input recorded with the run. */
  async startRecorded(runId: string): Promise<StartOutcome> {
    const input = await this.runs.inputOf(runId);
    if (!input) throw new Error(`transfer run ${runId} is not recorded`);
    return this.start(input);
  }
}
