/**
 * Activities held open until a test lets them go, so a test can act while a workflow waits on one
 * (a local activity's write, a delivery) without sleeping: the test worker is built with `interceptors`,
 * and `hold` arms a hold on the calls it matches.
 */
import type { WorkerInterceptors } from '@temporalio/worker';

export interface Hold {
  /** Resolves when the first matching call has started and is held. */
  started: Promise<void>;
  /** Lets every held call (and any later one) run. */
  release(): void;
}

export class ActivityHolds {
  private readonly armed: Array<{ matches: (activityType: string, args: unknown[]) => boolean; once: boolean; taken: boolean; opened: Promise<void>; start: () => void }> = [];

  readonly interceptors: WorkerInterceptors = {
    activity: [
      (ctx) => ({
        inbound: {
          execute: async (input, next) => {
            const hold = this.armed.find((h) => !(h.once && h.taken) && h.matches(ctx.info.activityType, input.args));
            if (hold) {
              hold.taken = true;
              hold.start();
              await hold.opened;
            }
            return next(input);
          },
        },
      }),
    ],
  };

  /**
   * Holds the first call that `matches` (`every`: every one) until released. A local activity needs
   * `every`: a workflow task that fails (the test server refuses a task's heartbeat once a message
   * came during it) replays the workflow, which runs its pending local activity again.
   */
  hold(matches: (activityType: string, args: unknown[]) => boolean, options: { every?: boolean } = {}): Hold {
    let start!: () => void;
    let open!: () => void;
    const started = new Promise<void>((resolve) => (start = resolve));
    const opened = new Promise<void>((resolve) => (open = resolve));
    const hold = { matches, once: !options.every, taken: false, opened, start };
    this.armed.push(hold);
    return {
      started,
      release: () => {
        // Released once, however often called (a test releases again in its finally).
        const at = this.armed.indexOf(hold);
        if (at >= 0) this.armed.splice(at, 1);
        open();
      },
    };
  }
}
