/** Display helpers: bytes, percentages, times. */

/** `1.5 MB`, `812 B`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** `42.0 %`, or `–` without a value. */
export function formatPercent(rate: number | null | undefined): string {
  return rate === null || rate === undefined || !Number.isFinite(rate)
    ? '–'
    : `${(rate * 100).toFixed(1)} %`;
}

/** `08:15:02` in local time. */
export function formatTime(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour12: false });
}

/** Escapes text for innerHTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
