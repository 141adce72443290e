/** The cache node: its app factory and the pieces tests and the pool reuse. */
export { buildNodeApp, type NodeApp, type NodeAppOptions } from './app.js';
export {
  CacheNode,
  type CacheNodeOptions,
  type NodeConfig,
  type ImportOutcome,
} from './cache-node.js';
export {
  encodeBatch,
  encodeBatchChunks,
  decodeBatch,
  batchVersion,
  recordBytes,
  BATCH_V2_CONTENT_TYPE,
  BATCH_FLAG_JSON_TEXT,
  BATCH_FLAG_EXPIRES,
  importLimitBytes,
  type BatchRecord,
} from './batch.js';
export {
  BatchDecoder,
  DecodedBatch,
  readBatch,
  type ImportRecord,
  type BatchDecoderOptions,
  type ReadBatchOptions,
} from './batch-decoder.js';
export { parsePeer, PeerPolicy, sameAddress, type PeerAddress } from './peers.js';
export { Publisher, type PublisherOptions } from './publisher.js';
export { nodeDocument } from './document.js';
export {
  followGarbageAllowance,
  nodeProcessEnv,
  tuneNodeHeap,
  NODE_SEMI_SPACE_MB,
} from './runtime.js';
export { TEXT_TYPE, type Entry } from './entry.js';
export { PoolMembers, type PoolMembersOptions } from './members.js';
export { PoolMovePolicy, StandaloneMovePolicy, type MovePolicy } from './move-policy.js';
