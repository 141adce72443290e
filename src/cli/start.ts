/**
 * `cachepool start` — the embedded default (SPEC §5): the manager and the gateway in this
 * process, the cache nodes as supervised child processes. `runPool` is shared with
 * `cachepool manager`, which runs the same without a gateway.
 */
import type { Command } from 'commander';
import { defaults } from '../defaults.js';
import { listen } from '../http/index.js';
import { buildManagerApp, configFromFields, LocalProvisioner, Manager, registerObservability, Scaling } from '../manager/index.js';
import { MetricsStore } from '../metrics/metrics-store.js';
import { partitionStrategies, type PartitionStrategy } from '../partition/index.js';
import { buildGatewayApp, Routing } from '../pool/index.js';
import { policyNames } from '../store/index.js';
import { addOption, choiceOption, createLogger, integerOption, onShutdown, positiveNumberOption, runMain } from './common.js';

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
  strategy: PartitionStrategy;
  moveChunkKeys: number;
}

/** Adds the options `start` and `manager` share. */
export function addPoolOptions(command: Command): Command {
  addOption(command, '--host <host>', 'address to listen on', String, defaults.host);
  addOption(command, '--port <port>', 'manager (and dashboard) port', integerOption('--port', 0, 65535), defaults.managerPort);
  addOption(command, '--nodes <n>', 'nodes at start', integerOption('--nodes', 1, 64), defaults.startNodes);
  addOption(command, '--min <n>', 'fewest nodes', integerOption('--min', 1, 64), defaults.minNodes);
  addOption(command, '--max <n>', 'most nodes', integerOption('--max', 1, 64), defaults.maxNodes);
  addOption(command, '--capacity <mb>', 'capacity of each node, in MB', integerOption('--capacity', 0), defaults.capacityMb);
  addOption(command, '--policy <name>', 'replacement policy', choiceOption('--policy', policyNames()), defaults.replacementPolicy);
  addOption(command, '--data-dir <dir>', "directory of the manager's database", String, defaults.dataDir);
  addOption(command, '--stats-interval <s>', 'seconds between node statistics snapshots', positiveNumberOption('--stats-interval'), defaults.statsIntervalS);
  addOption(command, '--scale-interval <s>', 'seconds between auto-scaler decisions', positiveNumberOption('--scale-interval'), defaults.scaleIntervalS);
  addOption(command, '--token <token>', 'pool token required on control endpoints');
  addOption(command, '--strategy <name>', 'partition assignment strategy', choiceOption('--strategy', partitionStrategies), defaults.partitionStrategy);
  addOption(command, '--move-chunk-keys <n>', 'keys per move_keys call during a resize', integerOption('--move-chunk-keys', 1), 2_000);
  return command;
}

/** Registers `cachepool start`. */
export function registerStartCommand(program: Command): void {
  const command = program.command('start').description('run a whole pool: manager, gateway and local cache nodes');
  addPoolOptions(command);
  addOption(command, '--gateway-port <port>', 'gateway port', integerOption('--gateway-port', 0, 65535), defaults.gatewayPort);
  command.action(async (options: PoolCliOptions) => {
    await runPool(options, true);
  });
}

/** Runs the manager (and, with `withGateway`, the gateway) until SIGTERM/SIGINT. */
export async function runPool(options: PoolCliOptions, withGateway: boolean): Promise<void> {
  const logger = createLogger();
  await runMain(logger, async () => {
    if (options.min > options.max) throw new Error(`--min must be <= --max, got ${options.min} > ${options.max}`);
    if (options.nodes < options.min || options.nodes > options.max) {
      throw new Error(`--nodes must be from --min to --max (${options.min}..${options.max}), got ${options.nodes}`);
    }
    const store = new MetricsStore({ dataDir: options.dataDir });
    store.start();
    const provisioner = new LocalProvisioner({ statsIntervalS: options.statsInterval, token: options.token, logger });
    const manager = new Manager({
      provisioner,
      logger,
      token: options.token,
      initialNodes: options.nodes,
      minNodes: options.min,
      maxNodes: options.max,
      config: { capacityMb: options.capacity, policy: options.policy },
      strategy: options.strategy,
      moveChunkKeys: options.moveChunkKeys,
      onSnapshot: (snapshot) => {
        const outcome = store.record(snapshot);
        if (!outcome.ok) logger.debug({ address: snapshot.address, reason: outcome.message }, 'snapshot not stored');
      },
      onResize: (event) => store.recordEvent(event),
    });
    const scaling = new Scaling({
      manager,
      logger,
      scaleIntervalS: options.scaleInterval,
      readMissRate: () => store.missRateLastMinute(),
    });
    const managerApp = await buildManagerApp({ manager, scaling, token: options.token, logger });
    await registerObservability(managerApp, { manager, scaling, store });
    onShutdown(async () => {
      await scaling.stop();
      await manager.close();
      await managerApp.close();
      store.close();
    }, logger);
    // The manager listens before any node starts: nodes register with it and push statistics.
    const { url: managerUrl } = await listen(managerApp, {
      host: options.host,
      port: options.port,
      role: 'manager',
      logger,
      token: options.token,
    });
    manager.setAddress(new URL(managerUrl).host);
    provisioner.setManagerUrl(managerUrl);
    await manager.start();
    scaling.start();

    if (withGateway) {
      const routing = new Routing(manager.table);
      manager.attachRouting(routing);
      const gateway = await buildGatewayApp({
        routing,
        token: options.token,
        logger,
        configure: async (fields) => manager.setConfig(configFromFields(fields, manager.config)),
      });
      onShutdown(async () => gateway.close(), logger);
      await listen(gateway, {
        host: options.host,
        port: options.gatewayPort ?? defaults.gatewayPort,
        role: 'gateway',
        logger,
        token: options.token,
      });
    }
  });
}
