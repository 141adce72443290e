/**
 * What each node does with each partition under a routing state (a table plus the partitions
 * moving, if a resize runs): it `owns` it, is `receiving` it (a move's new owner: reads and
 * writes go there first) or is `leaving` it (a move's old owner: it still answers reads and
 * invalidations while its keys are handed off). The routing version orders routing states: it
 * grows with the table's version and is odd while partitions move, so a node or a client can tell
 * which of two states is newer. Pure: no I/O.
 */
import { ROUTED_BY_HEADER } from '../errors.js';
import { PARTITION_COUNT } from './partition-of.js';
/**
 * The header in which a router says the routing version it routed a request by, and a node that
 * refused the request (CP_ERR_NOT_OWNER) says its own. Declared with that error (errors.ts).
 */
export { ROUTED_BY_HEADER };
/**
 * The routing version of `table` with `moving` partitions: twice the table's version, plus one
 * while partitions move. A resize from table version v shows v·2, then v·2 + 1 while it moves,
 * then (v + 1)·2; a rollback's table has a version above the failed move's target.
 */
export function routingVersionOf(table, moving) {
    return table.version * 2 + (moving.length > 0 ? 1 : 0);
}
/** Every node's roles under `table` with `moving` (nodes named by either), empty lists included. */
export function rolesOf(table, moving, alsoNodes = []) {
    const version = routingVersionOf(table, moving);
    const roles = new Map();
    const of = (node) => {
        let entry = roles.get(node);
        if (!entry)
            roles.set(node, (entry = { version, owned: [], receiving: [], leaving: [] }));
        return entry;
    };
    for (const node of alsoNodes)
        of(node);
    const moves = new Map(moving.map((move) => [move.partition, move]));
    for (let partition = 0; partition < PARTITION_COUNT; partition++) {
        const move = moves.get(partition);
        if (move) {
            of(move.to).receiving.push(partition);
            of(move.from).leaving.push(partition);
        }
        else {
            of(table.owners[partition]).owned.push(partition);
        }
    }
    return roles;
}
//# sourceMappingURL=roles.js.map