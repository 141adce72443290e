/**
 * `cachepool node`: one cache node. Parses options (each also from CACHEPOOL_<OPTION>), resolves
 * the token (`--token` or `--token-file`), builds the node's app, listens, starts the statistics
 * publisher and stops cleanly on SIGTERM/SIGINT. Security options and limits: docs/security.md.
 */
import type { Command } from 'commander';
import { defaults, MB } from '../defaults.js';
import { urlOf } from '../http/index.js';
import {
  buildNodeApp,
  followGarbageAllowance,
  NODE_SEMI_SPACE_MB,
  tuneNodeHeap,
} from '../node/index.js';
import { policyNames } from '../store/index.js';
import {
  addOption,
  addTokenOptions,
  booleanOption,
  choiceOption,
  createLogger,
  integerOption,
  listenOn,
  listOption,
  onShutdown,
  positiveNumberOption,
  runMain,
  tokenOf,
} from './common.js';

/** Options of `cachepool node` after parsing. */
interface NodeCliOptions {
  leaveGrace: number;
  host: string;
  port: number;
  capacity: number;
  policy: string;
  index: number;
  manager?: string;
  statsInterval: number;
  token?: string;
  tokenFile?: string;
  protectData?: boolean;
  peers?: string[];
  bodyLimit: number;
  maxKeyBytes: number;
  maxValueBytes?: number;
  moveMaxKeys: number;
  moveConcurrency: number;
  maxFields: number;
  maxParts: number;
  allowInsecure?: boolean;
}

/** Adds `cachepool node` to `program`. */
export function registerNodeCommand(program: Command): void {
  const command = program.command('node').description('run one cache node');
  addOption(command, '--host <host>', 'address to listen on', String, defaults.host);
  addOption(
    command,
    '--port <port>',
    'port to listen on (0 picks a free one)',
    integerOption('--port', 0, 65535),
    defaults.nodePort,
  );
  addOption(
    command,
    '--capacity <mb>',
    'capacity in MB',
    integerOption('--capacity', 0),
    defaults.capacityMb,
  );
  addOption(
    command,
    '--policy <name>',
    `replacement policy (${policyNames().join(', ')})`,
    choiceOption('--policy', policyNames()),
    defaults.replacementPolicy,
  );
  addOption(command, '--index <n>', 'cache_index of this node', integerOption('--index', 0), 0);
  addOption(
    command,
    '--manager <url>',
    'manager to register with and publish statistics to (http://host:port)',
  );
  addOption(
    command,
    '--stats-interval <s>',
    'seconds between statistics snapshots',
    positiveNumberOption('--stats-interval'),
    defaults.statsIntervalS,
  );
  addOption(
    command,
    '--leave-grace <ms>',
    'on SIGTERM, how long a pool node waits for its keys to be handed off before it exits',
    integerOption('--leave-grace', 0),
    defaults.leaveGraceMs,
  );
  addTokenOptions(
    command,
    'pool token required by control endpoints',
    'require the token on get, put, invalidate, /keys and /v1 too',
  );
  addOption(
    command,
    '--peers <list>',
    'peers move_keys may send to when standalone: host or host:port, comma-separated',
    listOption,
  );
  addOption(
    command,
    '--body-limit <bytes>',
    'largest request body in bytes',
    integerOption('--body-limit', 1),
    defaults.bodyLimitBytes,
  );
  addOption(
    command,
    '--max-key-bytes <bytes>',
    'longest key in UTF-8 bytes',
    integerOption('--max-key-bytes', 1),
    defaults.maxKeyBytes,
  );
  addOption(
    command,
    '--max-value-bytes <bytes>',
    'largest value in bytes (default: the body limit)',
    integerOption('--max-value-bytes', 1),
  );
  addOption(
    command,
    '--move-max-keys <n>',
    'most keys one move_keys call may list',
    integerOption('--move-max-keys', 1),
    defaults.moveMaxKeys,
  );
  addOption(
    command,
    '--move-concurrency <n>',
    'move_keys calls run at once (more: 409 busy)',
    integerOption('--move-concurrency', 1),
    defaults.moveConcurrency,
  );
  addOption(
    command,
    '--max-fields <n>',
    'most fields of one multipart body',
    integerOption('--max-fields', 1),
    defaults.multipart.maxFields,
  );
  addOption(
    command,
    '--max-parts <n>',
    'most parts (fields and files) of one multipart body',
    integerOption('--max-parts', 1),
    defaults.multipart.maxParts,
  );
  addOption(
    command,
    '--allow-insecure [bool]',
    'allow a non-loopback --host without --token',
    booleanOption('--allow-insecure'),
  );
  command.action(async (options: NodeCliOptions) => {
    const logger = createLogger();
    await runMain(logger, async () => {
      if (!tuneNodeHeap().semiSpaceCapped) {
        logger.warn(
          { role: 'node' },
          `started without --max-semi-space-size=${NODE_SEMI_SPACE_MB} (node's argument or NODE_OPTIONS): ` +
            'a burst of writes may hold up to 32 MB more than the capacity bound allows (docs/operations.md)',
        );
      }
      const token = tokenOf(options, logger, 'node');
      if (options.manager && options.peers && options.peers.length > 0) {
        logger.warn(
          { role: 'node' },
          '--peers is ignored with --manager: move_keys sends to the pool members only',
        );
      }
      const { app, publisher, setAddress, node } = await buildNodeApp({
        host: options.host,
        capacityMb: options.capacity,
        policy: options.policy,
        cacheIndex: options.index,
        managerUrl: options.manager,
        statsIntervalS: options.statsInterval,
        token,
        protectData: options.protectData ?? false,
        peers: options.peers ?? [],
        bodyLimitBytes: options.bodyLimit,
        maxKeyBytes: options.maxKeyBytes,
        maxValueBytes: options.maxValueBytes ?? options.bodyLimit,
        moveMaxKeys: options.moveMaxKeys,
        moveConcurrency: options.moveConcurrency,
        multipart: {
          maxFields: Math.min(options.maxFields, options.maxParts),
          maxParts: options.maxParts,
        },
        logger,
      });
      followGarbageAllowance(() => node.store.garbageAllowanceBytes);
      // Steps run last first: a pool node hands its keys off while it still serves, then closes.
      onShutdown(() => app.close(), logger, options.leaveGrace + defaults.shutdownStepTimeoutMs);
      onShutdown(() => publisher.leave(options.leaveGrace), logger);
      const { port } = await listenOn(
        app,
        {
          host: options.host,
          port: options.port,
          role: 'node',
          logger,
          token,
          allowInsecure: options.allowInsecure,
        },
        '--port',
      );
      const hostPort = new URL(urlOf(options.host, port)).host;
      setAddress(hostPort);
      logger.info(
        {
          cache_index: node.cacheIndex,
          capacity_bytes: options.capacity * MB,
          policy: node.policy,
        },
        'node ready',
      );
      publisher.start();
    });
  });
}
