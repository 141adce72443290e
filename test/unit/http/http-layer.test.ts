import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CachePoolError, ERROR_CODE_HEADER, errorCodeOf, errors } from '../../../src/errors.js';
import {
  createHttpApp,
  fieldInteger,
  fieldText,
  legacyStatus,
  readFields,
  registerRawParsers,
  requireToken,
  sendSuccess,
} from '../../../src/http/index.js';

async function buildApp(bodyLimitBytes = 1024) {
  const app = await createHttpApp({ bodyLimitBytes });
  app.post('/echo', async (request, reply) => sendSuccess(reply, readFields(request)));
  app.post('/int', async (request, reply) =>
    sendSuccess(reply, fieldInteger(readFields(request), 'n') ?? null),
  );
  app.post('/boom', async () => {
    throw new Error('secret internals');
  });
  app.post('/known', async () => {
    throw errors.unknownKey();
  });
  app.post('/guarded', { preHandler: requireToken('s3cret') }, async (_request, reply) =>
    sendSuccess(reply, ''),
  );
  await app.register(async (scope) => {
    registerRawParsers(scope);
    scope.put('/v1/raw', async (request, reply) =>
      reply.send({ length: (request.body as Buffer).length }),
    );
  });
  await app.ready();
  return app;
}

test('form, JSON and multipart bodies read as the same fields', async () => {
  const app = await buildApp();
  const form = await app.inject({
    method: 'POST',
    url: '/echo',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'key=a%20b&value=1',
  });
  assert.deepEqual(form.json(), { success: 'true', content: { key: 'a b', value: '1' } });
  const json = await app.inject({
    method: 'POST',
    url: '/echo',
    payload: { key: 'a b', value: 1 },
  });
  assert.deepEqual(json.json(), { success: 'true', content: { key: 'a b', value: 1 } });
  const boundary = 'XyZ';
  const body = `--${boundary}\r\nContent-Disposition: form-data; name="key"\r\n\r\na b\r\n--${boundary}\r\nContent-Disposition: form-data; name="value"\r\n\r\n1\r\n--${boundary}--\r\n`;
  const multi = await app.inject({
    method: 'POST',
    url: '/echo',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: body,
  });
  assert.deepEqual(multi.json(), { success: 'true', content: { key: 'a b', value: '1' } });
  await app.close();
});

test('an empty JSON body reads as no fields', async () => {
  const app = await buildApp();
  const res = await app.inject({
    method: 'POST',
    url: '/echo',
    headers: { 'content-type': 'application/json' },
    payload: '',
  });
  assert.deepEqual(res.json(), { success: 'true', content: {} });
  await app.close();
});

test('malformed bodies are 4xx in the envelope, never 5xx', async () => {
  const app = await buildApp();
  const bad = await app.inject({
    method: 'POST',
    url: '/echo',
    headers: { 'content-type': 'application/json' },
    payload: '{"key":',
  });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().success, 'false');
  assert.match(bad.json().error.message, /malformed request body/);
  const truncated = await app.inject({
    method: 'POST',
    url: '/echo',
    headers: { 'content-type': 'multipart/form-data; boundary=XyZ' },
    payload: '--XyZ\r\nContent-Disposition: form-data; name="key"\r\n\r\nabc',
  });
  // A cut-off part never yields a partial field: either a 4xx, or no fields at all.
  assert.ok(truncated.statusCode < 500, `status ${truncated.statusCode}`);
  if (truncated.statusCode === 200) assert.deepEqual(truncated.json().content, {});
  else assert.equal(truncated.json().success, 'false');
  const media = await app.inject({
    method: 'POST',
    url: '/echo',
    headers: { 'content-type': 'text/csv' },
    payload: 'a,b',
  });
  assert.equal(media.statusCode, 400);
  assert.match(media.json().error.message, /unsupported content type "text\/csv"/);
  await app.close();
});

test('a body over the limit is 413 in the envelope', async () => {
  const app = await buildApp(100);
  const res = await app.inject({
    method: 'POST',
    url: '/echo',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `key=${'a'.repeat(200)}`,
  });
  assert.equal(res.statusCode, 413);
  assert.deepEqual(res.json(), {
    success: 'false',
    error: { code: 413, message: 'request body is larger than the limit of 100 bytes' },
  });
  const boundary = 'XyZ';
  const multi = await app.inject({
    method: 'POST',
    url: '/echo',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: `--${boundary}\r\nContent-Disposition: form-data; name="value"\r\n\r\n${'v'.repeat(300)}\r\n--${boundary}--\r\n`,
  });
  assert.ok(multi.statusCode === 400 || multi.statusCode === 413, `status ${multi.statusCode}`);
  assert.equal(multi.json().success, 'false');
  await app.close();
});

