import { Context } from '@temporalio/activity';

/**
 * Runs an activity's work while heartbeating every `everyMs`. An attempt the server loses track of
 * (the worker killed, or its answer lost while the server restarted) then times out after the
 * activity's heartbeat timeout instead of its whole start-to-close timeout.
 */
export async function heartbeating<T>(work: () => Promise<T>, everyMs = 5_000): Promise<T> {
  const context = Context.current();
  context.heartbeat();
  const timer = setInterval(() => context.heartbeat(), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
