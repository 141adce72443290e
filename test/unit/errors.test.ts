/**
 * The error catalogue (src/errors.ts) pinned against docs/errors.md: every code is documented and
 * every documented code exists; every factory's /v1 status and legacy status are the ones the
 * table gives; the legacy texts never change; and no module builds a request or operational error
 * by itself.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  CachePoolError,
  describe as describeValue,
  ERROR_CODES,
  errors,
  messages,
  OperationalError,
  RefusedError,
  RequestError,
} from '../../src/errors.js';
import { legacyStatus } from '../../src/http/index.js';

const root = new URL('../../../', import.meta.url).pathname;
const source = readFileSync(join(root, 'src/errors.ts'), 'utf8');
const docs = readFileSync(join(root, 'docs/errors.md'), 'utf8');

interface Row {
  v1: number;
  legacy: number;
  kept: boolean;
  text: string;
}

/** The rows of the table in docs/errors.md, by code. */
function documentedRows(): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const line of docs.split('\n')) {
    const match = /^\| `(CP_ERR_[A-Z_]+)` \| (\d{3}) \| (\d{3})( \(kept\))? \| (.*) \|$/.exec(line);
    if (match)
      rows.set(match[1]!, {
        v1: Number(match[2]),
        legacy: Number(match[3]),
        kept: match[4] !== undefined,
        text: match[5]!,
      });
  }
  return rows;
}

/** Arguments for each factory; a factory missing here fails the test below, so each new one is pinned. */
const samples: Record<keyof typeof errors, unknown[]> = {
  missingKey: [],
  missingValue: [],
  unknownKey: [],
  keyTooLong: [2000, 1024],
  valueTooLarge: [10, 5],
  invalid: ['capacity must be an integer >= 0, got "abc"'],
  malformedBody: ['bad JSON'],
  bodyTooLarge: [64],
  unsupportedMedia: ['text/x-thing'],
  notUnicode: ['key'],
  numberOutOfRange: ['capacity'],
  notFound: ['GET', '/nope'],
  methodNotAllowed: ['PUT', '/api/cache/key'],
  authRequired: [],
  authForbidden: [],
  poolMax: [],
  poolMin: [],
  poolChangeInvalid: [],
  notMember: ['127.0.0.1:1'],
  poolBusy: [],
  valueOverLimit: [2048, 1024],
  moveBusy: [2],
  notOwner: [3, 7],
  moveRefused: ['10.0.0.1:5001', 'destination: it is not a member of this pool'],
  moveTooManyKeys: [3, 2],
  moveFailed: ['127.0.0.1:9 (unreachable): "a"'],
  moveBadAnswer: [],
  pullFailed: ['127.0.0.1:9', 'b1', 'unreachable (ECONNREFUSED)'],
  batchUnknown: ['b1'],
  peerRefused: ['internal error', { statusCode: 500 }],
  peerUnreachable: [new Error('ECONNREFUSED')],
  nodeDidNotAnswer: ['127.0.0.1:9', 'POST /api/cache/key', new Error('ECONNREFUSED')],
  nodeUnreachable: ['127.0.0.1:9'],
  nodeVerifying: [],
  nodeRefused: ['127.0.0.1:9', 'GET /keys', 'no token', { statusCode: 401, body: '' }],
  nodeRefusedMove: ['127.0.0.1:9', 'busy: …', { statusCode: 400, errorCode: 'CP_ERR_MOVE_BUSY' }],
  fanOutRefused: ['DELETE', '/api/cache', '{"success":"false"}'],
  managerNotTold: ['127.0.0.1:5004', 'unreachable', new Error('ECONNREFUSED')],
  memberListUnreadable: ['127.0.0.1:5004', new Error('timeout')],
  memberListInvalid: ['127.0.0.1:5004'],
  resizeFailed: ['node 127.0.0.1:9 is not healthy'],
  configRejected: [
    'the config was not applied: refused by 127.0.0.1:9 (x); the previous config stays',
  ],
  preconditionFailed: ['the key already exists (If-None-Match: *)'],
  clientClosed: [],
  remote: ['CP_ERR_KEY_TOO_LONG', 400, 'key is 300 bytes, the limit is 250 bytes'],
  tableUnreadable: ['127.0.0.1:5004', new Error('ECONNREFUSED')],
  internal: [],
};

