/**
 * Request generators and a runner for the HTTP fuzz tests (fuzz-node, fuzz-pool): fast-check
 * arbitraries for methods, paths (the real ones and nonsense), query strings, content types,
 * bodies in every encoding (form, JSON, multipart, batch, raw), truncated or corrupted, huge and
 * unicode keys, wrong field types and wrong tokens; and a runner that sends generated batches
 * with undici at bounded concurrency, within a time bound, and checks every answer.
 */
import fc from 'fast-check';
import { Client, Pool } from 'undici';
import { encodeBatch } from '../../src/node/index.js';
/** Keys the fuzz may use: anything but the reserved prefix under which a test keeps its own data. */
export const RESERVED_PREFIX = 'seed-';
const unicodeText = fc.string({ unit: 'binary', maxLength: 40 });
const keyArb = fc
    .oneof(fc.string({ maxLength: 20 }), unicodeText, fc.constantFrom('', ' ', '%', '../../etc/passwd', 'a/b/c', '__proto__', 'constructor', '\u0000', '🙂'.repeat(300)), fc.integer({ min: 1000, max: 5000 }).map((n) => 'k'.repeat(n)), fc.integer({ min: 300, max: 600 }).map((n) => 'é'.repeat(n)))
    .filter((k) => !k.startsWith(RESERVED_PREFIX));
const scalarArb = fc.oneof(unicodeText, fc.string({ maxLength: 8 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom('-1', '1e309', '0x10', 'NaN', 'lru', 'rr', 'increase', '{"a":', '[]'), fc.integer({ min: 1, max: 12_000 }).map((n) => 'v'.repeat(n)));
const valueArb = fc.oneof({ weight: 5, arbitrary: scalarArb }, { weight: 1, arbitrary: fc.array(scalarArb, { maxLength: 4 }) }, { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), scalarArb, { maxKeys: 3 }) }, {
    weight: 1,
    arbitrary: fc.dictionary(fc.oneof(fc.constantFrom('127.0.0.1:1', 'localhost', 'http://127.0.0.1:9', 'ftp://x', '[::1]:5', '198.51.100.1:5001'), fc.string({ maxLength: 10 })), fc.oneof(fc.array(keyArb, { maxLength: 3 }), scalarArb), { maxKeys: 2 }),
});
const fieldNames = [
    'key',
    'value',
    'dest',
    'manager',
    'port',
    'cache_ip',
    'capacity',
    'replacement_policy',
    'policy',
    'cache_index',
    'num_hit',
    'migration',
    'change',
    'id',
    'partitions',
    'address',
    'minutes',
];
const fieldsArb = fc.dictionary(fc.oneof(fc.constantFrom(...fieldNames), fc.string({ maxLength: 6 })), fc.oneof(keyArb, valueArb), { maxKeys: 5 });
const text = (value) => typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
function formBody(fields) {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) {
        if (Array.isArray(value))
            for (const v of value)
                params.append(name, text(v));
        else
            params.append(name, text(value));
    }
    return Buffer.from(params.toString());
}
function multipartBody(fields, boundary, asFiles) {
    let out = '';
    for (const [name, value] of Object.entries(fields)) {
        const disposition = asFiles
            ? `form-data; name="${name}"; filename="f.txt"`
            : `form-data; name="${name}"`;
        out += `--${boundary}\r\nContent-Disposition: ${disposition}\r\n\r\n${text(value)}\r\n`;
    }
    return Buffer.from(`${out}--${boundary}--\r\n`);
}
const bodyKindArb = fc.constantFrom('none', 'form', 'json', 'json-raw', 'multipart', 'multipart-files', 'batch', 'bytes', 'nested');
const deepJson = fc
    .integer({ min: 1, max: 50_000 })
    .chain((depth) => fc
    .constantFrom('[', '{"__proto__":', '{"a":', '{"constructor":{"prototype":')
    .map((open) => open.repeat(Math.min(depth, 20_000))));
