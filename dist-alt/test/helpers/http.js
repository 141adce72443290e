/**
 * Small HTTP helpers for tests: send form, JSON, multipart or raw bodies and read
 * `{status, headers, text, json}`; call an API in its envelope; poll until a condition holds.
 * Every call is bounded by a timeout (default 10 s; 60 s for `call`, made for resizes).
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { request } from 'undici';
/** Sends one request and reads the whole answer. */
export async function send(url, options = {}) {
    const response = await fetch(url, {
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        body: options.body ?? null,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    const body = Buffer.from(await response.arrayBuffer());
    const text = body.toString('utf8');
    let json;
    try {
        json = JSON.parse(text);
    }
    catch {
        json = undefined;
    }
    return { status: response.status, headers: response.headers, text, body, json };
}
/** application/x-www-form-urlencoded, like Python `requests` with `data=`. */
export function postForm(url, fields, options = {}) {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(fields))
        params.append(name, String(value));
    return send(url, {
        method: 'POST',
        ...options,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
        body: params.toString(),
    });
}
/** A JSON body (any JSON value). */
export function postJson(url, value, options = {}) {
    return send(url, {
        method: 'POST',
        ...options,
        headers: { 'content-type': 'application/json', ...options.headers },
        body: JSON.stringify(value),
    });
}
/** multipart/form-data with one field per entry. */
export function postMultipart(url, fields, options = {}) {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields))
        form.append(name, String(value));
    return send(url, { method: 'POST', ...options, body: form });
}
/**
 * A multipart/form-data body as text with a fixed boundary, one field per entry: for tests that
 * must send the same bytes twice (e.g. a fast path against the Fastify route).
 */
export function multipartBody(fields) {
    const boundary = 'XyZboundary42';
    const parts = Object.entries(fields).map(([name, value]) => `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
    return {
        type: `multipart/form-data; boundary=${boundary}`,
        body: `${parts.join('')}--${boundary}--\r\n`,
    };
}
/** The three encodings that every legacy endpoint accepts, by name. */
export const encodings = {
    form: postForm,
    json: postJson,
    multipart: postMultipart,
};
/**
 * Calls `method url` with `body` as JSON (no body when undefined) and parses the envelope it
 * answers; fails when the answer is not JSON. Bounded by `timeoutMs` (default 60 s: a resize
 * answers once its keys have moved).
 */
export async function call(method, url, body, timeoutMs = 60_000) {
    const answer = await request(url, {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: answer.statusCode, json: JSON.parse(await answer.body.text()) };
}
/**
 * Like `call`, with `fields` as a form body (application/x-www-form-urlencoded), as the
 * original clients send it. Bounded by `timeoutMs` (default 15 s).
 */
export async function callForm(method, url, fields, timeoutMs = 15_000) {
    const answer = await request(url, {
        method,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
        signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: answer.statusCode, json: JSON.parse(await answer.body.text()) };
}
/**
 * GETs `url` and returns the `content` of its envelope; fails unless the answer is a 200 with
 * `success: 'true'`.
 */
export async function content(url, options = {}) {
    const answer = await send(url, options);
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.json?.success, 'true', `${url} answered ${answer.text}`);
    return answer.json.content;
}
/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function pollUntil(check, timeoutMs = 10_000, everyMs = 25) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await check();
        if (value !== undefined)
            return value;
        if (Date.now() > deadline)
            throw new Error(`condition not met within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
}
/**
 * Polls `check` until it returns true; fails with "timed out waiting until <what>" after
 * `timeoutMs` (default 20 s).
 */
export async function until(what, check, timeoutMs = 20_000, everyMs = 20) {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
        if (Date.now() > deadline)
            throw new Error(`timed out waiting until ${what}`);
        await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
}
/**
 * How many bytes of ArrayBuffer memory this process holds more while `count` clients each
 * announce a form POST to `path` of `announcedBytes` and send only `sent`: opens the connections,
 * lets the server read what arrived, measures, then closes them. For in-process servers.
 */
export async function heldForAnnouncedBodies(port, path, sent, count = 8, announcedBytes = 32 * 1024 * 1024) {
    const before = process.memoryUsage().arrayBuffers;
    const sockets = await Promise.all(Array.from({ length: count }, () => new Promise((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => {
            socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\n` +
                'Content-Type: application/x-www-form-urlencoded\r\n' +
                `Content-Length: ${announcedBytes}\r\n\r\n${sent}`, () => resolve(socket));
        });
        socket.setTimeout(10_000, () => socket.destroy(new Error('timed out')));
        socket.on('error', reject);
    })));
    // Give the server a moment to read what was sent (it is tiny), then look.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const grown = process.memoryUsage().arrayBuffers - before;
    for (const socket of sockets)
        socket.destroy();
    return grown;
}
//# sourceMappingURL=http.js.map