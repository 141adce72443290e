/**
 * What every benchmark returns: table rows. `bench/index.ts` prints them as one markdown table,
 * so a new benchmark (rebalance, gateway) only has to return rows of this shape.
 */
export {};
//# sourceMappingURL=row.js.map