import { ServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
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

/** The part of a workflow handle an update needs. */
export type UpdatableHandle = Pick<WorkflowHandle, 'executeUpdate' | 'getUpdateHandle'>;

/** How often an update dropped by a failed workflow task is sent in all. */
const TRIES = 3;
/** gRPC's status code for an update dropped with its workflow task. */
const FAILED_PRECONDITION = 9;

/**
 * An update under an id of its own. An update may close its workflow in the task that completes it
 * (an early end), and the client, repeating its request until the update is accepted, can then meet
 * the workflow closed and fail although the update was carried out; and a workflow task that fails
 * drops the updates it held, which the server answers FAILED_PRECONDITION, to be sent again. So on
 * any failure but the update's own its outcome is read back by id (its result, or its own failure);
 * an update not to be found is sent again after a dropping task, at most `TRIES` times in all; else
 * the last call's error stands.
 */
export async function executeUpdateOnce<Ret, Arg>(handle: UpdatableHandle, update: UpdateDefinition<Ret, [Arg]>, arg: Arg, updateId: string = randomUUID()): Promise<Ret> {
  for (let tried = 1; ; tried++) {
    try {
      return await handle.executeUpdate(update, { args: [arg], updateId });
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) throw error;
      try {
        return await handle.getUpdateHandle<Ret>(updateId).result();
      } catch (reading) {
        if (reading instanceof WorkflowUpdateFailedError) throw reading;
        const dropped = error instanceof ServiceError && (error.cause as { code?: number } | undefined)?.code === FAILED_PRECONDITION;
        if (dropped && tried < TRIES) continue;
        throw error;
      }
    }
  }
}
