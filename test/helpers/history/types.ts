/**
 * The shapes of a recorded history: operations with their invocation and completion times (one
 * monotonic clock, in ms), the windows in which a node's data may be lost, and the violations the
 * checker reports. Plain data only: a history can be printed, saved and checked again.
 */

/** What an operation did: a put, a get, a delete of one key, or a clear of the whole pool. */
export type OperationKind = 'put' | 'get' | 'delete' | 'clear';

/**
 * How an operation ended. `ok`: acknowledged (a get: a hit). `miss`: a get that found nothing.
 * `error`: an answer that is neither (a write may or may not have taken effect). `timeout`: no
 * answer within the client's timeout (a write may still take effect later).
 */
export type Outcome = 'ok' | 'miss' | 'error' | 'timeout';

/** One operation of the history. */
export interface Operation {
  /** Position in the history (unique). */
  id: number;
  /** The client that ran it (operations of one client never overlap). */
  client: string;
  kind: OperationKind;
  /** The key; '' for a clear. */
  key: string;
  /** A put: the value written. A get that hit: the value read. Otherwise undefined. */
  value?: string | undefined;
  /** When the client sent it, in ms of the history's clock. */
  invokedAt: number;
  /** When the client saw its answer (or gave up on it), in ms of the same clock. */
  completedAt: number;
  outcome: Outcome;
  /** For `error` and `timeout`: what the client saw. */
  error?: string | undefined;
}

/**
 * Keys of `partitions` may be lost at any moment between `from` and `to` (ms of the history's
 * clock): the node holding them was killed, or declared dead, in that time. A miss of such a key
 * is allowed when the loss could have come after its last acknowledged write; a loss never
 * brings an older value back.
 */
export interface LossWindow {
  partitions: readonly number[];
  from: number;
  to: number;
  /** Why: the fault, the node, for the report. */
  reason: string;
}

/**
 * The kinds of violation:
 * - `stale-read`: a get returned a value older than a put acknowledged (or seen by a read that
 *   ended) before the get began;
 * - `resurrected-delete`: a get returned a value written before an acknowledged delete (or clear)
 *   began, and that delete was acknowledged before the get began;
 * - `never-written`: a get returned a value no put of that key wrote before the get ended;
 * - `lost-write`: a get missed a key whose last acknowledged put no delete, clear or loss window
 *   can explain;
 * - `read-error`: a get failed or timed out (a read must miss, never fail).
 */
export type ViolationKind =
  'stale-read' | 'resurrected-delete' | 'never-written' | 'lost-write' | 'read-error';

export const violationKinds: readonly ViolationKind[] = [
  'stale-read',
  'resurrected-delete',
  'never-written',
  'lost-write',
  'read-error',
];

/** One violation: the read at fault and the operations that make it one. */
export interface Violation {
  kind: ViolationKind;
  read: Operation;
  /** The writes (or deletes) involved: the value's put, the later acknowledged operation. */
  involved: Operation[];
  message: string;
}
