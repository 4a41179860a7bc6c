/** An optional epoch-millisecond instant as a database value. */
export function dateOrNull(at: number | undefined): Date | null {
  return at === undefined ? null : new Date(at);
}

/** `promise`, or a rejection naming `what` once `ms` have passed without its answer (it goes on meanwhile). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms).unref())]);
}
