/**
 * Limits of a node that src/defaults.ts does not hold yet (they belong there; see docs/security.md):
 * concurrent move_keys calls and how long the pool's member list is trusted. The value-size
 * limit defaults to the body limit, so it has no constant of its own.
 */
import { errors, RequestError } from '../errors.js';

/** Node limits beyond src/defaults.ts. */
export const nodeLimitDefaults = {
  /** move_keys calls one node runs at once; one more is refused with 409 "busy, retry". */
  moveConcurrency: 2,
  /** How long a fetched pool member list is used before it is fetched again, in ms. */
  membersTtlMs: 2_000,
} as const;

/** A value over `--max-value-bytes`: 413 on /v1, 400 in the legacy envelope. */
export function valueOverLimit(bytes: number, maxBytes: number): RequestError {
  return new RequestError('CP_ERR_VALUE_TOO_LARGE', 413, `value is ${bytes} bytes, the limit is ${maxBytes} bytes (--max-value-bytes)`);
}

/** A move_keys call beyond the concurrency limit: 409 on the status line of the catalogue. */
export function moveBusy(running: number): RequestError {
  return new RequestError(
    'CP_ERR_POOL_BUSY',
    409,
    `busy: this node is already running ${running} move_keys calls (the limit); retry when one has finished`,
  );
}

/** A move_keys call listing more keys than `--move-max-keys`. */
export function tooManyMoveKeys(count: number, max: number): RequestError {
  return errors.invalid(`move_keys lists ${count} keys, the limit is ${max} (--move-max-keys)`);
}
