/**
 * A pool node refuses a write or a removal with CP_ERR_NODE_VERIFYING for a moment after its
 * process stood still, while it asks its manager whether it is still a member
 * (src/node/stall-guard.ts); nothing changed on it. A router — the gateway, the client — sends
 * such a request again after VERIFYING_WAIT_MS, VERIFYING_RETRIES times at most, so that a pause
 * of a node costs its callers a short delay rather than a failed write; past that, the refusal
 * is answered as it came. Reads never see it: a verifying node answers them as misses.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ErrorCode } from '../errors.js';

/** The code of the refusal that is sent again. */
export const VERIFYING_CODE: ErrorCode = 'CP_ERR_NODE_VERIFYING';
/** Wait before each new try, in ms. */
export const VERIFYING_WAIT_MS = 50;
/** New tries at most (about a second in all: a node's check takes one call to its manager). */
export const VERIFYING_RETRIES = 20;

/** Sends with `send` until the answer is not a verifying node's refusal, or the tries run out. */
export async function sendUntilVerified<T extends { errorCode?: ErrorCode | undefined }>(
  first: T,
  send: () => Promise<T>,
): Promise<T> {
  let answer = first;
  for (
    let attempt = 0;
    answer.errorCode === VERIFYING_CODE && attempt < VERIFYING_RETRIES;
    attempt++
  ) {
    await sleep(VERIFYING_WAIT_MS);
    answer = await send();
  }
  return answer;
}
