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
  /**
   * Slots of the store a node examines for expired entries on each statistics tick (bounds the
   * work of one sweep: about a millisecond).
   */
  expirySweepSlots: 65_536,
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
  /**
   * A failover that failed (a pool left with no member up, and no fresh node could be started
   * for it) is tried again after this long, in ms, for as long as its member is down.
   */
  failoverRetryMs: 5_000,
  /** Milliseconds between two health probes of every member by the manager. */
  healthIntervalMs: 1_000,
  /** Consecutive failed health probes after which the manager marks a member `down`. */
  healthFailuresDown: 3,
  /**
   * Milliseconds without a successful health probe after which the manager declares a member
   * `down` and fails its partitions over to the others (`--down-after`).
   */
  downAfterMs: 5_000,
  /** Timeout of one health probe, in ms (a hung node must not hold up the next probe). */
  healthProbeTimeoutMs: 1_500,
  /**
   * Timeout of a gateway's data call to a node (get, put, invalidate), in ms: a hung node costs
   * at most this much once, then its breaker answers at once (`--node-timeout`).
   */
  nodeCallTimeoutMs: 2_000,
  /** Tries of a rollback's backward move for the moves whose nodes still answer. */
  rollbackAttempts: 3,
  /**
   * Keys a rollback names to an old owner to drop (what its new owner was written during the
   * failed move) before it asks it to drop every key of the partitions instead: the list travels
   * in one request, under the node's body limit.
   */
  rollbackDropKeysMax: 100_000,
  /** Milliseconds a node's breaker stays open after a failed call before one call tries again. */
  breakerOpenMs: 1_000,
  /**
   * A pool node whose own process stood still this long (ms) serves nothing until its manager
   * says it is still a member (it keeps its keys) or failed it over (it drops them and registers
   * again; src/node/stall-guard.ts).
   * The manager cannot fail a node over before it has been silent for downAfterMs since its last
   * answer, which came at most healthIntervalMs before the stall began; a node registered with a
   * manager uses that manager's downAfterMs minus 1.5 s (never under 500 ms).
   */
  nodeStallMs: 3_500,
  /**
   * How long a pool node stopped by SIGTERM waits for the manager to hand its keys off before it
   * exits anyway, in ms (`--leave-grace`): under Kubernetes's default 30 s grace period.
   */
  leaveGraceMs: 25_000,
  /** How often a pool node checks that its process was not frozen, in ms. */
  stallCheckMs: 250,
  /** Keys per move_keys call the manager asks for during a resize (`--move-chunk-keys`). */
  moveChunkKeys: 2_000,
  /**
   * move_keys calls one node runs at once (`--move-concurrency`); one more: 409 busy, retry. Also
   * the calls the manager keeps in flight per source during a resize (applyPlan `movesInFlight`).
   */
  moveConcurrency: 2,
  /** Sweeps of a source after its main handoff pass before a resize gives up on it. */
  moveMaxSweeps: 5,
  /**
   * How long a move_keys call refused as busy is asked again, in ms: a node stays busy while its
   * earlier calls run, up to a peer timeout (10 s) when one waits on a silent destination.
   */
  moveBusyRetryForMs: 15_000,
  /** Pause between two tries of a move_keys call refused as busy, in ms. */
  moveBusyRetryMs: 25,
  /** Passes of a failed resize handing a destination's keys back to their old owners. */
  moveHandBackPasses: 3,
  /**
   * How long a routing publish waits for the requests routed by the older view, in ms; past it
   * the migration goes on and its sweep catches a late write.
   */
  drainTimeoutMs: 10_000,
  /** Keep-alive connections of the manager's client to one node. */
  nodeClientConnections: 16,
  /** Keep-alive connections of the gateway to one node (more than its usual client connections). */
  gatewayConnections: 64,
  /** How long an idle keep-alive connection to a node is kept, in ms. */
  keepAliveTimeoutMs: 30_000,
  /** Longest wait for a connection to a node, in ms (the call's own timeout when shorter). */
  connectTimeoutMs: 5_000,
  /** Characters of a node's failure answer quoted in an error message. */
  answerExcerptChars: 200,
  /** How long a stopped local node has after SIGTERM before it gets SIGKILL, in ms. */
  nodeStopGraceMs: 5_000,
  /** How long each shutdown step of a process (close a server, stop nodes) may take, in ms. */
  shutdownStepTimeoutMs: 10_000,
  /** How long a node uses the pool member list it fetched from its manager, in ms. */
  membersTtlMs: 2_000,
  /**
   * Part counts of one multipart body (each part also bounded by the body limit); over them: 400.
   * `maxFields` (`--max-fields`) counts non-file fields, `maxParts` (`--max-parts`) fields and
   * files together, `maxFiles` file parts (a legacy client sends a value as at most one file).
   */
  multipart: { maxFields: 100, maxParts: 110, maxFiles: 10 },
  /** Metrics retention of the manager (1-minute points and resize events), in hours. */
  metricsRetentionH: 24,
  /** Retention of the raw per-node samples behind the 1-minute points, in hours. */
  metricsRawRetentionH: 24,
  /**
   * Two samples of one node further apart than this (ms) give no delta: the node or the manager
   * was away, and the counters' growth cannot be placed in a minute.
   */
  metricsMaxGapMs: 120_000,
  /** Auto-scaler decisions kept in the manager's database; the oldest go first. */
  decisionLogLimit: 10_000,
  /** Auto-scaler decisions `GET /api/manager/autoscaler` shows, newest first. */
  decisionsShown: 100,
  /** Finished migrations kept in the manager's database (with their moves). */
  migrationHistoryLimit: 100,
  /** How long the local provisioner waits for a node's listening line, in ms. */
  nodeStartTimeoutMs: 15_000,
  /** Restarts of one local node per minute after which it is given up. */
  nodeRestartsPerMinute: 5,
  /** Resize events the manager keeps in memory for `GET /api/manager/events`. */
  resizeEventsKept: 1_000,
  /** How much of each node's snapshot history the manager keeps for its miss rate, in ms. */
  snapshotHistoryMs: 5 * 60_000,
  /** The window of the hit and miss rates in the manager's node list (`/api/manager/nodes`), in ms. */
  nodeRatesWindowMs: 60_000,
  /** Limits and defaults of `cachepool load` (the workload generator). */
  load: {
    /** Most operations started per second (`--rate`). */
    maxRate: 20_000,
    /** Most distinct keys (`--keys`). */
    maxKeys: 10_000_000,
    /** Longest run, in seconds (`--duration`). */
    maxDurationS: 3600,
    /** Largest value, in bytes (`--value-bytes`). */
    maxValueBytes: 8 * MB,
    /** Value length when `--value-bytes` is not given, in bytes. */
    defaultValueBytes: 1024,
    /** Requests in flight when `--concurrency` is not given. */
    defaultConcurrency: 32,
    /** Most requests in flight (`--concurrency`). */
    maxConcurrency: 512,
    /** Timeout of one request of the load, in ms. */
    requestTimeoutMs: 10_000,
  },
  dataDir: '.cachepool',
  /** Most keys of one `/v1/batch/get` or `/v1/batch/put` request (docs/client.md). */
  batchMaxKeys: 1000,
  /** The application client (src/client, docs/client.md). */
  client: {
    /** Timeout of one request to a node, the gateway or the manager, in ms. */
    timeoutMs: 5_000,
    /** Keep-alive connections to one node. */
    connectionsPerNode: 32,
    /** How often the partition table is read again from the manager, in ms (0: only on a 421). */
    refreshIntervalMs: 1_000,
    /** Bytes of values in one batch request the client sends (below the nodes' body limit). */
    batchMaxBytes: 16 * MB,
    /** After a 421, table reads until the manager's table catches up with the node's version. */
    catchUpReads: 40,
    /** Wait between two of those reads, in ms. */
    catchUpWaitMs: 25,
  },
  /** How often a standalone gateway reads the manager's partition table, in ms. */
  gatewayTableIntervalMs: 500,
} as const;