function build(name: keyof typeof errors): CachePoolError {
  return (errors[name] as (...args: unknown[]) => CachePoolError)(...samples[name]);
}

test('every code of the catalogue is in docs/errors.md, and every documented code is in the catalogue', () => {
  const list = /export const ERROR_CODES = \[([^\]]+)\]/.exec(source)![1]!;
  const codes = new Set(list.match(/CP_ERR_[A-Z_]+/g));
  assert.deepEqual([...codes].sort(), [...ERROR_CODES].sort());
  const rows = documentedRows();
  assert.ok(codes.size > 20);
  assert.deepEqual([...rows.keys()].sort(), [...codes].sort());
});

test("every factory's /v1 and legacy statuses are those docs/errors.md gives for its code", () => {
  const rows = documentedRows();
  assert.deepEqual(Object.keys(samples).sort(), Object.keys(errors).sort());
  for (const name of Object.keys(errors) as (keyof typeof errors)[]) {
    const error = build(name);
    assert.ok(error instanceof CachePoolError, name);
    const row = rows.get(error.code);
    assert.ok(row, `${name}: ${error.code} is not documented`);
    assert.equal(error.statusCode, row.v1, `${name}: /v1 status of ${error.code}`);
    assert.equal(legacyStatus(error), row.legacy, `${name}: legacy status of ${error.code}`);
    // "kept" in the table means the legacy envelope sends the catalogue's status, not 400.
    assert.equal(
      row.kept,
      row.legacy === row.v1 && row.legacy !== 400,
      `${name}: (kept) mark of ${error.code}`,
    );
  }
});

test('request errors are RequestErrors and failures against other processes are OperationalErrors', () => {
  for (const name of [
    'missingKey',
    'valueOverLimit',
    'moveBusy',
    'notOwner',
    'moveRefused',
    'moveTooManyKeys',
    'poolBusy',
    'batchUnknown',
  ] as const)
    assert.ok(build(name) instanceof RequestError, name);
  for (const name of [
    'moveFailed',
    'pullFailed',
    'peerUnreachable',
    'nodeDidNotAnswer',
    'nodeUnreachable',
    'nodeRefused',
    'nodeRefusedMove',
    'fanOutRefused',
    'managerNotTold',
    'memberListUnreadable',
    'resizeFailed',
    'configRejected',
  ] as const)
    assert.ok(build(name) instanceof OperationalError, name);
  const cause = new Error('ECONNREFUSED');
  assert.equal(errors.peerUnreachable(cause).cause, cause);
  assert.equal(errors.memberListUnreadable('m:1', cause).cause, cause);
  assert.equal(errors.resizeFailed('x', cause).cause, cause);
  assert.equal(errors.resizeFailed('x').cause, undefined);
  assert.equal(errors.nodeDidNotAnswer('n:1', 'GET /keys', cause).cause, cause);
  // A refusal keeps the node's raw answer, and says its status and code (how a busy move_keys
  // is recognized).
  const answer = { statusCode: 400, body: '{}', errorCode: 'CP_ERR_MOVE_BUSY' as const };
  for (const refusal of [
    errors.nodeRefused('n:1', 'GET /keys', 'x', answer),
    errors.nodeRefusedMove('n:1', 'x', answer),
    errors.peerRefused('x', answer),
  ]) {
    assert.ok(refusal instanceof RefusedError);
    assert.equal(refusal.cause, answer);
    assert.equal(refusal.peerStatus, 400);
    assert.equal(refusal.peerCode, 'CP_ERR_MOVE_BUSY');
  }
  assert.equal(errors.peerRefused('x', { statusCode: 500 }).peerCode, undefined);
});

