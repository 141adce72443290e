/**
 * `cachepool manager` — the manager alone (no gateway): clients route by themselves with
 * `GET /api/manager/partitions`. Same options as `start` minus `--gateway-port`, plus
 * `--provisioner` (only `local` is built in here).
 */
import type { Command } from 'commander';
import { addOption, choiceOption } from './common.js';
import { addPoolOptions, runPool, type PoolCliOptions } from './start.js';

/** Registers `cachepool manager`. */
export function registerManagerCommand(program: Command): void {
  const command = program.command('manager').description('run the manager and its local cache nodes, without a gateway');
  addPoolOptions(command);
  addOption(command, '--provisioner <kind>', 'how nodes are started', choiceOption('--provisioner', ['local']), 'local');
  command.action(async (options: PoolCliOptions) => {
    await runPool(options, false);
  });
}
