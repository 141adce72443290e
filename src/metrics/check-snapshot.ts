/**
 * The check a pushed node snapshot passes before the metrics store keeps it: the fields the store
 * relies on are present and plausible. Pure; an outcome, never an exception.
 */

/** Outcome of `MetricsStore.record` and of `checkSnapshot`. */
export type RecordOutcome = { ok: true } | { ok: false; message: string };

const COUNTERS = ['requestsTotal', 'getRequestsTotal', 'hitsTotal', 'missesTotal'] as const;
const GAUGES = ['cacheIndex', 'startedAtMs', 'items', 'usedBytes', 'capacityBytes'] as const;

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** Checks the fields of a pushed snapshot that the store relies on; the message names the field. */
export function checkSnapshot(value: unknown): RecordOutcome {
  if (typeof value !== 'object' || value === null)
    return { ok: false, message: 'snapshot must be a JSON object' };
  const s = value as Record<string, unknown>;
  if (typeof s.address !== 'string' || s.address.length === 0 || s.address.length > 300) {
    return { ok: false, message: 'snapshot.address must be a non-empty "host:port" string' };
  }
  for (const field of [...COUNTERS, ...GAUGES]) {
    if (!isCount(s[field]))
      return { ok: false, message: `snapshot.${field} must be a number >= 0` };
  }
  return { ok: true };
}
