/**
 * Every default of cachepool, written once. Options, the CLI, the docs and the tests read them
 * from here; nothing else spells a default value.
 */

export const MB = 1024 * 1024;

export const defaults = {
  /** Node HTTP port (the original's). */
  nodePort: 5001,
  /** Gateway HTTP port (the original's front end). */
  gatewayPort: 5000,
  /** Manager and dashboard HTTP port. */
  managerPort: 5004,
  host: '127.0.0.1',
  /**
   * Capacity of a node before any config call, in MB. The original's 3 bytes refused every real
   * image; 64 MB holds ~600 images of 100 KB.
   */
  capacityMb: 64,
  replacementPolicy: 'lru',
  /** Seconds between two statistics snapshots of a node. */
  statsIntervalS: 5,
  /** Seconds between two auto-scaler decisions. */
  scaleIntervalS: 60,
  /** Snapshots kept by a node for its 10-minute figures. */
  statsWindowS: 600,
  /** Largest request body a node or the gateway accepts, in bytes (32 MB). */
  bodyLimitBytes: 32 * MB,
  /** Longest key, in UTF-8 bytes (memcached allows 250; image names and URLs need more). */
  maxKeyBytes: 1024,
  /** Keys per batch when move_keys hands keys off to another node. */
  moveBatchKeys: 256,
  /** Bytes per batch when move_keys hands keys off (whichever limit comes first). */
  moveBatchBytes: 8 * MB,
  /** Most keys one move_keys call may list, over all destinations. */
  moveMaxKeys: 1_000_000,
  /** Timeout of one node-to-node request, in ms. */
  peerTimeoutMs: 10_000,
  minNodes: 1,
  maxNodes: 8,
  startNodes: 1,
  partitions: 16,
  partitionStrategy: 'minimal',
  /** Auto-scaler parameters of the original manager app. */
  autoscale: {
    maxMissRateThreshold: 0.5,
    minMissRateThreshold: 0.1,
    expandRatio: 2,
    shrinkRatio: 0.5,
    /** GET requests in the last period below which the auto-scaler does not decide. */
    minRequests: 20,
  },
  /**
   * How long one provisioner command (`--scale-command`, `--remove-command`) may run before its
   * whole process group is killed, in ms (2 minutes: a `docker compose up` may pull an image).
   */
  commandTimeoutMs: 120_000,
  /** How long the manager waits for the nodes a scale command started to register, in ms. */
  registrationTimeoutMs: 60_000,
  /** Milliseconds between two health probes of every member by the manager. */
  healthIntervalMs: 2_000,
  /** Consecutive failed health probes after which the manager marks a member `down`. */
  healthFailuresDown: 3,
  /** Keys per move_keys call the manager asks for during a resize (`--move-chunk-keys`). */
  moveChunkKeys: 2_000,
  /** Metrics retention of the manager, in hours. */
  metricsRetentionH: 24,
  dataDir: '.cachepool',
} as const;

export type PolicyName = string;
