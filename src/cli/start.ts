/**
 * `cachepool start` — the embedded default (README "Commands"): the manager and the gateway in
 * this process, the cache nodes as supervised local processes (or from another provisioner).
 * `runPool` is shared with `cachepool manager`, which runs the same without a gateway. A start
 * that fails part-way (a busy port, a corrupt database) stops what it had started and exits 1.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { defaults } from '../defaults.js';
import { dashboardPlugin } from '../dashboard/index.js';
import { OptionError } from '../errors.js';
import {
  buildManagerApp,
  CommandProvisioner,
  configFromFields,
  LocalProvisioner,
  Manager,
  registerObservability,
  Scaling,
  StateDb,
  StaticProvisioner,
  type Provisioner,
} from '../manager/index.js';
import { MetricsStore } from '../metrics/metrics-store.js';
import { partitionStrategies, type PartitionStrategy } from '../partition/index.js';
import { buildGatewayApp, Routing } from '../pool/index.js';
import { policyNames } from '../store/index.js';
import { describePool } from './banner.js';
import {
  addOption,
  addTokenOptions,
  booleanOption,
  choiceOption,
  createLogger,
  ensureDirectory,
  integerOption,
  listenOn,
  listOption,
  logsForPeople,
  onShutdown,
  positiveNumberOption,
  runMain,
  tokenOf,
} from './common.js';

/** The options of `start` and `manager`, after parsing. */
export interface PoolCliOptions {
  host: string;
  port: number;
  gatewayPort?: number;
  nodes: number;
  min: number;
  max: number;
  capacity: number;
  policy: string;
  dataDir: string;
  statsInterval: number;
  scaleInterval: number;
  token?: string;
  tokenFile?: string;
  protectData?: boolean;
  strategy: PartitionStrategy;
  moveChunkKeys: number;
  provisioner: 'local' | 'command' | 'static';
  scaleCommand?: string;
  removeCommand?: string;
  nodesList?: string[];
  allowInsecure?: boolean;
  downAfter: number;
  nodeTimeout?: number;
}

/** Adds the options `start` and `manager` share. */
export function addPoolOptions(command: Command): Command {
  addOption(command, '--host <host>', 'address to listen on', String, defaults.host);
  addOption(
    command,
    '--port <port>',
    'manager (and dashboard) port',
    integerOption('--port', 0, 65535),
    defaults.managerPort,
  );
  addOption(
    command,
    '--nodes <n>',
    'nodes of a new pool (a restarted pool keeps its own)',
    integerOption('--nodes', 1, 64),
    defaults.startNodes,
  );
  addOption(command, '--min <n>', 'fewest nodes', integerOption('--min', 1, 64), defaults.minNodes);
  addOption(command, '--max <n>', 'most nodes', integerOption('--max', 1, 64), defaults.maxNodes);
  addOption(
    command,
    '--capacity <mb>',
    'capacity of each node of a new pool, in MB',
    integerOption('--capacity', 0),
    defaults.capacityMb,
  );
  addOption(
    command,
    '--policy <name>',
    `replacement policy of a new pool (${policyNames().join(', ')})`,
    choiceOption('--policy', policyNames()),
    defaults.replacementPolicy,
  );
  addOption(
    command,
    '--data-dir <dir>',
    "directory of the manager's database (and the local nodes' logs)",
    String,
    defaults.dataDir,
  );
  addOption(
    command,
    '--stats-interval <s>',
    'seconds between node statistics snapshots',
    positiveNumberOption('--stats-interval'),
    defaults.statsIntervalS,
  );
  addOption(
    command,
    '--scale-interval <s>',
    'seconds between auto-scaler decisions',
    positiveNumberOption('--scale-interval'),
    defaults.scaleIntervalS,
  );
  addOption(
    command,
    '--down-after <ms>',
    'milliseconds without an answer after which a node is declared dead and its partitions fail over',
    integerOption('--down-after', 500),
    defaults.downAfterMs,
  );
  addTokenOptions(
    command,
    'pool token required on control endpoints',
    'the gateway and the nodes require the token on get, put, invalidate, /keys and /v1 too (needs a token)',
  );
  addOption(
    command,
    '--strategy <name>',
    'partition assignment strategy',
    choiceOption('--strategy', partitionStrategies),
    defaults.partitionStrategy,
  );
  addOption(
    command,
    '--move-chunk-keys <n>',
    'keys per move_keys call during a resize',
    integerOption('--move-chunk-keys', 1),
    defaults.moveChunkKeys,
  );
  addOption(
    command,
    '--provisioner <kind>',
    'how nodes are started: local, command or static',
    choiceOption('--provisioner', ['local', 'command', 'static']),
    'local',
  );
  addOption(
    command,
    '--scale-command <cmd>',
    'command provisioner: shell command that scales the nodes to {count}',
  );
  addOption(
    command,
    '--remove-command <cmd>',
    'command provisioner: shell command that removes the node {address} / {host}',
  );
  addOption(
    command,
    '--nodes-list <list>',
    'static provisioner: the nodes, host:port, comma-separated',
    listOption,
  );
  addOption(
    command,
    '--allow-insecure [bool]',
    'allow a non-loopback --host without --token',
    booleanOption('--allow-insecure'),
  );
  return command;
}

