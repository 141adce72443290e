/** Runs test work over a list with bounded concurrency. */
/**
 * Runs `work` on every item of `items`, at most `width` at a time, in list order; rejects with
 * the first failure (the other workers finish the item they are on).
 */
export async function inParallel(items, width, work) {
    let next = 0;
    await Promise.all(Array.from({ length: width }, async () => {
        while (next < items.length)
            await work(items[next++]);
    }));
}
//# sourceMappingURL=parallel.js.map