test('unknown paths answer 404 and wrong methods 405, in the envelope', async () => {
  const app = await buildApp();
  const missing = await app.inject({ method: 'GET', url: '/nope' });
  assert.equal(missing.statusCode, 404);
  assert.deepEqual(missing.json(), {
    success: 'false',
    error: { code: 404, message: 'no route for GET /nope' },
  });
  const method = await app.inject({ method: 'GET', url: '/echo' });
  assert.equal(method.statusCode, 405);
  assert.equal(method.json().error.code, 405);
});

test('unknown errors are a generic 500; catalogue errors keep their message with status 400', async () => {
  const app = await buildApp();
  const boom = await app.inject({ method: 'POST', url: '/boom' });
  assert.equal(boom.statusCode, 500);
  assert.deepEqual(boom.json(), {
    success: 'false',
    error: { code: 500, message: 'internal error' },
  });
  const known = await app.inject({ method: 'POST', url: '/known' });
  assert.deepEqual(known.json(), {
    success: 'false',
    error: { code: 400, message: 'Unknown key' },
  });
  await app.close();
});

test('integers may arrive as strings; bad ones name the field', async () => {
  const app = await buildApp();
  const ok = await app.inject({ method: 'POST', url: '/int', payload: { n: '42' } });
  assert.equal(ok.json().content, 42);
  const bad = await app.inject({ method: 'POST', url: '/int', payload: { n: 'abc' } });
  assert.equal(bad.json().error.message, 'n must be an integer >= 0, got "abc"');
  assert.equal(fieldText({ a: 1 }, 'a'), '1');
  await app.close();
});

test('the token guard answers 401 without a token and 403 with a wrong one', async () => {
  const app = await buildApp();
  assert.equal((await app.inject({ method: 'POST', url: '/guarded' })).statusCode, 401);
  assert.equal(
    (
      await app.inject({
        method: 'POST',
        url: '/guarded',
        headers: { authorization: 'Bearer nope' },
      })
    ).statusCode,
    403,
  );
  assert.equal(
    (
      await app.inject({
        method: 'POST',
        url: '/guarded',
        headers: { authorization: 'Bearer s3cret' },
      })
    ).statusCode,
    200,
  );
  await app.close();
});

test('a raw scope reads JSON bodies as bytes', async () => {
  const app = await buildApp();
  const res = await app.inject({
    method: 'PUT',
    url: '/v1/raw',
    headers: { 'content-type': 'application/json' },
    payload: '{"a":1}',
  });
  assert.deepEqual(res.json(), { length: 7 });
  await app.close();
});

test('a URL with bad percent-encoding is a 400 in the API shape', async () => {
  const app = await buildApp();
  const legacy = await app.inject({ method: 'POST', url: '/echo%E0%A4%A' });
  assert.deepEqual(legacy.json(), {
    success: 'false',
    error: {
      code: 400,
      message:
        'the URL is not valid (bad percent-encoding, or percent-encoded bytes that are not UTF-8)',
    },
  });
  const v1 = await app.inject({ method: 'PUT', url: '/v1/raw%E0%A4%A' });
  assert.equal(v1.json().error.code, 'CP_ERR_REQUEST_INVALID');
  await app.close();
});

test('a busy resize keeps its 409 in the legacy envelope; other request errors answer 400', async () => {
  const app = await createHttpApp({});
  app.post('/busy', async () => {
    throw errors.poolBusy();
  });
  app.post('/move-busy', async () => {
    throw errors.moveBusy(2);
  });
  app.post('/v1/busy', async () => {
    throw errors.poolBusy();
  });
  const busy = await app.inject({ method: 'POST', url: '/busy' });
  assert.equal(busy.statusCode, 409);
  assert.deepEqual(busy.json(), {
    success: 'false',
    error: { code: 409, message: 'a resize is already running; retry when it has finished' },
  });
  assert.equal(legacyStatus(errors.poolBusy()), 409);
  // A node's move_keys "busy" stays a legacy 400 (its /v1 status is 409).
  const moveBusy = await app.inject({ method: 'POST', url: '/move-busy' });
  assert.equal(moveBusy.statusCode, 400);
  assert.equal(moveBusy.json().error.code, 400);
  const v1 = await app.inject({ method: 'POST', url: '/v1/busy' });
  assert.equal(v1.statusCode, 409);
  assert.equal(v1.json().error.code, 'CP_ERR_POOL_BUSY');
  await app.close();
});