/** Registers `cachepool start`. */
export function registerStartCommand(program: Command): void {
  const command = program
    .command('start')
    .description('run a whole pool: manager, gateway and local cache nodes');
  addPoolOptions(command);
  addOption(
    command,
    '--gateway-port <port>',
    'gateway port',
    integerOption('--gateway-port', 0, 65535),
    defaults.gatewayPort,
  );
  addOption(
    command,
    '--node-timeout <ms>',
    'gateway: timeout of a call to a node; a node that misses it is skipped for a while (reads miss)',
    integerOption('--node-timeout', 1),
    defaults.nodeCallTimeoutMs,
  );
  command.action(async (options: PoolCliOptions) => {
    await runPool(options, true);
  });
}

/** Checks the options that depend on each other; throws an OptionError naming the option. */
function checkPoolOptions(options: PoolCliOptions): void {
  if (options.min > options.max)
    throw new OptionError('--min', `must be <= --max (${options.max})`, options.min);
  if (options.nodes < options.min || options.nodes > options.max) {
    throw new OptionError(
      '--nodes',
      `must be from --min to --max (${options.min}..${options.max})`,
      options.nodes,
    );
  }
  if (options.provisioner === 'command' && !options.scaleCommand)
    throw new OptionError('--scale-command', 'is required with --provisioner command', undefined);
  if (options.provisioner === 'static' && !options.nodesList?.length)
    throw new OptionError('--nodes-list', 'is required with --provisioner static', undefined);
  if (options.provisioner !== 'command' && (options.scaleCommand || options.removeCommand)) {
    throw new OptionError(
      options.scaleCommand ? '--scale-command' : '--remove-command',
      'needs --provisioner command',
      options.provisioner,
    );
  }
  if (options.provisioner !== 'static' && options.nodesList?.length)
    throw new OptionError('--nodes-list', 'needs --provisioner static', options.provisioner);
}

/** The provisioner the options ask for; `isMember` reads the manager's membership. */
function createProvisioner(
  options: PoolCliOptions,
  token: string | undefined,
  logger: Logger,
  isMember: (address: string) => boolean,
): Provisioner & { setManagerUrl?(url: string): void } {
  if (options.provisioner === 'command') {
    return new CommandProvisioner({
      scaleCommand: options.scaleCommand!,
      removeCommand: options.removeCommand,
      env: {
        ...(token ? { CACHEPOOL_TOKEN: token } : {}),
        ...(token && options.protectData ? { CACHEPOOL_PROTECT_DATA: '1' } : {}),
      },
      logger,
    });
  }
  if (options.provisioner === 'static') {
    return new StaticProvisioner({
      nodes: options.nodesList!,
      isMember,
      logger,
      ...(token ? { token } : {}),
    });
  }
  return new LocalProvisioner({
    statsIntervalS: options.statsInterval,
    token,
    protectData: options.protectData ?? false,
    logger,
    logDir: join(options.dataDir, 'nodes'),
  });
}

