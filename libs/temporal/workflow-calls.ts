import { WorkflowNotFoundError } from '@temporalio/client';

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
