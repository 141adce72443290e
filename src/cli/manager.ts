/**
 * `cachepool manager` — the manager alone (no gateway): clients route by themselves with
 * `GET /api/manager/partitions`. Same options as `start` minus `--gateway-port`; its nodes come
 * from `--provisioner local | command | static` (options shared with `start`, see start.ts).
 */
import type { Command } from 'commander';
import { addPoolOptions, runPool, type PoolCliOptions } from './start.js';

/** Registers `cachepool manager`. */
export function registerManagerCommand(program: Command): void {
  const command = program
    .command('manager')
    .description('run the manager and its cache nodes, without a gateway');
  addPoolOptions(command);
  command.action(async (options: PoolCliOptions) => {
    await runPool(options, false);
  });
}