test('a multipart body cut inside a file part is a 400, not a 500 (found by fuzzing: PATCH on a known path)', async () => {
  const app = await buildApp(65_536);
  const payload =
    '--x\r\nContent-Disposition: form-data; name="4"; filename="f.txt"\r\n\r\n\r\n' +
    '--x\r\nContent-Disposition: form-data; name="migration"; filename="f.txt"\r\n\r\n["' +
    'v'.repeat(800);
  for (const [method, url] of [
    ['PATCH', '/echo'],
    ['POST', '/echo'],
    ['PATCH', '/nowhere'],
  ] as const) {
    const res = await app.inject({
      method,
      url,
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      payload,
    });
    assert.ok(
      res.statusCode >= 400 && res.statusCode < 500,
      `${method} ${url}: status ${res.statusCode} ${res.body}`,
    );
    assert.equal(res.json().success, 'false');
  }
  await app.close();
});

test('every error answer carries its catalogue code in X-Cachepool-Error; the legacy body keeps exactly its two fields', async () => {
  const app = await createHttpApp({});
  const samples: [string, CachePoolError][] = [
    ['missing-key', errors.missingKey()],
    ['unknown-key', errors.unknownKey()],
    ['move-busy', errors.moveBusy(2)],
    ['pool-busy', errors.poolBusy()],
    ['not-owner', errors.notOwner(3, 7)],
    ['move-failed', errors.moveFailed('127.0.0.1:9 (unreachable): "a"')],
    ['boom', new Error('secret internals') as CachePoolError],
  ];
  for (const [name, error] of samples) {
    const raise = async () => {
      throw error;
    };
    app.post(`/${name}`, raise);
    app.post(`/v1/${name}`, raise);
  }
  app.post('/ok', async (_request, reply) => sendSuccess(reply, ''));
  for (const [name, error] of samples) {
    const known = error instanceof CachePoolError ? error : errors.internal();
    const legacy = await app.inject({ method: 'POST', url: `/${name}` });
    assert.equal(legacy.headers[ERROR_CODE_HEADER], known.code, `${name}: legacy code header`);
    const status = legacyStatus(known);
    assert.equal(legacy.statusCode, status);
    // SPEC §1: the envelope is exactly {success, error: {code, message}}, byte for byte.
    assert.equal(
      legacy.body,
      `{"success":"false","error":{"code":${status},"message":${JSON.stringify(known.message)}}}`,
    );
    const v1 = await app.inject({ method: 'POST', url: `/v1/${name}` });
    assert.equal(v1.headers[ERROR_CODE_HEADER], known.code, `${name}: /v1 code header`);
    assert.equal(v1.json().error.code, known.code);
  }
  // Not-found and method answers come from their own handler: they carry it too.
  const missing = await app.inject({ method: 'GET', url: '/nope' });
  assert.equal(missing.headers[ERROR_CODE_HEADER], 'CP_ERR_ROUTE_NOT_FOUND');
  const method = await app.inject({ method: 'GET', url: '/boom' });
  assert.equal(method.headers[ERROR_CODE_HEADER], 'CP_ERR_METHOD_NOT_ALLOWED');
  // A success carries none.
  const ok = await app.inject({ method: 'POST', url: '/ok' });
  assert.equal(ok.headers[ERROR_CODE_HEADER], undefined);
  await app.close();
});

test('errorCodeOf reads only catalogue codes', () => {
  assert.equal(errorCodeOf({ [ERROR_CODE_HEADER]: 'CP_ERR_MOVE_BUSY' }), 'CP_ERR_MOVE_BUSY');
  assert.equal(errorCodeOf({ [ERROR_CODE_HEADER]: ['CP_ERR_KEY_UNKNOWN'] }), 'CP_ERR_KEY_UNKNOWN');
  assert.equal(errorCodeOf({ [ERROR_CODE_HEADER]: 'CP_ERR_NO_SUCH_THING' }), undefined);
  assert.equal(errorCodeOf({}), undefined);
});
