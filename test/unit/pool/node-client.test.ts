/**
 * NodeClient against a real HTTP server on 127.0.0.1 that answers as a node would: a miss and a
 * busy move_keys are told by the catalogue code in X-Cachepool-Error, never by the message, so an
 * answer with the right text and no code is neither.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ERROR_CODE_HEADER, RefusedError } from '../../../src/errors.js';
import { NodeClient } from '../../../src/pool/index.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

function legacyFailure(message: string, code?: string): Handler {
  return (_request, response) => {
    const body = JSON.stringify({ success: 'false', error: { code: 400, message } });
    response.writeHead(400, {
      'content-type': 'application/json; charset=utf-8',
      ...(code === undefined ? {} : { [ERROR_CODE_HEADER]: code }),
    });
    response.end(body);
  };
}

describe('NodeClient reads codes, not messages', () => {
  let handler: Handler = () => {};
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => handler(request, response));
  });
  let client: NodeClient;

  before(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    client = new NodeClient(`127.0.0.1:${(server.address() as AddressInfo).port}`, {
      timeoutMs: 2_000,
    });
  });

  after(async () => {
    await client.close();
    server.close();
  });

  it('a miss is an answer coded CP_ERR_KEY_UNKNOWN', async () => {
    handler = legacyFailure('Unknown key', 'CP_ERR_KEY_UNKNOWN');
    assert.equal(await client.get('k'), undefined);
  });

  it('the text "Unknown key" without its code is a refusal, not a miss', async () => {
    handler = legacyFailure('Unknown key');
    await assert.rejects(client.get('k'), (error: unknown) => {
      assert.ok(error instanceof RefusedError);
      assert.equal(
        error.message,
        'node ' + client.address + ' refused POST /api/cache/key: 400 Unknown key',
      );
      assert.equal(error.peerCode, undefined);
      return true;
    });
  });

  it('a busy move_keys refusal keeps its status and code, and the message the manager reports', async () => {
    const message =
      'busy: this node is already running 1 move_keys calls (the limit); retry when one has finished';
    handler = legacyFailure(message, 'CP_ERR_MOVE_BUSY');
    await assert.rejects(client.moveKeys({ dest: {} }), (error: unknown) => {
      assert.ok(error instanceof RefusedError);
      assert.equal(error.code, 'CP_ERR_MOVE_FAILED');
      assert.equal(error.peerStatus, 400);
      assert.equal(error.peerCode, 'CP_ERR_MOVE_BUSY');
      assert.equal(
        error.message,
        `node ${client.address} refused POST /api/cache/move_keys: 400 ${message}`,
      );
      return true;
    });
  });
});
