/**
 * `cachepool gateway` (SPEC §5): a standalone, stateless gateway. It reads the partition table
 * from `--manager` before it listens, then follows it (pool/table-follower.ts) and keeps
 * serving on the last table it has while the manager is away. Same API as the gateway of
 * `cachepool start`, plus `/metrics` (pool/standalone-gateway.ts builds its app). Any number of
 * them may run side by side.
 */
import type { Command } from 'commander';
import { defaults } from '../defaults.js';
import { OptionError } from '../errors.js';
import { listen } from '../http/index.js';
import { isNodeId } from '../partition/index.js';
import { buildStandaloneGatewayApp, Routing, TableFollower } from '../pool/index.js';
import {
  addOption,
  addTokenOptions,
  booleanOption,
  createLogger,
  integerOption,
  onShutdown,
  runMain,
  tokenOf,
} from './common.js';

interface GatewayCliOptions {
  host: string;
  port: number;
  manager: string;
  tableInterval: number;
  token?: string;
  tokenFile?: string;
  protectData?: boolean;
  allowInsecure?: boolean;
}

/** Adds `cachepool gateway` to `program`. */
export function registerGatewayCommand(program: Command): void {
  const command = program
    .command('gateway')
    .description("run a standalone gateway that follows a manager's partition table");
  addOption(command, '--host <host>', 'address to listen on', String, defaults.host);
  addOption(
    command,
    '--port <port>',
    'port to listen on (0 picks a free one)',
    integerOption('--port', 0, 65535),
    defaults.gatewayPort,
  );
  addOption(command, '--manager <url>', 'the manager whose table to follow (http://host:port)');
  addOption(
    command,
    '--table-interval <ms>',
    'milliseconds between two reads of the manager table',
    integerOption('--table-interval', 50, 60_000),
    defaults.gatewayTableIntervalMs,
  );
  addTokenOptions(
    command,
    'pool token: required on control calls here, and sent to the nodes and the manager',
    'require the token on get, put, invalidate, /keys and /v1 too',
  );
  addOption(
    command,
    '--allow-insecure [bool]',
    'allow a non-loopback --host without --token',
    booleanOption('--allow-insecure'),
  );
  command.action(async (options: GatewayCliOptions) => {
    const logger = createLogger();
    await runMain(logger, async () => {
      const token = tokenOf(options, logger, 'gateway');
      const manager = managerAddress(options.manager);
      const follower = new TableFollower({
        manager,
        token,
        intervalMs: options.tableInterval,
      });
      const first = await firstTable(follower, options.tableInterval, logger);
      const routing = new Routing(first.table);
      if (first.moving.length > 0) void routing.publish(first.table, first.moving);
      follower.follow(routing);
      const app = await buildStandaloneGatewayApp({
        routing,
        follower,
        token,
        protectData: options.protectData ?? false,
        logger,
      });
      onShutdown(async () => {
        follower.stop();
        await app.close();
      }, logger);
      await listen(app, {
        host: options.host,
        port: options.port,
        role: 'gateway',
        logger,
        token,
        allowInsecure: options.allowInsecure,
      });
    });
  });
}

function managerAddress(value: string | undefined): string {
  const rule = 'must be given as http://host:port or host:port';
  if (value === undefined) throw new OptionError('--manager', rule, value);
  const address = value.replace(/^http:\/\//, '').replace(/\/$/, '');
  if (!isNodeId(address)) throw new OptionError('--manager', rule, value);
  return address;
}

/**
 * Reads the manager's table until it answers (a gateway cannot route without one), for
 * defaults.registrationTimeoutMs at most; then the last failure ends the process.
 */
async function firstTable(
  follower: TableFollower,
  intervalMs: number,
  logger: ReturnType<typeof createLogger>,
) {
  const attempts = Math.max(1, Math.ceil(defaults.registrationTimeoutMs / intervalMs));
  for (let attempt = 1; ; attempt++) {
    try {
      return await follower.read();
    } catch (error) {
      if (attempt >= attempts) throw error;
      if (attempt === 1 || attempt % 20 === 0)
        logger.warn(
          { err: error, attempt },
          'the manager has no table for this gateway yet; trying again',
        );
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
