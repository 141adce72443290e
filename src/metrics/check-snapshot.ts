/**
 * The one check a pushed node snapshot passes before the manager uses it (the stats route
 * refuses it with a 400 naming the field; the metrics store records only what passes): every
 * field the snapshot's schema requires (src/wire/snapshot.ts) is present and in the range the
 * schema gives — counts and counters are non-negative safe integers, times are within the range
 * of a Date, rates and the utilization are in [0, 1] — so that no absurd figure
 * (`items: 1e300`) reaches the dashboard, `/metrics` or the auto-scaler. Pure; an outcome, never
 * an exception.
 */
import { isNodeId } from '../partition/index.js';
import {
  nodeSnapshotSchema,
  snapshotCountSchema,
  snapshotFractionSchema,
  snapshotTimeSchema,
} from '../wire/index.js';

/** Outcome of `MetricsStore.record` and of `checkSnapshot`. */
export type RecordOutcome = { ok: true } | { ok: false; message: string };

/** A numeric field's rule as its schema states it. */
interface Range {
  readonly type: 'integer' | 'number';
  readonly minimum: number;
  readonly maximum: number;
}

const { properties, required } = nodeSnapshotSchema;

/** The required fields whose schema is `range` (same type and bounds), in the schema's order. */
function fieldsIn(range: Range): readonly (typeof required)[number][] {
  return required.filter((field) => {
    const schema: { type?: string; minimum?: number; maximum?: number } = properties[field];
    return (
      schema.type === range.type &&
      schema.minimum === range.minimum &&
      schema.maximum === range.maximum
    );
  });
}

/** Counts and monotonic counters: non-negative safe integers. */
const COUNTS = fieldsIn(snapshotCountSchema);
/** Times in ms since the epoch. */
const TIMES = fieldsIn(snapshotTimeSchema);
/** Fractions in [0, 1]. */
const FRACTIONS = fieldsIn(snapshotFractionSchema);
/** The legacy, resettable figures (the `legacy` object): counts too. */
const LEGACY = properties.legacy.required;
const { minLength: MIN_POLICY_CHARS, maxLength: MAX_POLICY_CHARS } = properties.policy;

function isWithin(value: unknown, range: Range): boolean {
  return (
    typeof value === 'number' &&
    (range.type === 'number' || Number.isInteger(value)) &&
    value >= range.minimum &&
    value <= range.maximum
  );
}

const refused = (message: string): RecordOutcome => ({ ok: false, message });

/**
 * Checks a pushed snapshot against the shape a node sends; the message names the first field
 * that fails and its rule, e.g. `snapshot.items must be an integer >= 0`.
 */
export function checkSnapshot(value: unknown): RecordOutcome {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return refused('snapshot must be a JSON object');
  const s = value as Record<string, unknown>;
  if (!isNodeId(s.address)) return refused('snapshot.address must be "host:port"');
  for (const field of COUNTS)
    if (!isWithin(s[field], snapshotCountSchema))
      return refused(`snapshot.${field} must be an integer >= 0`);
  for (const field of TIMES)
    if (!isWithin(s[field], snapshotTimeSchema))
      return refused(`snapshot.${field} must be a time in ms since the epoch (a number >= 0)`);
  for (const field of FRACTIONS)
    if (!isWithin(s[field], snapshotFractionSchema))
      return refused(`snapshot.${field} must be a number in [0, 1]`);
  if (
    typeof s.policy !== 'string' ||
    s.policy.length < MIN_POLICY_CHARS ||
    s.policy.length > MAX_POLICY_CHARS
  )
    return refused(
      `snapshot.policy must be a policy name (${MIN_POLICY_CHARS} to ${MAX_POLICY_CHARS} characters)`,
    );
  const legacy = s.legacy;
  if (typeof legacy !== 'object' || legacy === null)
    return refused('snapshot.legacy must be an object of the legacy figures');
  for (const field of LEGACY)
    if (!isWithin((legacy as Record<string, unknown>)[field], snapshotCountSchema))
      return refused(`snapshot.legacy.${field} must be an integer >= 0`);
  return { ok: true };
}
