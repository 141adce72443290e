#!/usr/bin/env node
/**
 * The `cachepool` command: parses arguments and hands each subcommand to its own module. A new
 * subcommand is one `register…Command(program)` line below; every subcommand gets the same
 * answer to a usage mistake: the one line that says what is wrong, then where its help is.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerGatewayCommand } from './gateway.js';
import { registerKeyCommands } from './keys.js';
import { registerLoadCommand } from './load.js';
import { registerManagerCommand } from './manager.js';
import { registerNodeCommand } from './node.js';
import { registerStartCommand } from './start.js';
/** The package's version, from the package.json next to dist/ (three levels up from here). */
function packageVersion() {
    const text = readFileSync(new URL('../../../package.json', import.meta.url), 'utf8');
    return JSON.parse(text).version;
}
const program = new Command()
    .name('cachepool')
    .description('A distributed in-memory cache pool')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError("see 'cachepool --help'");
registerNodeCommand(program);
registerStartCommand(program);
registerManagerCommand(program);
registerLoadCommand(program);
registerGatewayCommand(program);
registerKeyCommands(program);
for (const command of program.commands)
    command.showHelpAfterError(`see 'cachepool ${command.name()} --help'`);
await program.parseAsync(process.argv);
//# sourceMappingURL=index.js.map