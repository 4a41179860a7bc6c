import { Client } from '@temporalio/client';
import { STATUS } from '../../libs/temporal/search-attributes';
import { StartOutcome, startOnce } from '../../libs/temporal/start-once';
import { transferRunWorkflow } from '../../workflows/transfer/transfer-run.workflow';
import { TransferRunInput, transferRunWorkflowId } from '../../workflows/transfer/transfer.messages';

/**
 * Starts a recorded run's workflow unless it runs or ran; shared by `POST /transfer-runs` (API) and
 * the reconciler (worker), which starts the runs whose start was lost.
 */
export function startTransferRun(client: Client, taskQueue: string, input: TransferRunInput): Promise<StartOutcome> {
  return startOnce(client, transferRunWorkflow, {
    workflowId: transferRunWorkflowId(input.runId),
    taskQueue,
    args: [input],
    typedSearchAttributes: [{ key: STATUS, value: input.dispatchNow ? 'running' : 'planned' }],
  });
}
