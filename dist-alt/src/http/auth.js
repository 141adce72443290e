/**
 * The pool token (`--token`). When a token is configured, control endpoints require
 * `Authorization: Bearer <token>`: none → 401, a wrong one → 403, both in the API's error shape.
 * Tokens are compared in constant time (over SHA-256 digests, so lengths do not leak either).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { errors } from '../errors.js';
/** Header value that carries `token`, for clients (node → node, node → manager). */
export function bearer(token) {
    return `Bearer ${token}`;
}
/** True when `presented` equals `token`, in constant time. */
export function tokenMatches(token, presented) {
    const a = createHash('sha256').update(token, 'utf8').digest();
    const b = createHash('sha256').update(presented, 'utf8').digest();
    return timingSafeEqual(a, b);
}
/**
 * A hook that checks the bearer token; with no token configured (undefined or empty) it lets
 * every request through. It throws the catalogue's RequestError, which the error handler renders.
 * Used as `onRequest`, a request without the token is refused before its body is read or parsed,
 * so an unauthenticated client learns nothing from body errors and costs no parsing.
 */
export function requireToken(token) {
    if (!token) {
        return function open(_request, _reply, done) {
            done();
        };
    }
    return function checkToken(request, _reply, done) {
        const header = request.headers.authorization;
        if (!header)
            return done(errors.authRequired());
        const match = /^Bearer\s+(.+)$/i.exec(header.trim());
        if (!match || !tokenMatches(token, match[1]))
            return done(errors.authForbidden());
        done();
    };
}
//# sourceMappingURL=auth.js.map