import { condition, sleep } from '@temporalio/workflow';

/**
 * Waits until `ready()` holds or the clock reaches `at`, without ever cancelling a timer: one timer
 * per instant, left to fire. `condition(fn, timeout)` cancels its timer when `fn` wins, and a
 * cancel that races the timer firing in the same task is rejected by Temporal's time-skipping test
 * server, which then stalls the workflow. A timer firing after it is no longer needed only wakes a pass.
 */
export function alarmClock(): (ready: () => boolean, at: number) => Promise<void> {
  const timers = new Map<number, Promise<void>>();
  return async (ready, at) => {
    if (!Number.isFinite(at)) return condition(ready);
    let timer = timers.get(at);
    if (!timer) {
      timer = sleep(Math.max(at - Date.now(), 1)).then(() => void timers.delete(at));
      timers.set(at, timer);
    }
    let rang = false;
    void timer.then(() => (rang = true));
    await condition(() => rang || ready());
  };
}
