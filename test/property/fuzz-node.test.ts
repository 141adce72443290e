/**
 * Fuzzes a live node process (`cachepool node --token …` on 127.0.0.1) with thousands of
 * generated requests at bounded concurrency and a time bound: no answer may be a 5xx, every
 * control endpoint must refuse the missing or wrong tokens the fuzz sends, the process must stay
 * alive with a bounded RSS, and the data put before the fuzz must be intact afterwards.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { postForm, send } from '../helpers/http.js';
import { isAlive, startCachepool, stopAll, type Started } from '../helpers/process.js';
import { requestArb, RESERVED_PREFIX, rssBytesOf, runFuzz } from './fuzz-requests.js';

const TOKEN = 'fuzz-node-token-5b0c4f1e9d';
const BODY_LIMIT = 65_536;
const CAPACITY_MB = 64;

/** The node's routes as `METHOD /path` (the /v1 key routes are generated separately). */
const ROUTES = [
  'GET /',
  'GET /keys',
  'POST /keys',
  'GET /healthz',
  'GET /metrics',
  'DELETE /api/cache',
  'POST /api/cache/key',
  'DELETE /api/cache/key',
  'POST /api/cache/content',
  'POST /api/cache/config',
  'GET /api/cache/statistics',
  'POST /api/cache/statistics',
  'DELETE /api/cache/statistics',
  'POST /api/cache/set_num_hit',
  'POST /api/cache/move_keys',
  'POST /internal/import',
  'POST /internal/pull',
  'GET /internal/export/fuzz-batch',
  'POST /internal/migration/begin',
  'POST /internal/migration/end',
  'GET /v1/openapi.json',
];

/** Control routes: `METHOD path` → must refuse a missing (401) or wrong (403) token. */
const CONTROL = new Set([
  'POST /api/cache/config',
  'DELETE /api/cache',
  'DELETE /api/cache/statistics',
  'POST /api/cache/set_num_hit',
  'POST /api/cache/move_keys',
  'POST /internal/import',
  'POST /internal/pull',
  'GET /internal/export/fuzz-batch',
  'POST /internal/migration/begin',
  'POST /internal/migration/end',
]);

const WRONG_TOKENS = [
  undefined,
  'Bearer wrong',
  `Bearer ${TOKEN}x`,
  `Bearer ${TOKEN.slice(0, -1)}`,
  'Basic dXNlcjpwYXNz',
  'Bearer',
  'bearer  nope',
  TOKEN,
];

const SEEDS = {
  text: { key: `${RESERVED_PREFIX}text`, value: 'plain value with "quotes" and \\ backslash' },
  dataUrl: {
    key: `${RESERVED_PREFIX}image`,
    value: `data:image/png;base64,${Buffer.alloc(3000, 7).toString('base64')}`,
  },
  unicode: { key: `${RESERVED_PREFIX}ключ🙂`, value: 'значение 🙂' },
};
const BINARY_KEY = `${RESERVED_PREFIX}binary`;
const BINARY_VALUE = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37) % 256));

function pathOnly(path: string): string {
  const q = path.indexOf('?');
  const bare = q === -1 ? path : path.slice(0, q);
  return bare.length > 1 && bare.endsWith('/') ? bare.slice(0, -1) : bare;
}

