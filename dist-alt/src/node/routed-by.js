import { errors } from '../errors.js';
import { ROUTED_BY_HEADER } from '../partition/index.js';
export { ROUTED_BY_HEADER };
/**
 * The version the request was routed by; undefined without the header; 400 when malformed. Takes
 * a Fastify request or a raw one (the node's fast path).
 */
export function routedByOf(request) {
    const value = request.headers[ROUTED_BY_HEADER];
    if (value === undefined)
        return undefined;
    const version = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(version))
        throw errors.invalid(`${ROUTED_BY_HEADER} must be an integer >= 0, got ${JSON.stringify(value)}`);
    return version;
}
//# sourceMappingURL=routed-by.js.map