/** Display helpers: bytes, counts, percentages, times. */
/** `1.5 MB`, `812 B`. */
export function formatBytes(bytes) {
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit++;
    }
    return `${unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
/** `812`, `15K`, `1.2M`: short enough for an axis label. */
export function formatCount(value) {
    return Math.abs(value) < 1000 ? String(Math.round(value * 100) / 100) : compact.format(value);
}
/** `42.0 %`, or `–` without a value. */
export function formatPercent(rate) {
    return rate === null || rate === undefined || !Number.isFinite(rate)
        ? '–'
        : `${(rate * 100).toFixed(1)} %`;
}
/** `08:15:02` in local time. */
export function formatTime(ms) {
    return new Date(ms).toLocaleTimeString([], { hour12: false });
}
/** Escapes text for innerHTML. */
export function escapeHtml(text) {
    return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
//# sourceMappingURL=format.js.map