/** Runs the manager (and, with `withGateway`, the gateway) until SIGTERM/SIGINT. */
export async function runPool(options: PoolCliOptions, withGateway: boolean): Promise<void> {
  const logger = createLogger();
  await runMain(logger, async () => {
    checkPoolOptions(options);
    const token = tokenOf(options, logger, 'manager');
    const dataDir = ensureDirectory('--data-dir', options.dataDir);
    const db = StateDb.open(dataDir);
    onShutdown(() => db.close(), logger);
    const store = new MetricsStore({ dataDir });
    onShutdown(() => store.close(), logger);
    store.start();
    // Assigned once the provisioner that reads it exists; a const would be in its temporal dead
    // zone if the provisioner asked before then.
    // eslint-disable-next-line prefer-const
    let manager: Manager | undefined;
    const provisioner = createProvisioner(
      options,
      token,
      logger,
      (address) => manager?.members().some((m) => m.address === address) ?? false,
    );
    manager = new Manager({
      provisioner,
      logger,
      db,
      token,
      initialNodes: options.nodes,
      minNodes: options.min,
      maxNodes: options.max,
      config: { capacityMb: options.capacity, policy: options.policy },
      strategy: options.strategy,
      moveChunkKeys: options.moveChunkKeys,
      downAfterMs: options.downAfter,
      onSnapshot: (snapshot) => {
        const outcome = store.record(snapshot);
        if (!outcome.ok)
          logger.debug(
            { address: snapshot.address, reason: outcome.message },
            'snapshot not stored',
          );
      },
      onResize: (event) => store.recordEvent(event),
    });
    const pool = manager;
    const scaling = new Scaling({
      manager: pool,
      logger,
      scaleIntervalS: options.scaleInterval,
      // The window is the auto-scaler's own period (a minute by default, docs/internal-api.md), but never
      // shorter than two statistics snapshots, so that a short test period still sees traffic.
      readMissRate: () =>
        store.missRateOver(
          Math.min(60_000, Math.max(options.scaleInterval, 2 * options.statsInterval) * 1000),
        ),
    });
    const managerApp = await buildManagerApp({ manager: pool, scaling, token, logger });
    await managerApp.register(dashboardPlugin);
    await registerObservability(managerApp, { manager: pool, scaling, store });
    onShutdown(async () => {
      await scaling.stop();
      await pool.close();
      await managerApp.close();
    }, logger);
    // The manager listens before any node starts: nodes register with it and push statistics.
    const { url: managerUrl } = await listenOn(
      managerApp,
      {
        host: options.host,
        port: options.port,
        role: 'manager',
        logger,
        token,
        allowInsecure: options.allowInsecure,
      },
      '--port',
    );
    pool.setAddress(new URL(managerUrl).host);
    provisioner.setManagerUrl?.(managerUrl);
    await pool.start();
    pool.startHealthChecks();
    scaling.start();

    let gatewayUrl: string | undefined;
    if (withGateway) {
      const routing = new Routing(pool.table);
      pool.attachRouting(routing);
      const gateway = await buildGatewayApp({
        routing,
        token,
        protectData: options.protectData ?? false,
        logger,
        ...(options.nodeTimeout !== undefined ? { timeoutMs: options.nodeTimeout } : {}),
        configure: async (fields) => pool.setConfig(configFromFields(fields, pool.config)),
        clear: async () => {
          await pool.clear();
          return true;
        },
      });
      onShutdown(async () => gateway.close(), logger);
      ({ url: gatewayUrl } = await listenOn(
        gateway,
        {
          host: options.host,
          port: options.gatewayPort ?? defaults.gatewayPort,
          role: 'gateway',
          logger,
          token,
          allowInsecure: options.allowInsecure,
        },
        '--gateway-port',
      ));
    }
    if (logsForPeople()) {
      process.stdout.write(
        describePool({ managerUrl, gatewayUrl, dataDir, pid: process.pid, size: pool.size }),
      );
    }
  });
}