/** A body and its natural content type. */
const bodyArb = fc
    .tuple(bodyKindArb, fieldsArb, fc.array(fc.record({
    key: keyArb,
    type: fc.string({ maxLength: 10 }),
    value: fc.uint8Array({ maxLength: 64 }),
}), { maxLength: 3 }), fc.uint8Array({ maxLength: 256 }), deepJson, fc.constantFrom('B0undary', 'x', '----a b', ''))
    .map(([kind, fields, records, bytes, deep, boundary]) => {
    switch (kind) {
        case 'none':
            return { body: undefined, type: undefined };
        case 'form':
            return { body: formBody(fields), type: 'application/x-www-form-urlencoded' };
        case 'json':
            return { body: Buffer.from(JSON.stringify(fields)), type: 'application/json' };
        case 'json-raw':
            return {
                body: Buffer.from(text(Object.values(fields)[0] ?? null)),
                type: 'application/json',
            };
        case 'multipart':
            return {
                body: multipartBody(fields, boundary || 'b', false),
                type: `multipart/form-data; boundary=${boundary}`,
            };
        case 'multipart-files':
            return {
                body: multipartBody(fields, boundary || 'b', true),
                type: `multipart/form-data; boundary=${boundary}`,
            };
        case 'batch':
            return {
                body: encodeBatch(records.map((r) => ({ key: r.key, type: r.type, value: Buffer.from(r.value) }))),
                type: 'application/x-cachepool-batch',
            };
        case 'nested':
            return { body: Buffer.from(deep), type: 'application/json' };
        default:
            return { body: Buffer.from(bytes), type: 'application/octet-stream' };
    }
});
const contentTypeArb = fc.oneof({ weight: 6, arbitrary: fc.constant('natural') }, {
    weight: 2,
    arbitrary: fc.constantFrom(undefined, 'application/json', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded', 'multipart/form-data', 'multipart/form-data; boundary=', 'application/x-cachepool-batch', 'text/plain', 'image/png', '*/*', 'garbage', 'application/json\t; x=y'),
});
/** Query strings: none, generated fields, and malformed ones. */
const queryArb = fc.oneof(fc.constant(''), fc
    .dictionary(fc.constantFrom('key', 'minutes', 'migration', 'key[]', '__proto__', 'a'), fc.oneof(keyArb, fc.string({ maxLength: 5 })), { maxKeys: 3 })
    .map((q) => `?${new URLSearchParams(q).toString()}`), fc.constantFrom('?%zz', '?key=%E0%A4%A', '?&&&=', '?key=a&key=b', '?' + 'x=1&'.repeat(2_000), '?minutes=-5', '?minutes=1e99'));
/** Builds a path generator from the real routes of the target and a `/v1/keys/<key>` form. */
export function pathArb(realPaths) {
    const encodedKey = keyArb.map((k) => encodeURIComponent(k));
    const path = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...realPaths) }, { weight: 3, arbitrary: encodedKey.map((k) => `/v1/keys/${k}`) }, {
        weight: 1,
        arbitrary: fc.constantFrom('/v1/keys/%', '/v1/keys/%E0%A4%A', '/%2e%2e/%2e%2e', '//', '/api//cache', '/v1/keys/' + 'a'.repeat(10_000), '/\u00ff\u00e9', '/api/cache/key/', '/*'),
    }, {
        weight: 1,
        arbitrary: fc
            .array(fc.stringMatching(/^[A-Za-z0-9._~%-]{0,12}$/), { minLength: 1, maxLength: 4 })
            .map((parts) => `/${parts.join('/')}`),
    });
    return fc.tuple(path, queryArb).map(([p, q]) => p + q);
}
const anyMethod = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS', 'PROPFIND');
/**
 * A request generator. `routes` are the target's real `METHOD /path` pairs (most requests use
 * one, with a generated query and body); the rest mix any method with any path.
 * `authHeaders` are the Authorization values to try (undefined: none).
 */
