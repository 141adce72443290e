// Placeholder until the node subcommand lands in this file.
import type { Command } from 'commander';
export function registerNodeCommand(program: Command): void {
  program.command('node').description('run one cache node');
}
