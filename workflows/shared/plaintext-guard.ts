/**
 * Workflow interceptors that refuse what a client sent without encryption (README "Personal data
 * in Temporal"): the worker's codec marks such payloads (workflows/shared/plaintext-mark.ts) and
 * these decide. A refused update is rejected, a refused signal dropped, a refused start fails the
 * workflow, a refused query fails. Histories recorded before encryption, or while the setting was
 * off, hold plaintext payloads that were accepted: the refusal is recorded as a patch marker, so a
 * replay refuses exactly what the original run refused and accepts the rest.
 */
import {
  ApplicationFailure,
  log,
  patched,
  workflowInfo,
  type Next,
  type QueryInput,
  type SignalInput,
  type UpdateInput,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptorsFactory,
} from '@temporalio/workflow';
import { PlaintextMark, plaintextMarkOf } from './plaintext-mark';

export const REFUSE_PLAINTEXT_PATCH = 'refuse-plaintext-payloads';
const FAILURE_TYPE = 'plaintext_refused';

/** The arguments as sent, and the marks of those that came unencrypted. */
function unmark(args: readonly unknown[]): { args: unknown[]; marks: PlaintextMark[] } {
  const marks: PlaintextMark[] = [];
  const values = args.map((arg) => {
    const mark = plaintextMarkOf(arg);
    if (!mark) return arg;
    marks.push(mark);
    return mark.value;
  });
  return { args: values, marks };
}

/**
 * Whether this workflow refuses the marked arguments, the same on every replay: refused (and the
 * patch marker written) when the worker refuses; on replay, refused where the original run wrote
 * the marker. A run that accepted them wrote none.
 */
function refused(marks: PlaintextMark[]): boolean {
  if (!marks.length) return false;
  if (!marks.some((m) => m.refuse) && !workflowInfo().unsafe.isReplaying) return false;
  return patched(REFUSE_PLAINTEXT_PATCH);
}

const refusal = (what: string) => ApplicationFailure.nonRetryable(`${what} was sent unencrypted and is refused: send it through a client with the payload keys`, FAILURE_TYPE);

/**
 * Not async: each handler hands on the next interceptor's own promise, so an accepted message
 * settles on the same microtask as without the guard, and workflows issue their commands in the
 * order histories recorded before the guard hold (an async wrapper's extra ticks reorder an
 * update's completion against a timer the main loop starts).
 */
class PlaintextGuard implements WorkflowInboundCallsInterceptor {
  execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const { args, marks } = unmark(input.args);
    if (refused(marks)) return Promise.reject(refusal('the workflow input'));
    return next({ ...input, args });
  }

  handleSignal(input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>): Promise<void> {
    const { args, marks } = unmark(input.args);
    if (refused(marks)) {
      log.warn('signal refused: it was sent unencrypted', { signalName: input.signalName });
      return Promise.resolve();
    }
    return next({ ...input, args });
  }

  // Validators do not run on replay and leave nothing in history: no marker needed to refuse here.
  validateUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'validateUpdate'>): void {
    const { args, marks } = unmark(input.args);
    if (marks.some((m) => m.refuse)) throw refusal(`update ${input.name}`);
    return next({ ...input, args });
  }

  // Updates without a validator reach only this.
  handleUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>): Promise<unknown> {
    const { args, marks } = unmark(input.args);
    if (refused(marks)) return Promise.reject(refusal(`update ${input.name}`));
    return next({ ...input, args });
  }

  // Queries leave nothing in history either.
  handleQuery(input: QueryInput, next: Next<WorkflowInboundCallsInterceptor, 'handleQuery'>): Promise<unknown> {
    const { args, marks } = unmark(input.args);
    if (marks.some((m) => m.refuse)) return Promise.reject(refusal(`query ${input.queryName}`));
    return next({ ...input, args });
  }
}

export const interceptors: WorkflowInterceptorsFactory = () => ({ inbound: [new PlaintextGuard()] });