describe('fuzzing a live node', () => {
  let proc: Started;
  let url: string;
  before(async () => {
    proc = await startCachepool(
      [
        'node',
        '--port',
        '0',
        '--token',
        TOKEN,
        '--capacity',
        String(CAPACITY_MB),
        '--body-limit',
        String(BODY_LIMIT),
        '--max-value-bytes',
        '16384',
      ],
      { roles: ['node'] },
    );
    url = proc.urls.get('node')!;
    for (const seed of Object.values(SEEDS)) {
      assert.equal((await postForm(`${url}/api/cache/content`, seed)).status, 200);
    }
    const put = await send(`${url}/v1/keys/${encodeURIComponent(BINARY_KEY)}`, {
      method: 'PUT',
      body: BINARY_VALUE,
      headers: { 'content-type': 'application/x-raw' },
    });
    assert.equal(put.status, 201);
  });
  after(stopAll);

  test('thousands of generated requests: no 5xx, control endpoints refuse, the process lives, RSS bounded, seeded data intact', async () => {
    const pid = proc.child.pid!;
    const rssBefore = await rssBytesOf(pid);
    const refusedControl = { count: 0 };
    const outcome = await runFuzz({
      url,
      arbitrary: requestArb(
        ROUTES,
        WRONG_TOKENS.map((t) => (t === TOKEN ? `Token ${TOKEN}` : t)),
      ),
      concurrency: 8,
      maxRequests: 4_000,
      timeLimitMs: 50_000,
      bodyLimitBytes: BODY_LIMIT,
      check: (request, status, body) => {
        assert.ok(
          status < 500,
          `${request.method} ${request.path.slice(0, 200)} ${JSON.stringify(request.headers)} body ${JSON.stringify(request.body?.subarray(0, 200).toString('latin1'))} (${request.body?.length ?? 0} bytes) answered ${status}: ${body.slice(0, 300)}; node errors: ${JSON.stringify(proc.lines.filter((l) => Number(l.level) >= 50).slice(-3)).slice(0, 2000)}`,
        );
        if (CONTROL.has(`${request.method} ${pathOnly(request.path)}`)) {
          assert.ok(
            status === 401 || status === 403,
            `control ${request.method} ${request.path} without the token answered ${status}: ${body.slice(0, 200)}`,
          );
          refusedControl.count++;
        }
      },
    });
    const statuses = [...outcome.byStatus.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([s, n]) => `${s}:${n}`)
      .join(' ');
    console.log(
      `fuzz-node: ${outcome.requests} requests tried (${refusedControl.count} to control endpoints, ${outcome.clientErrors.length} connection errors, ${outcome.retried} answered on a retry); statuses ${statuses}`,
    );
    // A connection may be cut only for a body over the limit (the server stops reading it).
    for (const { request, error } of outcome.clientErrors) {
      assert.ok(
        (request.body?.length ?? 0) > BODY_LIMIT,
        `${request.method} ${request.path.slice(0, 200)} failed on the client: ${error} ${JSON.stringify(request.headers)} body ${request.body?.length}`,
      );
    }
    assert.ok(outcome.requests >= 500, `only ${outcome.requests} requests ran`);
    assert.ok(refusedControl.count > 0);

    await rawSocketAbuse(url);

    assert.ok(isAlive(pid), 'the node process died');
    assert.equal(proc.child.exitCode, null);
    const rssAfter = await rssBytesOf(pid);
    console.log(
      `fuzz-node: RSS ${Math.round(rssBefore / 2 ** 20)} MB before, ${Math.round(rssAfter / 2 ** 20)} MB after`,
    );
    assert.ok(rssAfter < 400 * 2 ** 20, `RSS grew to ${rssAfter} bytes`);

    for (const seed of Object.values(SEEDS)) {
      const got = await postForm(`${url}/api/cache/key`, { key: seed.key });
      assert.equal(got.status, 200, `${seed.key}: ${got.text}`);
      assert.equal(got.json.content, seed.value);
    }
    const binary = await send(`${url}/v1/keys/${encodeURIComponent(BINARY_KEY)}`);
    assert.equal(binary.status, 200);
    assert.equal(binary.headers.get('content-type'), 'application/x-raw');
    assert.deepEqual(binary.body, BINARY_VALUE);
    const metrics = (await send(`${url}/metrics`)).text;
    assert.match(
      metrics,
      new RegExp(`cachepool_node_capacity_bytes\\{cache_index="0"\\} ${CAPACITY_MB * 2 ** 20}\\b`),
    );
  });
});

/** Malformed HTTP no client library would send: each socket is closed; the node must shrug. */
async function rawSocketAbuse(base: string): Promise<void> {
  const { hostname, port } = new URL(base);
  const payloads = [
    'GARBAGE\r\n\r\n',
    'POST /api/cache/content HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nkey=a&value=',
    'POST /api/cache/content HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n',
    'POST /api/cache/content HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n',
    'POST /api/cache/content HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    `GET /keys HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`,
    'GET /healthz HTTP/1.1\r\nHost: x\r\n',
    'GET / HTTP/9.9\r\n\r\n',
    'POST /api/cache/move_keys HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{"dest":',
    'PUT /v1/keys/a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\n\r\n',
  ];
  await Promise.all(
    payloads.map(
      (payload) =>
        new Promise<void>((resolve) => {
          const socket = connect(Number(port), hostname);
          const timer = setTimeout(() => socket.destroy(), 2_000);
          socket.on('connect', () => {
            socket.write(payload);
            socket.end();
          });
          socket.on('data', () => {});
          socket.on('error', () => {});
          socket.on('close', () => {
            clearTimeout(timer);
            resolve();
          });
        }),
    ),
  );
  const health = await send(`${base}/healthz`);
  assert.equal(health.status, 200);
}
