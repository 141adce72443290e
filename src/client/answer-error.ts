/**
 * Turns a node's or gateway's failure answer back into the error it stands for: a `/v1` error
 * body `{"error":{"code","status","message"}}` becomes a CachePoolError with that code, status
 * and message (errors.remote); any other answer becomes CP_ERR_NODE_UNREACHABLE naming the node,
 * the call and the start of the answer.
 */
import { defaults } from '../defaults.js';
import { errors, type CachePoolError, type ErrorCode } from '../errors.js';
import type { Upstream } from '../pool/upstreams.js';

/** The error of a failure `answer` from `address` to `what` (e.g. `PUT /v1/keys/…`). */
export function errorOfAnswer(address: string, what: string, answer: Upstream): CachePoolError {
  try {
    const { error } = JSON.parse(answer.body.toString('utf8')) as {
      error?: { code?: unknown; status?: unknown; message?: unknown };
    };
    if (
      typeof error?.code === 'string' &&
      error.code.startsWith('CP_ERR_') &&
      typeof error.message === 'string'
    )
      return errors.remote(error.code as ErrorCode, answer.statusCode, error.message);
  } catch {
    // not a /v1 error body: described below
  }
  const excerpt = answer.body.toString('utf8', 0, defaults.answerExcerptChars);
  return errors.nodeRefused(address, what, excerpt, answer);
}
