/**
 * The node's batches (docs/client.md, "Batches"; the framing is node/batch.ts's v1 records):
 * - `POST /v1/batch/get` with `{"keys":[…]}` answers a batch with one record per key, in order:
 *   key, the value's Content-Type and the value; a miss has an empty type and value (its type is
 *   FINAL_MISS_TYPE when the miss is final: CacheNode.missIsFinal). Each key is a counted GET.
 * - `POST /v1/batch/put[?ttl=S]` with a batch (`application/x-cachepool-batch`) stores every
 *   record and answers `{"stored":n}`.
 * At most defaults.batchMaxKeys keys per request. Every record is checked (key, value, size,
 * TTL) before any is stored, so a bad batch answers 4xx and changes nothing; a cut record is a
 * malformed body (400), a body over the limit 413.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors } from '../errors.js';
import { BATCH_CONTENT_TYPE, registerRawParsers, type TokenGuard } from '../http/index.js';
import { keyRoutes } from '../wire/index.js';
import {
  batchKeysOf,
  batchVersion,
  checkBatchCount,
  decodeBatch,
  encodeBatch,
  FINAL_MISS_TYPE,
  type BatchRecord,
} from './batch.js';
import type { CacheNode } from './cache-node.js';
import { rawEntry, valueOf } from './entry.js';
import { routedByOf } from './routed-by.js';
import { ttlOfV1 } from './ttl.js';

const EMPTY = Buffer.alloc(0);
const DEFAULT_TYPE = 'application/octet-stream';

/** Registers the batch routes in their own scope (raw bodies); `dataGuard` protects them. */
export async function registerBatchRoutes(
  app: FastifyInstance,
  node: CacheNode,
  dataGuard: TokenGuard,
): Promise<void> {
  await app.register(async (scope) => {
    registerRawParsers(scope);

    scope.post(
      '/v1/batch/get',
      { onRequest: dataGuard, schema: keyRoutes.batchGet },
      (request, reply) => {
        const keys = keysOf(node, request);
        const routedBy = routedByOf(request);
        // Refused as a whole (421) before any key is read when one is not served here.
        for (const key of keys) node.serves('read', key, routedBy);
        const records: BatchRecord[] = keys.map((key) => {
          const entry = node.get(key, routedBy);
          if (entry) return { key, type: entry.type, value: valueOf(entry) };
          return { key, type: node.missIsFinal(key) ? FINAL_MISS_TYPE : '', value: EMPTY };
        });
        reply.header('content-type', BATCH_CONTENT_TYPE).send(encodeBatch(records));
      },
    );

    scope.post(
      '/v1/batch/put',
      { onRequest: dataGuard, schema: keyRoutes.batchPut },
      (request, reply) => {
        const type = String(request.headers['content-type'] ?? '');
        if (!type.toLowerCase().startsWith(BATCH_CONTENT_TYPE) || batchVersion(type) !== 1)
          throw errors.unsupportedMedia(type);
        const expiresAtMs = node.deadlineAfter(
          ttlOfV1(request.query, request.headers['cache-control']),
        );
        const body = request.body;
        const records = decodeBatch(Buffer.isBuffer(body) ? body : EMPTY);
        checkBatchCount(records.length);
        const capacityBytes = node.store.capacityBytes;
        const routedBy = routedByOf(request);
        for (const [i, record] of records.entries()) {
          node.checkKey(record.key);
          if (record.value.length === 0)
            throw errors.invalid(`batch record ${i} (${JSON.stringify(record.key)}) has no value`);
          node.checkValueBytes(record.value.length);
          const entryBytes = Buffer.byteLength(record.key, 'utf8') + record.value.length;
          if (entryBytes > capacityBytes) throw errors.valueTooLarge(entryBytes, capacityBytes);
          node.serves('write', record.key, routedBy);
        }
        for (const record of records) storeRecord(node, record, expiresAtMs, routedBy);
        reply.code(200).send({ stored: records.length });
      },
    );
  });
}

function storeRecord(
  node: CacheNode,
  record: BatchRecord,
  expiresAtMs: number,
  routedBy: number | undefined,
): void {
  node.put(record.key, rawEntry(record.value, record.type || DEFAULT_TYPE), expiresAtMs, routedBy);
}

function keysOf(node: CacheNode, request: FastifyRequest): string[] {
  const keys = batchKeysOf(request.body);
  for (const key of keys) node.checkKey(key);
  return keys;
}
