#!/usr/bin/env node
/**
 * The `cachepool` command: parses arguments and hands each subcommand to its own module.
 */
import { Command } from 'commander';
import { registerGatewayCommand } from './gateway.js';
import { registerKeyCommands } from './keys.js';
import { registerLoadCommand } from './load.js';
import { registerManagerCommand } from './manager.js';
import { registerNodeCommand } from './node.js';
import { registerStartCommand } from './start.js';

const program = new Command()
  .name('cachepool')
  .description('A distributed in-memory cache pool')
  .showHelpAfterError();

registerNodeCommand(program);
registerStartCommand(program);
registerManagerCommand(program);
registerLoadCommand(program);
registerGatewayCommand(program);
registerKeyCommands(program);

await program.parseAsync(process.argv);
