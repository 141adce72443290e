import { addPoolOptions, runPool } from './start.js';
/** Registers `cachepool manager`. */
export function registerManagerCommand(program) {
    const command = program
        .command('manager')
        .description('run the manager and its cache nodes, without a gateway');
    addPoolOptions(command);
    command.action(async (options) => {
        await runPool(options, false);
    });
}
//# sourceMappingURL=manager.js.map