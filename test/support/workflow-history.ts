import type { temporal } from '@temporalio/proto';
import type { WorkflowHandle } from '@temporalio/client';

/**
 * Grows a workflow's history with signals (`send`) up to just below `limit`, so that the next
 * signal's workflow task is the first to start past it: a workflow that checks its history length
 * at each pass continues as new at exactly that pass. A signal handled on its own takes three events
 * up to its task's start (signalled, task scheduled, task started). Batches of 100 while far from the
 * limit, then one at a time; each handled (`settled`, e.g. a query) before the next.
 */
export async function growHistory(handle: WorkflowHandle, limit: number, send: (i: number) => Promise<unknown>, settled: () => Promise<unknown>): Promise<void> {
  for (let i = 0; ; ) {
    const length = (await handle.describe()).historyLength;
    if (length + 3 > limit) return;
    // A batch may be handled in several tasks, each adding a few events of its own.
    const batch = length + 200 < limit ? 100 : 1;
    await Promise.all(Array.from({ length: batch }, () => send(i++)));
    await settled();
  }
}

/**
 * Whether the workflow has handled the message `name` (its latest one) while a local activity of
 * its is held open: handled (a signal in a task completed after it; an update accepted, which is once
 * its handler has run) and no activity's result recorded since. A message that arrives during a
 * workflow task shows in the history only once that task ends, so the message is looked for by name.
 */
export function handledWhileHeld(name: string): (history: temporal.api.history.v1.IHistory) => boolean {
  return (history) => {
    const events = history.events ?? [];
    const last = events.map((e) => e.workflowExecutionSignaledEventAttributes?.signalName === name || e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === name).lastIndexOf(true);
    if (last < 0) return false;
    const since = events.slice(last);
    const handled = Boolean(events[last].workflowExecutionUpdateAcceptedEventAttributes) || since.some((e) => e.workflowTaskCompletedEventAttributes);
    return handled && !since.some((e) => e.markerRecordedEventAttributes);
  };
}
