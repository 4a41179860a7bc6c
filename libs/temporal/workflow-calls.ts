import { ServiceError, WorkflowNotFoundError, type ConnectionLike, type Next, type WorkflowClientInterceptor, type WorkflowExecution, type WorkflowStartUpdateInput, type WorkflowStartUpdateOutput } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { randomUUID } from 'node:crypto';

/**
 * A call to a workflow (query, signal, update, describe), or what `gone` says when the workflow
 * cannot take it: it has closed (beyond the retention period) or never ran. Other errors propagate.
 * `gone` may throw the caller's own error (a 404 or 409 in the domain's words).
 */
export async function unlessGone<T, G>(call: Promise<T>, gone: () => G): Promise<T | G> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return gone();
    throw error;
  }
}

/** How often an update dropped by a failed workflow task is sent in all. */
const TRIES = 3;
/** gRPC's status code for an update dropped with its workflow task. */
const FAILED_PRECONDITION = 9;
const { UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED: ACCEPTED } = temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage;

/**
 * Every update of a client is sent under an id of its own and its outcome read back by that id when
 * the call fails. An update may close its workflow in the task that completes it (an early end),
 * and the client, repeating its request until the update is accepted, can then meet the workflow
 * closed and fail although the update was carried out; and a workflow task that fails drops the
 * updates it held, which the server answers FAILED_PRECONDITION, to be sent again. So on any
 * failure the update is looked up by its id (its outcome, or accepted and still running); one not
 * to be found is sent again after a dropping task, at most `TRIES` times in all; else the last
 * call's error stands.
 */
export class UpdateOnceInterceptor implements WorkflowClientInterceptor {
  constructor(
    private readonly connection: ConnectionLike,
    private readonly namespace: string,
  ) {}

  async startUpdate(input: WorkflowStartUpdateInput, next: Next<WorkflowClientInterceptor, 'startUpdate'>): Promise<WorkflowStartUpdateOutput> {
    const updateId = input.options.updateId ?? randomUUID();
    const once = { ...input, options: { ...input.options, updateId } };
    for (let tried = 1; ; tried++) {
      try {
        return await next(once);
      } catch (error) {
        const found = await this.accepted(input.workflowExecution, updateId).catch(() => undefined);
        if (found) return { updateId, workflowRunId: found.runId, outcome: found.outcome, outputTypeInfo: input.typeInfo?.outputType };
        const dropped = error instanceof ServiceError && (error.cause as { code?: number } | undefined)?.code === FAILED_PRECONDITION;
        if (dropped && tried < TRIES) continue;
        throw error;
      }
    }
  }

  /** The update by its id if the workflow has accepted it (one poll: the server's long poll at most), with its outcome if it has one; throws when there is no such update. */
  private async accepted(workflowExecution: WorkflowExecution, updateId: string): Promise<{ runId: string; outcome?: temporal.api.update.v1.IOutcome } | undefined> {
    const response = await this.connection.workflowService.pollWorkflowExecutionUpdate({
      namespace: this.namespace,
      updateRef: { workflowExecution, updateId },
      waitPolicy: { lifecycleStage: ACCEPTED },
    });
    if ((response.stage ?? 0) < ACCEPTED) return undefined;
    return { runId: response.updateRef?.workflowExecution?.runId ?? '', outcome: response.outcome ?? undefined };
  }
}
