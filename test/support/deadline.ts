import { Client, WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

const enums = temporal.api.enums.v1;

/**
 * `work` with a deadline: past `timeoutMs` it is aborted (through the signal it is given) and this
 * throws, naming `what` it waited for and whatever `explain` adds about why.
 */
export async function within<T>(what: string, timeoutMs: number, work: (signal: AbortSignal) => Promise<T>, explain?: () => Promise<string>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(async () => {
      // Asked while the work still waits; the named error is settled before the aborted work's own.
      const why = explain ? await explain().catch((error) => `could not say why: ${error}`) : '';
      reject(new Error(`${what}: not done in ${timeoutMs / 1000} s${why ? ` (${why})` : ''}`));
      controller.abort();
    }, timeoutMs);
  });
  try {
    return await Promise.race([work(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a workflow is waiting on, in one line: its status, workflow task, activities and children. */
export async function workflowWaits(handle: WorkflowHandle): Promise<string> {
  const { status, historyLength, raw } = await handle.describe();
  const task = raw.pendingWorkflowTask;
  const parts = [`${handle.workflowId} ${status.name}, ${historyLength} events`];
  const at = (time?: { seconds?: unknown } | null) => (time?.seconds ? new Date(Number(time.seconds) * 1000).toISOString() : '?');
  if (task) parts.push(`workflow task ${enums.PendingWorkflowTaskState[task.state ?? 0]} (attempt ${task.attempt}, scheduled ${at(task.scheduledTime)})`);
  for (const a of raw.pendingActivities ?? []) {
    parts.push(`activity ${a.activityType?.name} ${enums.PendingActivityState[a.state ?? 0]} (attempt ${a.attempt}${a.lastFailure?.message ? `, last failure: ${a.lastFailure.message}` : ''})`);
  }
  for (const c of raw.pendingChildren ?? []) parts.push(`child ${c.workflowId}`);
  return parts.join('; ');
}

/**
 * A call to Temporal about one workflow (an update, a result) with a deadline: past it the call is
 * cancelled and this throws naming `what`, with what the workflow was waiting on.
 */
export function workflowWithin<T>(client: Client, handle: WorkflowHandle, what: string, timeoutMs: number, call: () => Promise<T>): Promise<T> {
  return within(what, timeoutMs, (signal) => client.withAbortSignal(signal, call), () => workflowWaits(handle));
}

/** Longest an update in a test may take, even just after a worker crash (a task waiting out the sticky-queue and task timeouts). */
const UPDATE_DEADLINE_MS = 60_000;

/**
 * An update (an escort's, a receiver's, a worker's, a supervisor's) with a deadline that names it:
 * one that hangs fails within the minute, saying what the workflow waits on, not at the test's timeout.
 */
export function updateWithin<Ret, Arg>(client: Client, handle: WorkflowHandle, update: UpdateDefinition<Ret, [Arg]>, arg: Arg): Promise<Ret> {
  return workflowWithin(client, handle, `${handle.workflowId}: ${update.name} ${JSON.stringify(arg)}`, UPDATE_DEADLINE_MS, () => handle.executeUpdate(update, { args: [arg] }));
}
