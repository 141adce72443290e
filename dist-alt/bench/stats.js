/** Small helpers for benchmark figures: medians and human-readable numbers. */
/** The median of `values` (the mean of the two middle ones for an even count); NaN when empty. */
export function median(values) {
    if (values.length === 0)
        return Number.NaN;
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
/** `12.3 M`, `45.6 k`, `789`: three significant digits with a metric suffix. */
export function formatCount(value) {
    if (!Number.isFinite(value))
        return String(value);
    if (Math.abs(value) >= 1e6)
        return `${(value / 1e6).toPrecision(3)} M`;
    if (Math.abs(value) >= 1e3)
        return `${(value / 1e3).toPrecision(3)} k`;
    return value.toPrecision(3);
}
/** `1.23×`. */
export function formatRatio(value) {
    return value === undefined || !Number.isFinite(value) ? '' : `${value.toFixed(2)}×`;
}
/** `12.3%`. */
export function formatPercent(fraction) {
    return `${(fraction * 100).toFixed(1)}%`;
}
//# sourceMappingURL=stats.js.map