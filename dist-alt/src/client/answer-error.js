/**
 * Turns a node's or gateway's failure answer back into the error it stands for: a `/v1` error
 * body `{"error":{"code","status","message"}}` becomes a CachePoolError with that code, status
 * and message (errors.remote); any other answer becomes CP_ERR_NODE_UNREACHABLE naming the node,
 * the call and the start of the answer.
 */
import { defaults } from '../defaults.js';
import { errors } from '../errors.js';
/** The error of a failure `answer` from `address` to `what` (e.g. `PUT /v1/keys/…`). */
export function errorOfAnswer(address, what, answer) {
    try {
        const { error } = JSON.parse(answer.body.toString('utf8'));
        if (typeof error?.code === 'string' &&
            error.code.startsWith('CP_ERR_') &&
            typeof error.message === 'string')
            return errors.remote(error.code, answer.statusCode, error.message);
    }
    catch {
        // not a /v1 error body: described below
    }
    const excerpt = answer.body.toString('utf8', 0, defaults.answerExcerptChars);
    return errors.nodeRefused(address, what, answer.statusCode, excerpt, answer);
}
//# sourceMappingURL=answer-error.js.map