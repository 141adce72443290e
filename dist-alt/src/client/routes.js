/**
 * Where the client's requests go: a RouteView (src/pool/routing.ts: owners and, while a resize
 * runs, the old owners of moving partitions) and the table version to announce to the nodes.
 * `readRoutes` reads them from the manager's `GET /api/manager/partitions`; `fixedRoutes` builds
 * them for a gateway (every partition → the gateway) or a list of standalone nodes. Pure except
 * for that one read.
 */
import { errors } from '../errors.js';
import { PartitionTable } from '../partition/index.js';
import { RouteView } from '../pool/routing.js';
import { parsePartitions } from '../pool/table-follower.js';
/** The header that names the routing version a request was routed by (partition/roles.ts). */
export const TABLE_VERSION_HEADER = 'x-cachepool-table-version';
/** Routes that never change: everything to one gateway, or round-robin over standalone nodes. */
export function fixedRoutes(addresses) {
    return {
        view: new RouteView(PartitionTable.initial(addresses, 'round-robin')),
        routingVersion: 0,
        headers: {},
    };
}
/**
 * Reads the manager's table and its moving partitions. Throws OperationalError
 * CP_ERR_NODE_UNREACHABLE when the manager does not answer or answers something else than a
 * table.
 */
export async function readRoutes(connections, manager) {
    try {
        const answer = await connections.send(manager, 'GET', '/api/manager/partitions', {});
        if (answer.statusCode !== 200)
            throw new Error(`status ${answer.statusCode}`);
        const content = JSON.parse(answer.body.toString('utf8')).content;
        const { table, moving, routingVersion } = parsePartitions(content);
        return {
            view: new RouteView(table, moving),
            routingVersion,
            headers: { [TABLE_VERSION_HEADER]: String(routingVersion) },
        };
    }
    catch (error) {
        throw errors.tableUnreadable(manager, error);
    }
}
//# sourceMappingURL=routes.js.map