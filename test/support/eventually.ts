/**
 * Reads until `ok` holds and returns that value: the one way tests (and the bench) wait for work
 * done elsewhere — a workflow, the worker, a server coming back. A read that throws is tried again.
 * When time is up it throws, naming `what` and the last value (through `show`) or error.
 */
export async function eventually<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  options: { what?: string; timeoutMs?: number; intervalMs?: number; show?: (value: T) => unknown; onValue?: (value: T) => void } = {},
): Promise<T> {
  const { what = 'condition', timeoutMs = 20_000, intervalMs = 200, show = (value: T) => value, onValue } = options;
  const deadline = Date.now() + timeoutMs;
  let last: { value: T } | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await read();
      last = { value };
      onValue?.(value);
      if (ok(value)) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const seen = last ? `last: ${JSON.stringify(show(last.value))}` : 'no value read';
  throw new Error(`${what}: not reached in ${timeoutMs / 1000} s (${seen}${lastError ? `; last error: ${lastError}` : ''})`);
}

/** The response once a request answers 200: a workflow that has started answers its query. */
export function answered<R extends { status: number }>(request: () => Promise<R>, what: string, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<R> {
  return eventually(request, (response) => response.status === 200, { what, show: (response) => response.status, ...options });
}
