/**
 * Bare Temporal primitives, the baselines `npm run bench` measures the engine against in the same
 * run: a workflow start, a signal, a timer firing and completing.
 */
import { condition, defineSignal, setHandler, sleep } from '@temporalio/workflow';

export const baselineSignal = defineSignal<[unknown]>('baselineSignal');

export async function baselineNoopWorkflow(): Promise<void> {}

/** Takes signals and keeps running, as an open observation does. */
export async function baselineSignalWorkflow(): Promise<void> {
  let received = 0;
  setHandler(baselineSignal, () => void received++);
  await condition(() => false);
}

export async function baselineTimerWorkflow(dueAt: number): Promise<void> {
  await sleep(Math.max(1, dueAt - Date.now()));
}