test('the messages of calls to nodes name the node, the call and its answer', () => {
  assert.equal(
    errors.nodeDidNotAnswer('127.0.0.1:9', 'POST /api/cache/key', undefined).message,
    'node 127.0.0.1:9 did not answer POST /api/cache/key',
  );
  assert.equal(errors.nodeUnreachable('127.0.0.1:9').message, 'node 127.0.0.1:9 cannot be reached');
  assert.equal(
    errors.nodeRefused('127.0.0.1:9', 'GET /keys', 'no token', { statusCode: 401 }).message,
    'node 127.0.0.1:9 refused GET /keys: 401 no token',
  );
  const move = errors.nodeRefusedMove('127.0.0.1:9', 'busy: x', { statusCode: 400 });
  assert.equal(move.message, 'node 127.0.0.1:9 refused POST /api/cache/move_keys: 400 busy: x');
  assert.equal(move.code, 'CP_ERR_MOVE_FAILED');
  assert.equal(
    errors.fanOutRefused('DELETE', '/api/cache', 'x').message,
    'a node refused DELETE /api/cache: x',
  );
});

test('the messages name the values and the option', () => {
  assert.equal(
    errors.valueOverLimit(2048, 1024).message,
    'value is 2048 bytes, the limit is 1024 bytes (--max-value-bytes)',
  );
  assert.equal(errors.valueOverLimit(2048, 1024).code, 'CP_ERR_VALUE_TOO_LARGE');
  assert.equal(
    errors.moveBusy(2).message,
    'busy: this node is already running 2 move_keys calls (the limit); retry when one has finished',
  );
  assert.equal(errors.moveBusy(2).code, 'CP_ERR_MOVE_BUSY');
  assert.equal(
    errors.moveRefused('10.0.0.1:5001', 'peer (see --peers)').message,
    '10.0.0.1:5001 is not an allowed peer (see --peers)',
  );
  assert.equal(errors.moveRefused('h:1', 'x').code, 'CP_ERR_MOVE_DEST_REFUSED');
  assert.equal(
    errors.moveTooManyKeys(3, 2).message,
    'move_keys lists 3 keys, the limit is 2 (--move-max-keys)',
  );
  assert.equal(errors.poolBusy().statusCode, 409);
  assert.equal(legacyStatus(errors.poolBusy()), 409);
  assert.equal(legacyStatus(errors.moveBusy(1)), 400);
});

test('the texts of the original never change', () => {
  assert.deepEqual(messages, {
    missingKey: 'Missing key',
    missingValue: 'Missing value',
    unknownKey: 'Unknown key',
    poolMax: 'The size of memcache pool has been reached to maximum',
    poolMin: 'The size of memcache pool has been reached to minimum',
    poolChangeInvalid: 'Parameter change can only be increase or decrease',
  });
  assert.equal(errors.missingKey().message, messages.missingKey);
  assert.equal(errors.poolMax().message, messages.poolMax);
});

test('describe quotes strings, cuts long values and never throws', () => {
  assert.equal(describeValue('abc'), '"abc"');
  assert.equal(describeValue(undefined), 'nothing');
  assert.equal(describeValue(3), '3');
  assert.ok(describeValue('x'.repeat(100)).endsWith('…"'));
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.equal(describeValue(cyclic), '[object Object]');
});

test('no module outside src/errors.ts builds a RequestError, an OperationalError or a bare CachePoolError itself', () => {
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && path !== join(root, 'src/errors.ts')) {
        const text = readFileSync(path, 'utf8');
        if (/new (RequestError|OperationalError|CachePoolError)\(/.test(text))
          offenders.push(path.slice(root.length));
      }
    }
  };
  walk(join(root, 'src'));
  assert.deepEqual(offenders, []);
});
