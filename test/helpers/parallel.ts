/** Runs test work over a list with bounded concurrency. */

/**
 * Runs `work` on every item of `items`, at most `width` at a time, in list order; rejects with
 * the first failure (the other workers finish the item they are on).
 */
export async function inParallel<T>(
  items: readonly T[],
  width: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}
