import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
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

/**
 * An update under an id of its own. An update may close its workflow in the task that completes it
 * (an early end); the client, repeating its request until the update is accepted, can then meet the
 * workflow closed and fail although the update was carried out. On any failure but the update's
 * own, its outcome is read back by id: its result, or its own failure; the first error only when
 * the update is not to be found.
 */
export async function executeUpdateOnce<Ret, Arg>(handle: UpdatableHandle, update: UpdateDefinition<Ret, [Arg]>, arg: Arg, updateId: string = randomUUID()): Promise<Ret> {
  try {
    return await handle.executeUpdate(update, { args: [arg], updateId });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) throw error;
    try {
      return await handle.getUpdateHandle<Ret>(updateId).result();
    } catch (reading) {
      if (reading instanceof WorkflowUpdateFailedError) throw reading;
      throw error;
    }
  }
}
