import { Client, WorkflowExecutionAlreadyStartedError, WorkflowStartOptions } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import { unlessGone } from './workflow-calls';

/** What a start found: it started the workflow, or one with that id was running, or had run and closed. */
export type StartOutcome = 'started' | 'running' | 'closed';

/**
 * Starts a record's workflow unless one with its id is running or has run, so a record gets one
 * workflow however often a retry, a 409 or the reconciler asks. A workflow that closed while its
 * record stayed open is reported, never run a second time: it would repeat what it had done.
 * (A closed workflow is remembered for the namespace's retention period.)
 */
export async function startOnce<T extends Workflow>(client: Client, workflow: T, options: WorkflowStartOptions<T>): Promise<StartOutcome> {
  if (await started(client, workflow, options, 'REJECT_DUPLICATE')) return 'started';
  return (await workflowState(client, options.workflowId)) ?? 'running';
}

/**
 * Starts a new run under an id whose run has closed, for a record reopened on purpose (a cancelled
 * shift published again); 'running' when another caller started one first.
 */
export async function startAnew<T extends Workflow>(client: Client, workflow: T, options: WorkflowStartOptions<T>): Promise<'started' | 'running'> {
  return (await started(client, workflow, options, 'ALLOW_DUPLICATE')) ? 'started' : 'running';
}

/** Starts the workflow unless one with its id runs (or, with REJECT_DUPLICATE, has run): whether it did. */
async function started<T extends Workflow>(client: Client, workflow: T, options: WorkflowStartOptions<T>, reuse: 'REJECT_DUPLICATE' | 'ALLOW_DUPLICATE'): Promise<boolean> {
  try {
    await client.workflow.start(workflow, { ...options, workflowIdConflictPolicy: 'FAIL', workflowIdReusePolicy: reuse });
    return true;
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    return false;
  }
}

/** Whether a workflow with this id runs, has closed, or never ran (undefined). */
export async function workflowState(client: Client, workflowId: string): Promise<Exclude<StartOutcome, 'started'> | undefined> {
  const described = await unlessGone(client.workflow.getHandle(workflowId).describe(), () => undefined);
  return described && (described.status.name === 'RUNNING' ? 'running' : 'closed');
}

/** The ids of the running workflows of a type, from the visibility store (a workflow started a moment ago may be missing). */
export async function runningWorkflowIds(client: Client, workflowType: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const execution of client.workflow.list({ query: `WorkflowType = '${workflowType}' AND ExecutionStatus = 'Running'` })) ids.add(execution.workflowId);
  return ids;
}