export function requestArb(routes, authHeaders) {
    const realPaths = [...new Set(routes.map((r) => r.split(' ')[1]))];
    const routed = fc.tuple(fc.constantFrom(...routes), queryArb).map(([route, query]) => {
        const [method, path] = route.split(' ');
        return { method, path: path + query };
    });
    const routedV1 = fc
        .tuple(fc.constantFrom('GET', 'PUT', 'DELETE', 'HEAD'), keyArb)
        .map(([method, key]) => ({ method, path: `/v1/keys/${encodeURIComponent(key)}` }));
    const random = fc
        .tuple(anyMethod, pathArb(realPaths))
        .map(([method, path]) => ({ method, path }));
    const target = fc.oneof({ weight: 5, arbitrary: routed }, { weight: 2, arbitrary: routedV1 }, { weight: 3, arbitrary: random });
    return fc
        .record({
        target,
        content: bodyArb,
        type: contentTypeArb,
        cut: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
        auth: fc.constantFrom(...authHeaders),
        extra: fc.option(fc.constantFrom(['accept', '*/*'], ['x-forwarded-for', '203.0.113.5'], ['content-encoding', 'gzip'], ['transfer-encoding', 'chunked'], ['expect', '100-continue']), { nil: undefined }),
    })
        .map(({ target: { method, path }, content, type, cut, auth, extra }) => {
        let body = content.body;
        if (body && cut !== undefined)
            body = body.subarray(0, Math.floor(body.length * cut));
        if (method === 'GET' || method === 'HEAD')
            body = undefined;
        const headers = {};
        const contentType = type === 'natural' ? content.type : type;
        if (contentType !== undefined)
            headers['content-type'] = contentType;
        if (auth !== undefined)
            headers.authorization = auth;
        // undici manages transfer-encoding and expect itself; keep only headers it accepts.
        if (extra && extra[0] !== 'transfer-encoding' && extra[0] !== 'expect')
            headers[extra[0]] = extra[1];
        return { method, path, headers, body };
    });
}
/** Sends generated requests and checks every answer; resolves with what it saw. */
export async function runFuzz(options) {
    const pool = new Pool(options.url, {
        connections: options.concurrency,
        headersTimeout: 15_000,
        bodyTimeout: 15_000,
    });
    const outcome = { requests: 0, byStatus: new Map(), clientErrors: [], retried: 0 };
    const attempt = async (dispatcher, request) => {
        const response = await dispatcher.request({
            method: request.method,
            path: request.path,
            headers: request.headers,
            body: request.body ?? null,
            signal: AbortSignal.timeout(15_000),
        });
        return { status: response.statusCode, body: await response.body.text() };
    };
    const sendOne = async (request) => {
        outcome.requests++;
        let answer;
        try {
            answer = await attempt(pool, request);
        }
        catch {
            // Once more on a connection of its own: a reset of a reused socket is the client's race
            // with the server closing it; a request that breaks its own connection fails again.
            const client = new Client(options.url);
            try {
                answer = await attempt(client, request);
                outcome.retried++;
            }
            catch (error) {
                outcome.clientErrors.push({ request, error: String(error) });
                return;
            }
            finally {
                await client.close();
            }
        }
        outcome.byStatus.set(answer.status, (outcome.byStatus.get(answer.status) ?? 0) + 1);
        options.check(request, answer.status, answer.body);
    };
    try {
        await fc.assert(fc.asyncProperty(fc.array(options.arbitrary, {
            minLength: options.concurrency,
            maxLength: options.concurrency,
        }), async (batch) => {
            await Promise.all(batch.map(sendOne));
        }), {
            numRuns: Math.ceil(options.maxRequests / options.concurrency),
            interruptAfterTimeLimit: options.timeLimitMs,
            markInterruptAsFailure: false,
            endOnFailure: true,
        });
    }
    finally {
        await pool.close();
    }
    return outcome;
}
/** Resident memory of a process in bytes, from /proc/<pid>/status (Linux). */
export async function rssBytesOf(pid) {
    const { readFile } = await import('node:fs/promises');
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    if (!match)
        throw new Error(`no VmRSS for pid ${pid}`);
    return Number(match[1]) * 1024;
}
//# sourceMappingURL=fuzz-requests.js.map