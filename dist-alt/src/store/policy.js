/**
 * The eviction-policy contract. A policy tracks slots only — small integers that the store hands
 * out, one per live entry — while the store owns keys, values and bytes. Working on slots rather
 * than keys keeps every operation O(1) without a second hash lookup per request: the store's
 * Map already resolved the key.
 */
/** Doubles an Int32Array until it can index `slot`, keeping its contents. */
export function growInt32(array, slot, fill = -1) {
    if (slot < array.length)
        return array;
    let length = Math.max(16, array.length);
    while (length <= slot)
        length *= 2;
    const grown = new Int32Array(length).fill(fill);
    grown.set(array);
    return grown;
}
//# sourceMappingURL=policy.js.map