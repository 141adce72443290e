/**
 * The node's internal endpoints (docs/internal-api.md): batch import (both batch versions, decoded
 * as the body streams in), the pulled batch's two ends (`/internal/pull`, `/internal/export/<id>`),
 * migration fences and move_keys. All are control endpoints behind the token guard. move_keys
 * runs at most `moveConcurrency` calls at once (one more: 409 busy, retry) and contacts only the
 * addresses its MovePolicy allows (a refusal: 400 and a warning in the log).
 */
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { defaults } from '../defaults.js';
import { CachePoolError, errors } from '../errors.js';
import { BATCH_CONTENT_TYPE, readFields, sendSuccess, type TokenGuard } from '../http/index.js';
import { BatchExports } from './batch-exports.js';
import { pullBatch } from './batch-pull.js';
import { parsePeer } from './peers.js';
import { nodeRoutes } from '../wire/index.js';
import { PARTITION_COUNT } from '../partition/partition-of.js';
import { BATCH_V2_CONTENT_TYPE, batchVersion, importLimitBytes } from './batch.js';
import { DecodedBatch, readBatch, VALUE_BLOCK_BYTES, ValueBlocks } from './batch-decoder.js';
import type { CacheNode } from './cache-node.js';
import { checkMove, planMove, runMove, type MoveOptions } from './move-keys.js';

