/** The cache node: its app factory and the pieces tests and the pool reuse. */
export { buildNodeApp } from './app.js';
export { CacheNode, } from './cache-node.js';
export { encodeBatch, encodeBatchChunks, decodeBatch, batchVersion, recordBytes, BATCH_V2_CONTENT_TYPE, BATCH_FLAG_JSON_TEXT, BATCH_FLAG_EXPIRES, importLimitBytes, } from './batch.js';
export { BatchDecoder, DecodedBatch, readBatch, } from './batch-decoder.js';
export { parsePeer, PeerPolicy, sameAddress } from './peers.js';
export { Publisher } from './publisher.js';
export { openapi } from './openapi.js';
export { TEXT_TYPE } from './entry.js';
export { PoolMembers } from './members.js';
export { PoolMovePolicy, StandaloneMovePolicy } from './move-policy.js';
//# sourceMappingURL=index.js.map