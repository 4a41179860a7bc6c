/** Calls `each` for every item, at most `limit` at a time; rejects with the first failure after all have settled. */
export async function inParallel<T>(items: readonly T[], limit: number, each: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++];
        await each(item).catch((error: unknown) => failures.push(error));
      }
    }),
  );
  if (failures.length) throw failures[0];
}
