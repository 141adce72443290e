/** Codes that keep their own status on the legacy API; every other error answers 400. */
const keepsStatus = new Set([
    'CP_ERR_ROUTE_NOT_FOUND',
    'CP_ERR_METHOD_NOT_ALLOWED',
    'CP_ERR_AUTH_REQUIRED',
    'CP_ERR_AUTH_FORBIDDEN',
    'CP_ERR_REQUEST_BODY_TOO_LARGE',
    // A busy manager: 409 tells a client to retry the same request later, which a 400 does not.
    'CP_ERR_POOL_BUSY',
    'CP_ERR_INTERNAL',
]);
/** `{"success":"true","content":content}`. */
export function success(content) {
    return { success: 'true', content };
}
/** `{"success":"false","error":{"code":status,"message":message}}`. */
export function failure(status, message) {
    return { success: 'false', error: { code: status, message } };
}
/** The status a legacy endpoint sends for `error`: 400, unless the code is protocol-level. */
export function legacyStatus(error) {
    return keepsStatus.has(error.code) ? error.statusCode : 400;
}
/** Sends a success envelope (status 200). */
export function sendSuccess(reply, content) {
    return reply.code(200).type('application/json; charset=utf-8').send(success(content));
}
/** Sends `error` in the legacy envelope with its legacy status (and the error's headers). */
export function sendLegacyError(reply, error) {
    const status = legacyStatus(error);
    return reply
        .headers(error.headers)
        .code(status)
        .type('application/json; charset=utf-8')
        .send(failure(status, error.message));
}
/** Sends `error` as a /v1 error with the catalogue's status (and the error's headers). */
export function sendV1Error(reply, error) {
    const body = {
        error: { code: error.code, status: error.statusCode, message: error.message },
    };
    return reply
        .headers(error.headers)
        .code(error.statusCode)
        .type('application/json; charset=utf-8')
        .send(body);
}
//# sourceMappingURL=envelope.js.map