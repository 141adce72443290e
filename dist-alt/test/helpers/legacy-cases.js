/**
 * The byte-for-byte case tables of the legacy get and put (`POST /api/cache/key`, `POST
 * /api/cache/content`, `DELETE /api/cache/key`): every encoding, the reading rules of
 * docs/http-api.md and the bodies that broke them. One table, run through every reader of a
 * legacy request: the node's pre-router against its Fastify route (test/unit/node/
 * fast-legacy.test.ts), and the gateway in front of a node against the node itself
 * (test/integration/gateway-reader.test.ts). `fast` says whether a pre-router takes the case
 * (else Fastify answers); the node's and the gateway's pre-routers take the same cases.
 */
import { multipartBody } from './http.js';
export const FORM = 'application/x-www-form-urlencoded';
export const JSON_TYPE = 'application/json';
export const PUT = '/api/cache/content';
/** A data URL of `bytes` bytes before base64, as the legacy clients store. */
export function dataUrlOf(bytes) {
    return `data:image/png;base64,${Buffer.from(Array.from({ length: bytes }, (_, i) => (i * 7919) & 255)).toString('base64')}`;
}
/** The keys and values put (as a form) before the get table runs. */
export function getSeed() {
    return [
        ['k1', `data:image/png;base64,${Buffer.alloc(7_500, 7).toString('base64')}`],
        ['k2', 'needs "escaping"\n'],
        ['a b c', 'spaced'],
        ['ключ', 'unicode'],
        ['12', 'numeric'],
    ];
}
/** The get table; run after getSeed on a node with the default options. */
export function getCases() {
    const mp = multipartBody({ key: 'k1' });
    return [
        { name: 'form hit', type: FORM, body: 'key=k1', fast: true },
        { name: 'form hit, raw value framed per read', type: FORM, body: 'key=k2', fast: true },
        { name: 'form miss', type: FORM, body: 'key=nope', fast: true },
        { name: 'missing key', type: FORM, body: 'other=1', fast: true },
        { name: 'empty key', type: FORM, body: 'key=', fast: true },
        { name: 'name alone', type: FORM, body: 'a=1&key', fast: true },
        { name: 'too-long key', type: FORM, body: `key=${'x'.repeat(1025)}`, fast: true },
        {
            name: 'too-long key in UTF-8 bytes',
            type: FORM,
            body: `key=${encodeURIComponent('ж'.repeat(513))}`,
            fast: true,
        },
        { name: 'plus and percent', type: FORM, body: 'key=a+b%20c', fast: true },
        { name: 'unicode key', type: FORM, body: `key=${encodeURIComponent('ключ')}`, fast: true },
        { name: 'raw UTF-8 key', type: FORM, body: 'key=ключ', fast: true },
        { name: 'escaped field name', type: FORM, body: 'k%65y=k1', fast: true },
        { name: 'repeated key: first wins', type: FORM, body: 'x=1&key=k1&key=k2', fast: true },
        { name: 'bad percent-encoding', type: FORM, body: 'key=%zz%E0%A4', fast: true },
        {
            name: 'form with utf-8 charset',
            type: `${FORM}; charset=utf-8`,
            body: 'key=k1',
            fast: true,
        },
        { name: 'JSON hit', type: JSON_TYPE, body: '{"key":"k1"}', fast: true },
        { name: 'JSON number key', type: JSON_TYPE, body: '{"key":12}', fast: true },
        { name: 'JSON object key', type: JSON_TYPE, body: '{"key":{"a":1}}', fast: true },
        { name: 'JSON null', type: JSON_TYPE, body: 'null', fast: true },
        { name: 'JSON array', type: JSON_TYPE, body: '["k1"]', fast: true },
        { name: 'JSON string', type: JSON_TYPE, body: '"k1"', fast: true },
        { name: 'JSON blank', type: JSON_TYPE, body: '   ', fast: true },
        { name: 'JSON malformed', type: JSON_TYPE, body: '{"key":', fast: true },
        {
            name: 'JSON proto poisoning',
            type: JSON_TYPE,
            body: '{"__proto__":{"x":1},"key":"k1"}',
            fast: true,
        },
        {
            name: 'JSON with charset',
            type: `${JSON_TYPE}; charset=UTF-8`,
            body: '{"key":"k1"}',
            fast: true,
        },
        { name: 'multipart', type: mp.type, body: mp.body, fast: false },
        { name: 'chunked', type: FORM, body: 'key=k1', chunked: true, fast: false },
        { name: 'empty body', type: FORM, body: '', fast: false },
        {
            name: 'query string',
            type: FORM,
            body: 'other=1',
            url: '/api/cache/key?key=k1',
            fast: false,
        },
        { name: 'trailing slash', type: FORM, body: 'key=k1', url: '/api/cache/key/', fast: false },
        { name: 'text/plain', type: 'text/plain', body: 'key=k1', fast: false },
        { name: 'no content type', body: 'key=k1', fast: false },
        { name: 'latin1 charset', type: `${FORM}; charset=latin1`, body: 'key=k1', fast: false },
        // The reading rules (docs/http-api.md) and the bodies of issue 9 that node and gateway read
        // differently.
        {
            name: 'escaped name before the plain one',
            type: FORM,
            body: 'k%6Fey=x&%6Bey=k1&key=k2',
            fast: true,
        },
        { name: 'key 50%', type: FORM, body: 'key=50%', fast: true },
        { name: 'key %zz', type: FORM, body: 'key=%zz', fast: true },
        { name: 'a bad escape kept, a good one decoded', type: FORM, body: 'key=%zz%41', fast: true },
        { name: 'percent-encoded bytes that are not UTF-8', type: FORM, body: 'key=%FF', fast: true },
        { name: 'a percent-encoded lone surrogate', type: FORM, body: 'key=%ED%B0%80', fast: true },
        { name: 'a bad field that is not read', type: FORM, body: 'x=%FF&key=k1', fast: true },
        { name: 'a field name that is not UTF-8', type: FORM, body: 'k%FFey=k2&key=k1', fast: true },
        {
            name: 'JSON lone surrogate key',
            type: JSON_TYPE,
            body: '{"key":"img-\\udc00-1"}',
            fast: true,
        },
        {
            name: 'JSON with a byte-order mark',
            type: JSON_TYPE,
            body: '\uFEFF{"key":"k1"}',
            fast: true,
        },
        { name: 'JSON byte-order mark alone', type: JSON_TYPE, body: '\uFEFF', fast: true },
        { name: 'JSON number out of range', type: JSON_TYPE, body: '{"key":1e400}', fast: true },
        { name: 'JSON boolean key', type: JSON_TYPE, body: '{"key":true}', fast: true },
        {
            name: 'upper-case media type',
            type: 'APPLICATION/X-WWW-FORM-URLENCODED',
            body: 'key=k1',
            fast: true,
        },
        {
            name: 'quoted utf-8 charset',
            type: `${JSON_TYPE}; charset="utf-8"`,
            body: '{"key":"k1"}',
            fast: true,
        },
        {
            name: 'latin1 JSON',
            type: `${JSON_TYPE}; charset=iso-8859-1`,
            body: '{"key":"k1"}',
            fast: false,
        },
        {
            name: 'multipart part named KEY is not key',
            ...multipartBody({ KEY: 'nope', key: 'k1' }),
            fast: false,
        },
        { name: 'multipart without the key part', ...multipartBody({ KEY: 'k1' }), fast: false },
        { name: 'text/plain JSON', type: 'text/plain', body: '{"key":"k1"}', fast: false },
        {
            name: 'DELETE with a form body',
            method: 'DELETE',
            type: FORM,
            body: 'key=k2',
            fast: false,
            gatewayFast: true,
        },
        { name: 'get of a deleted key', type: FORM, body: 'key=k2', fast: true },
        {
            name: 'DELETE with a query',
            method: 'DELETE',
            body: '',
            url: '/api/cache/key?key=12',
            fast: false,
        },
        { name: 'get after a DELETE by query', type: JSON_TYPE, body: '{"key":12}', fast: true },
        {
            name: 'body field wins over the query',
            type: FORM,
            body: 'key=k1',
            url: '/api/cache/key?key=nope',
            fast: false,
        },
        { name: 'hit again (recency)', type: FORM, body: 'key=a+b+c', fast: true },
    ];
}
/** Node options for the put table: a small capacity and value limit, so both refusals happen. */
export const PUT_NODE = { capacityMb: 1, maxValueBytes: 200_000 };
/** The put table (on a node with PUT_NODE). */
export function putCases() {
    const dataUrl = dataUrlOf(75_000);
    const form = (fields) => new URLSearchParams(fields).toString();
    const mp = multipartBody({ key: 'm', value: 'v' });
    return [
        {
            name: 'form data URL',
            type: FORM,
            url: PUT,
            body: form({ key: 'img', value: dataUrl }),
            fast: true,
        },
        {
            name: 'overwrite',
            type: FORM,
            url: PUT,
            body: form({ key: 'img', value: `${dataUrl}AA` }),
            fast: true,
        },
        {
            name: 'value needing escapes',
            type: FORM,
            url: PUT,
            body: form({ key: 'q', value: 'say "hi"\n\\' }),
            fast: true,
        },
        {
            name: 'control characters',
            type: FORM,
            url: PUT,
            body: 'key=c&value=a%00b%1Fc%0A',
            fast: true,
        },
        {
            name: 'unicode key and value',
            type: FORM,
            url: PUT,
            body: form({ key: 'ключ', value: 'значение 🙂' }),
            fast: true,
        },
        { name: 'raw UTF-8 value', type: FORM, url: PUT, body: 'key=r&value=žluťoučký', fast: true },
        { name: 'plus as space', type: FORM, url: PUT, body: 'key=a+b&value=c+d', fast: true },
        {
            name: 'bad percent-encoding kept raw',
            type: FORM,
            url: PUT,
            body: 'key=bad&value=%zz%E0%A4',
            fast: true,
        },
        { name: 'value before key', type: FORM, url: PUT, body: 'value=first&key=vk', fast: true },
        {
            name: 'repeated fields: first wins',
            type: FORM,
            url: PUT,
            body: 'key=d1&value=one&key=d2&value=two',
            fast: true,
        },
        { name: 'escaped field names', type: FORM, url: PUT, body: 'k%65y=e&v%61lue=x', fast: true },
        { name: 'missing value', type: FORM, url: PUT, body: 'key=nv', fast: true },
        { name: 'empty value', type: FORM, url: PUT, body: 'key=nv&value=', fast: true },
        { name: 'missing key', type: FORM, url: PUT, body: 'value=orphan', fast: true },
        {
            name: 'too-long key',
            type: FORM,
            url: PUT,
            body: form({ key: 'x'.repeat(1025), value: 'v' }),
            fast: true,
        },
        {
            name: 'value over the value limit',
            type: FORM,
            url: PUT,
            body: form({ key: 'big', value: 'v'.repeat(200_001) }),
            fast: true,
        },
        {
            name: 'value over the limit in UTF-8 bytes only',
            type: FORM,
            url: PUT,
            body: form({ key: 'big2', value: 'ж'.repeat(100_001) }),
            fast: true,
        },
        {
            name: 'JSON put',
            type: JSON_TYPE,
            url: PUT,
            body: JSON.stringify({ key: 'j', value: 'json "value"' }),
            fast: true,
        },
        {
            name: 'JSON number value',
            type: JSON_TYPE,
            url: PUT,
            body: '{"key":"n","value":42}',
            fast: true,
        },
        {
            name: 'JSON object value',
            type: JSON_TYPE,
            url: PUT,
            body: '{"key":"o","value":{"a":1}}',
            fast: true,
        },
        { name: 'JSON array', type: JSON_TYPE, url: PUT, body: '["k","v"]', fast: true },
        {
            name: 'JSON malformed',
            type: JSON_TYPE,
            url: PUT,
            body: '{"key":"k","value":',
            fast: true,
        },
        { name: 'JSON blank', type: JSON_TYPE, url: PUT, body: ' ', fast: true },
        { name: 'multipart', type: mp.type, url: PUT, body: mp.body, fast: false },
        { name: 'chunked', type: FORM, url: PUT, body: 'key=ch&value=v', chunked: true, fast: false },
        { name: 'query string', type: FORM, url: `${PUT}?key=qk`, body: 'value=v', fast: false },
        { name: 'get of a put value', type: FORM, body: 'key=img', fast: true },
        {
            name: 'escaped name, then the plain one',
            type: FORM,
            url: PUT,
            body: '%6Bey=A&key=B&value=V',
            fast: true,
        },
        { name: 'key 50%', type: FORM, url: PUT, body: 'key=50%&value=half', fast: true },
        { name: 'key %zz', type: FORM, url: PUT, body: 'key=%zz&value=zz', fast: true },
        {
            name: 'JSON put with a byte-order mark',
            type: JSON_TYPE,
            url: PUT,
            body: '\uFEFF{"key":"bom","value":"v"}',
            fast: true,
        },
        {
            name: 'JSON lone surrogate key',
            type: JSON_TYPE,
            url: PUT,
            body: '{"key":"img-\\udc00-1","value":"v"}',
            fast: true,
        },
        {
            name: 'JSON lone surrogate value',
            type: JSON_TYPE,
            url: PUT,
            body: '{"key":"s","value":"a\\ud800"}',
            fast: true,
        },
        {
            name: 'JSON value out of range',
            type: JSON_TYPE,
            url: PUT,
            body: '{"key":"inf","value":1e400}',
            fast: true,
        },
        { name: 'value not UTF-8', type: FORM, url: PUT, body: 'key=nu&value=%C3%28', fast: true },
        {
            name: 'no key and a bad value: the key first',
            type: FORM,
            url: PUT,
            body: 'value=%FF',
            fast: true,
        },
        {
            name: 'too-long key and a bad value: the key first',
            type: FORM,
            url: PUT,
            body: `key=${'x'.repeat(1025)}&value=%FF`,
            fast: true,
        },
        {
            name: 'multipart part named KEY is not key',
            url: PUT,
            ...multipartBody({ KEY: 'A2', key: 'B2', value: 'V2' }),
            fast: false,
        },
        { name: 'text/plain put', type: 'text/plain', url: PUT, body: 'key=t&value=v', fast: false },
        { name: 'get of the escaped name', type: FORM, body: 'key=A', fast: true },
        { name: 'get of 50%', type: JSON_TYPE, body: '{"key":"50%"}', fast: true },
    ];
}
/** Puts that fill the PUT_NODE capacity past 1 MB, so that both evict by the policy. */
export function fillCases() {
    const dataUrl = dataUrlOf(75_000);
    const form = (fields) => new URLSearchParams(fields).toString();
    return Array.from({ length: 14 }, (_, i) => ({
        name: `fill ${i}`,
        type: FORM,
        url: PUT,
        body: form({ key: `fill-${i}`, value: dataUrl }),
        fast: true,
    }));
}
//# sourceMappingURL=legacy-cases.js.map