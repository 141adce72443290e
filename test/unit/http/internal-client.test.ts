/**
 * The internal client against a real HTTP server on 127.0.0.1: it sends the token and the body,
 * unwraps the envelope, turns a failure into an error with the status and the code (from the
 * header, or from a /v1 body), reports no answer within the timeout as unreachable, and reads
 * every answer to its end, so that one keep-alive connection serves call after call.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ERROR_CODE_HEADER, errors, RefusedError } from '../../../src/errors.js';
import { InternalClient } from '../../../src/http/internal-client.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  socket: Socket;
}

type Handler = (seen: Seen, response: ServerResponse) => void;

const TOKEN = 'a-long-enough-pool-token-for-tests';

function json(response: ServerResponse, status: number, body: unknown, code?: string): void {
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    ...(code === undefined ? {} : { [ERROR_CODE_HEADER]: code }),
  });
  response.end(JSON.stringify(body));
}

describe('InternalClient', () => {
  let handler: Handler = () => {};
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const one = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        socket: request.socket,
      };
      seen.push(one);
      handler(one, response);
    });
  });
  server.on('connection', (socket: Socket) => sockets.add(socket));
  let origin = '';

  before(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  beforeEach(() => {
    seen.length = 0;
  });

  after(() => {
    server.closeAllConnections();
    server.close();
  });

  for (const pooled of [false, true]) {
    const kind = pooled ? 'with a pool of its own' : 'through the shared agent';

    it(`${kind}: sends the token and a JSON body, and unwraps the success envelope`, async () => {
      const client = new InternalClient({
        origin,
        token: TOKEN,
        ...(pooled ? { connections: 2 } : {}),
      });
      handler = (_seen, response) => json(response, 200, { success: 'true', content: { n: 1 } });
      try {
        assert.deepEqual(
          await client.call({ method: 'POST', path: '/x?a=1', json: { key: 'k' } }),
          { n: 1 },
        );
        assert.equal(seen[0]!.method, 'POST');
        assert.equal(seen[0]!.url, '/x?a=1');
        assert.equal(seen[0]!.headers.authorization, `Bearer ${TOKEN}`);
        assert.equal(seen[0]!.headers['content-type'], 'application/json');
        assert.equal(seen[0]!.body, '{"key":"k"}');
      } finally {
        await client.close();
      }
    });

    it(`${kind}: a legacy failure is a RefusedError with the status and the header's code`, async () => {
      const client = new InternalClient({ origin, ...(pooled ? { connections: 2 } : {}) });
      handler = (_seen, response) =>
        json(
          response,
          400,
          { success: 'false', error: { code: 400, message: 'busy: try later' } },
          'CP_ERR_MOVE_BUSY',
        );
      try {
        await assert.rejects(client.call({ method: 'GET', path: '/y' }), (error: unknown) => {
          assert.ok(error instanceof RefusedError);
          assert.equal(error.code, 'CP_ERR_NODE_UNREACHABLE');
          assert.equal(error.message, 'answered 400: busy: try later');
          assert.equal(error.peerStatus, 400);
          assert.equal(error.peerCode, 'CP_ERR_MOVE_BUSY');
          return true;
        });
        assert.equal(seen[0]!.headers.authorization, undefined, 'no token, no header');
      } finally {
        await client.close();
      }
    });
  }

  it("takes a /v1 body's code when the header is missing, and no code from a body that has none", async () => {
    const client = new InternalClient({ origin });
    handler = (_seen, response) =>
      json(response, 404, { error: { code: 'CP_ERR_KEY_UNKNOWN', status: 404, message: 'x' } });
    const v1 = await client.send({ method: 'GET', path: '/v1/keys/a' });
    assert.equal(v1.errorCode, 'CP_ERR_KEY_UNKNOWN');
    handler = (_seen, response) => {
      response.writeHead(502, { 'content-type': 'text/plain' });
      response.end('bad gateway');
    };
    await assert.rejects(client.call({ method: 'GET', path: '/z' }), (error: unknown) => {
      assert.ok(error instanceof RefusedError);
      assert.equal(error.message, 'answered 502: status 502');
      assert.equal(error.peerCode, undefined);
      return true;
    });
    // A 200 that is not a success envelope is no success either.
    handler = (_seen, response) => json(response, 200, ['a']);
    await assert.rejects(client.call({ method: 'GET', path: '/keys' }), RefusedError);
  });

  it("words failures in the caller's terms, per client and per call", async () => {
    const client = new InternalClient({
      origin,
      wording: {
        unreachable: (what, cause) => errors.nodeDidNotAnswer('n:1', what, cause),
        refused: (what, message, answer) => errors.nodeRefused('n:1', what, message ?? '', answer),
      },
    });
    handler = (_seen, response) =>
      json(response, 400, { success: 'false', error: { code: 400, message: 'Missing key' } });
    await assert.rejects(client.call({ method: 'POST', path: '/api/cache/content?x=1' }), {
      message: 'node n:1 refused POST /api/cache/content: 400 Missing key',
    });
    await assert.rejects(
      client.call({
        method: 'POST',
        path: '/api/cache/move_keys',
        wording: {
          refused: (_what, message, answer) => errors.nodeRefusedMove('n:1', message!, answer),
        },
      }),
      { code: 'CP_ERR_MOVE_FAILED' },
    );
  });

  it('sends a list of buffers with its length declared, not chunked', async () => {
    const client = new InternalClient({ origin, connections: 1 });
    handler = (_seen, response) => json(response, 200, { success: 'true', content: '' });
    try {
      await client.call({
        method: 'POST',
        path: '/internal/import',
        body: [Buffer.from('ab'), Buffer.from('cde')],
        contentType: 'application/x-test',
      });
      assert.equal(seen[0]!.body, 'abcde');
      assert.equal(seen[0]!.headers['content-length'], '5');
      assert.equal(seen[0]!.headers['transfer-encoding'], undefined);
      assert.equal(seen[0]!.headers['content-type'], 'application/x-test');
    } finally {
      await client.close();
    }
  });

  it('reports no answer within the timeout as unreachable, in the wording given', async () => {
    const client = new InternalClient({ origin, timeoutMs: 200 });
    handler = () => {
      // never answers
    };
    const started = Date.now();
    await assert.rejects(client.call({ method: 'GET', path: '/hang' }), {
      code: 'CP_ERR_NODE_UNREACHABLE',
      message: 'unreachable',
    });
    assert.ok(Date.now() - started < 2_000, 'bounded by the timeout');
    // A body that starts and stalls is bounded too.
    handler = (_seen, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      response.write('{"success":');
    };
    await assert.rejects(client.call({ method: 'GET', path: '/stall', timeoutMs: 300 }), {
      message: 'unreachable',
    });
    for (const socket of sockets) socket.destroy();
  });

  it('reads every answer to its end: one connection serves failures and successes in turn', async () => {
    const client = new InternalClient({ origin, connections: 1 });
    let n = 0;
    handler = (_seen, response) => {
      n++;
      if (n % 2 === 0) json(response, 200, { success: 'true', content: n });
      else
        json(
          response,
          400,
          { success: 'false', error: { code: 400, message: 'x'.repeat(64 * 1024) } },
          'CP_ERR_REQUEST_INVALID',
        );
    };
    try {
      for (let i = 0; i < 20; i++) {
        const answer = await client.send({ method: 'GET', path: '/alternate' });
        assert.equal(answer.statusCode, i % 2 === 0 ? 400 : 200);
      }
      assert.equal(seen.length, 20);
      assert.equal(new Set(seen.map((one) => one.socket)).size, 1, 'one connection for 20 calls');
    } finally {
      await client.close();
    }
  });
});
