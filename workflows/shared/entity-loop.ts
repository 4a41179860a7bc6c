/**
 * The loop of the long-lived entity workflows (an observation, a shift, a transfer run), in the
 * shape of Temporal's safe-message-handlers sample: message handlers change the entity's state,
 * queue its changes and wake the loop; each pass applies what has fallen due, writes everything
 * queued as ONE local activity (one transaction), starts the deliveries the write returns, and
 * sleeps until the next deadline or message. Before the history grows long it waits for running
 * handlers and deliveries, then continues as new with the state and whatever is still unwritten, so
 * a message handled during the last write or that wait is written by the next run.
 */
import { allHandlersFinished, condition, patched, workflowInfo } from '@temporalio/workflow';
import { deliverNotification } from './effects';

/** What a workflow family gives the loop: its rules, its write, its continue-as-new. */
export interface Entity<Changes> {
  /** Applies what has fallen due at `now` (reminders, deadlines, dispatches), queuing its changes. */
  pass(now: number): void | Promise<void>;
  /** Takes everything queued out of the queue; undefined when there is nothing to write. */
  takeChanges(now: number): Changes | undefined;
  /** Writes one pass's changes (a local activity, one transaction); the notifications to deliver. */
  record(changes: Changes): Promise<{ toDeliver: string[] }>;
  /** Nothing more to do: the loop ends after this pass's write. */
  finished(): boolean;
  /** When the next pass is due with no message: Infinity for never, `now` (or earlier) for at once. */
  nextWakeAt(now: number): number;
  /** Continues as new with the state and `unwritten`, the changes taken out and not yet written. */
  continueAsNew(unwritten: Changes | undefined): Promise<never>;
}

/** Sleeps until woken or the instant `at`. */
export type WaitUntil = (woken: () => boolean, at: number, now: number) => Promise<unknown>;

export interface EntityLoopOptions {
  /** Continue as new past this many history events (or when Temporal suggests it). */
  historyLimit: number;
  /** How a pass sleeps; by default a condition whose timer is cancelled when woken first. */
  waitUntil?: WaitUntil;
  /**
   * The patch from which a message handled during a pass wakes the next pass. Before it, this
   * family's loop cleared the flag after its write, so a message handled meanwhile (a write that
   * outlasts most of the task timeout gets its task heartbeated and messages delivered during it)
   * waited for the next timer; histories made then replay that way.
   */
  wakeKeptFrom?: string;
}

/** The default wait: none when woken already or `at` is due; else a condition with a timeout. */
const untilWokenOr: WaitUntil = async (woken, at, now) => {
  if (woken() || at <= now) return;
  if (Number.isFinite(at)) await condition(woken, Math.max(at - Date.now(), 1));
  else await condition(woken);
};

export class EntityLoop<Changes> {
  private woken = false;
  private readonly deliveries: Promise<unknown>[] = [];

  constructor(private readonly options: EntityLoopOptions) {}

  /** For message handlers: the entity changed, so a pass is due now. Returns `result`, the handler's answer. */
  wake<T>(result: T): T;
  wake(): void;
  wake<T>(result?: T): T | undefined {
    this.woken = true;
    return result;
  }

  async run(entity: Entity<Changes>): Promise<void> {
    const { historyLimit, waitUntil = untilWokenOr, wakeKeptFrom } = this.options;
    for (;;) {
      // Cleared before the pass: a message handled while the pass awaits (its write above all) wakes the next one.
      this.woken = false;
      const now = Date.now();
      await entity.pass(now);
      await this.write(entity, entity.takeChanges(now));
      if (entity.finished()) break;
      if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > historyLimit) {
        await this.settle();
        // Messages handled during the write or the wait above are queued, not written: they travel with the state.
        await entity.continueAsNew(entity.takeChanges(Date.now()));
      }
      if (this.woken && wakeKeptFrom && !patched(wakeKeptFrom)) this.woken = false;
      await waitUntil(() => this.woken, entity.nextWakeAt(now), now);
    }
    await this.settle();
  }

  private async write(entity: Entity<Changes>, changes: Changes | undefined): Promise<void> {
    if (!changes) return;
    const { toDeliver } = await entity.record(changes);
    for (const id of toDeliver) this.deliveries.push(deliverNotification({ id }).catch(() => undefined));
  }

  /** Waits for handlers still running and for every delivery started. */
  private async settle(): Promise<void> {
    await condition(allHandlersFinished);
    await Promise.all(this.deliveries);
  }
}