/** Registers the internal routes. `selfAddress` is this node's `host:port` once it listens. */
export function registerInternalRoutes(
  app: FastifyInstance,
  node: CacheNode,
  guard: TokenGuard,
  selfAddress: () => string,
  moveOptions: MoveOptions,
  moveConcurrency: number = defaults.moveConcurrency,
): void {
  let movesRunning = 0;
  const bodyLimitBytes = app.initialConfig.bodyLimit ?? defaults.bodyLimitBytes;
  // Whatever this node accepts it must be able to move (issue 9): batches of several records are
  // cut at the body limit, so that a destination with the same limit takes them, and the import
  // admits one record a little larger than the limit (its head, key and type besides a value as
  // large as a whole put body).
  const exports = moveOptions.exports ?? new BatchExports();
  const moveLimits: MoveOptions = {
    ...moveOptions,
    batchBytes: Math.min(moveOptions.batchBytes ?? defaults.moveBatchBytes, bodyLimitBytes),
    exports,
  };
  const importLimit = importLimitBytes(bodyLimitBytes, node.maxKeyBytes);
  // Small values of imported batches are decoded into blocks used again (batch-decoder.ts); as
  // many wait for the next batch as the store's garbage allowance holds (1 at 16 MB, 8 at most).
  const blocks = new ValueBlocks(VALUE_BLOCK_BYTES, () =>
    Math.min(8, Math.max(1, Math.floor(node.store.garbageAllowanceBytes / VALUE_BLOCK_BYTES))),
  );
  const pooledMaxBytes = () => node.store.copiedValueMaxBytes;
  const store = (batch: DecodedBatch, migration: string | undefined) => {
    try {
      for (const record of batch.records) node.checkKey(record.key);
      return node.importRecords(batch.records, migration);
    } finally {
      batch.release();
    }
  };
  // The batch body is decoded as it streams in (batch-decoder.ts), in a scope of its own so that
  // no other route sees a decoded batch.
  app.register(async (scope) => {
    scope.removeContentTypeParser(BATCH_CONTENT_TYPE);
    scope.addContentTypeParser(
      BATCH_CONTENT_TYPE,
      (request: FastifyRequest, payload: Readable): Promise<DecodedBatch> => {
        const type = String(request.headers['content-type'] ?? '');
        const version = batchVersion(type);
        if (version === undefined) return Promise.reject(errors.unsupportedMedia(type));
        // The HTTP parser checks Content-Length; anything else (none, chunked) is bounded by the limit.
        const length = Number(request.headers['content-length'] ?? NaN);
        return readBatch(payload, {
          version,
          maxValueBytes: node.maxValueBytes,
          bodyLimitBytes: importLimit,
          contentLength: Number.isSafeInteger(length) && length >= 0 ? length : undefined,
          blocks,
          pooledMaxBytes: pooledMaxBytes(),
        });
      },
    );
    scope.post(
      '/internal/import',
      { onRequest: guard, schema: nodeRoutes.import },
      (request, reply) => {
        const body = request.body;
        if (!(body instanceof DecodedBatch))
          throw errors.unsupportedMedia(String(request.headers['content-type'] ?? ''));
        const migration = readMigration((request.query as Record<string, unknown>).migration);
        sendSuccess(reply, store(body, migration));
      },
    );
  });

  app.post(
    '/internal/pull',
    { onRequest: guard, schema: nodeRoutes.pull },
    async (request, reply) => {
      const fields = readFields(request);
      const { from, batch } = fields;
      if (typeof from !== 'string' || from === '') throw errors.invalid('from must be "host:port"');
      if (typeof batch !== 'string' || batch === '' || batch.length > 64)
        throw errors.invalid('batch must be a batch id');
      const migration = readMigration(fields.migration);
      const source = parsePeer(from);
      // This node contacts only whom it could send keys to (docs/security.md).
      await moveLimits.policy.checkDestinations([source], 'source');
      const pulled = await pullBatch(source, batch, {
        token: moveOptions.token,
        timeoutMs: moveOptions.timeoutMs ?? defaults.peerTimeoutMs,
        maxValueBytes: node.maxValueBytes,
        limitBytes: importLimit,
        blocks,
        pooledMaxBytes: pooledMaxBytes(),
      });
      return sendSuccess(reply, store(pulled, migration));
    },
  );

  app.get(
    '/internal/export/:id',
    { onRequest: guard, schema: nodeRoutes.export },
    (request, reply) => {
      const { id } = request.params as { id: string };
      const batch = exports.take(id);
      if (!batch) throw errors.batchUnknown(id);
      // The buffers go out as they are, one after the other (values are not copied).
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': BATCH_V2_CONTENT_TYPE,
        'content-length': batch.bytes,
        connection: 'close',
      });
      raw.cork();
      for (const chunk of batch.chunks) raw.write(chunk);
      raw.end();
      raw.uncork();
    },
  );

  app.post(
    '/internal/migration/begin',
    { onRequest: guard, schema: nodeRoutes.migrationBegin },
    (request, reply) => {
      const fields = readFields(request);
      const id = fields.id;
      const partitions = fields.partitions;
      if (typeof id !== 'string' || id === '')
        throw errors.invalid('id must be a non-empty string');
      if (
        !Array.isArray(partitions) ||
        !partitions.every(
          (p) => Number.isInteger(p) && (p as number) >= 0 && (p as number) < PARTITION_COUNT,
        )
      ) {
        throw errors.invalid(
          `partitions must be a list of integers from 0 to ${PARTITION_COUNT - 1}`,
        );
      }
      for (const flag of ['keep', 'early', 'drop_all'] as const)
        if (fields[flag] !== undefined && typeof fields[flag] !== 'boolean')
          throw errors.invalid(`${flag} must be true or false`);
      const drop = fields.drop;
      if (
        drop !== undefined &&
        (!Array.isArray(drop) || !drop.every((key) => typeof key === 'string' && key !== ''))
      )
        throw errors.invalid('drop must be a list of keys');
      const keep = fields.keep === true;
      if (!keep && (fields.early === true || fields.drop_all === true || drop !== undefined))
        throw errors.invalid('early, drop and drop_all go with keep only');
      const dropped = node.beginMigration(id, partitions as number[], keep, {
        early: fields.early === true,
        dropAll: fields.drop_all === true,
        ...(drop !== undefined ? { drop: drop as string[] } : {}),
      });
      sendSuccess(reply, { id, dropped });
    },
  );

  app.post(
    '/internal/migration/end',
    { onRequest: guard, schema: nodeRoutes.migrationEnd },
    (request, reply) => {
      const id = readFields(request).id;
      if (typeof id !== 'string' || id === '')
        throw errors.invalid('id must be a non-empty string');
      const record = node.fences.end(id);
      sendSuccess(reply, {
        id,
        ended: record !== undefined,
        touched: record?.touched ?? [],
        cleared: record?.cleared ?? false,
      });
    },
  );

  app.post(
    '/api/cache/move_keys',
    { onRequest: guard, schema: nodeRoutes.moveKeys },
    async (request, reply) => {
      // Counted before any await: two calls checked in the same tick cannot both pass the limit.
      if (movesRunning >= moveConcurrency) throw errors.moveBusy(movesRunning);
      movesRunning++;
      try {
        const plan = planMove(readFields(request), request.ip, selfAddress(), moveLimits);
        try {
          await checkMove(plan, moveLimits.policy);
        } catch (error) {
          if (error instanceof CachePoolError && error.code === 'CP_ERR_MOVE_DEST_REFUSED') {
            request.log.warn({ from: request.ip, reason: error.message }, 'move_keys refused');
          }
          throw error;
        }
        const result = await runMove(node, plan, moveLimits);
        return sendSuccess(reply, result);
      } finally {
        movesRunning--;
      }
    },
  );
}

/** The migration an import belongs to, if any: absent, or a non-empty id (else a 400). */
function readMigration(value: unknown): string | undefined {
  if (value !== undefined && (typeof value !== 'string' || value === ''))
    throw errors.invalid('migration must be a non-empty id');
  return value;
}
