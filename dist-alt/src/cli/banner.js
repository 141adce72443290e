/**
 * What `cachepool start` (and `cachepool manager`) tells a person at a terminal once the pool
 * runs: where the dashboard, the gateway and the data are, and how to stop it. Pure: the caller
 * decides whether stdout is a terminal (logs stay JSON lines on a pipe, and this is not printed).
 */
/** The banner, a few lines ending with a newline. */
export function describePool(where) {
    const rows = [
        ['dashboard', `${where.managerUrl}/`],
        ...(where.gatewayUrl ? [['gateway', where.gatewayUrl]] : []),
        ['manager API', `${where.managerUrl}/api/manager/`],
        ['data dir', where.dataDir],
        ['stop', `Ctrl-C, or kill ${where.pid}`],
    ];
    const width = Math.max(...rows.map(([name]) => name.length));
    return [
        '',
        `cachepool is running with ${where.size} node${where.size === 1 ? '' : 's'}`,
        ...rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`),
        '',
        '',
    ].join('\n');
}
//# sourceMappingURL=banner.js.map