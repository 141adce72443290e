/**
 * The dashboard's only way to the manager: fetch on the same origin, the legacy envelope
 * unwrapped, every failure turned into an Error whose message is the one the user should read
 * (the envelope's message, or what went wrong on the way). Bounded by a timeout.
 */
const TIMEOUT_MS = 10_000;
/** The pool token, from `?token=` (kept for the tab) — sent as a Bearer header when present. */
function token() {
    const fromUrl = new URLSearchParams(location.search).get('token');
    if (fromUrl)
        sessionStorage.setItem('cachepool-token', fromUrl);
    return fromUrl ?? sessionStorage.getItem('cachepool-token');
}
/**
 * Asks the user for the pool token after a write was refused for the lack of it; the answer is
 * kept for the tab (sessionStorage) and never put in the URL. Null when the user cancels.
 */
function askForToken() {
    const answer = window.prompt('This pool needs its token for changes. Pool token:');
    if (answer === null || answer.trim() === '')
        return null;
    sessionStorage.setItem('cachepool-token', answer.trim());
    return answer.trim();
}
/**
 * Calls `method path` with an optional JSON body; resolves with the envelope's content. A write
 * refused with 401/403 asks for the token once and is retried with it.
 */
export async function call(method, path, body) {
    try {
        return await callOnce(method, path, body);
    }
    catch (error) {
        if (method !== 'GET' && error instanceof AuthError && askForToken() !== null) {
            return callOnce(method, path, body);
        }
        throw error;
    }
}
/** A refusal for a missing or wrong token (401/403). */
class AuthError extends Error {
}
async function callOnce(method, path, body) {
    const headers = { accept: 'application/json' };
    const bearer = token();
    if (bearer)
        headers.authorization = `Bearer ${bearer}`;
    if (body !== undefined)
        headers['content-type'] = 'application/json';
    let response;
    try {
        response = await fetch(path, {
            method,
            headers,
            ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
            signal: AbortSignal.timeout(TIMEOUT_MS),
        });
    }
    catch (error) {
        const reason = error instanceof Error && error.name === 'TimeoutError'
            ? 'timed out'
            : 'could not reach the manager';
        throw new Error(`${method} ${path}: ${reason}`);
    }
    let parsed;
    try {
        parsed = await response.json();
    }
    catch {
        throw new Error(`${method} ${path}: HTTP ${response.status}, not a JSON answer`);
    }
    const envelope = parsed;
    if (envelope.success === 'true' && response.ok)
        return envelope.content;
    const message = envelope.error?.message ?? `HTTP ${response.status}`;
    throw response.status === 401 || response.status === 403
        ? new AuthError(message)
        : new Error(message);
}
//# sourceMappingURL=api.js.map