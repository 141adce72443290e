/**
 * Node ids as the partition table spells them: `host:port`, the same address that
 * `pool_node_list` gives (SPEC §4, §6). This file only checks their shape; it never resolves or
 * contacts anything.
 */
import { OptionError } from '../errors.js';
// host: a name or IPv4 address (no whitespace, '/', ':' or '@'), or a bracketed IPv6 address.
const NODE_ID = /^(?:\[[0-9A-Fa-f:.]+\]|[^\s/:@[\]]+):([0-9]{1,5})$/;
/** True when `id` is a `host:port` string with a port in 1..65535. */
export function isNodeId(id) {
    if (typeof id !== 'string')
        return false;
    const match = NODE_ID.exec(id);
    if (match === null)
        return false;
    const port = Number(match[1]);
    return port >= 1 && port <= 65535;
}
/**
 * Checks a membership list: at least one node, each a `host:port` id, no id twice.
 * Throws an OptionError naming `option` otherwise.
 */
export function assertNodeList(nodes, option) {
    if (!Array.isArray(nodes) || nodes.length === 0) {
        throw new OptionError(option, 'must be a non-empty list of "host:port" node ids', nodes);
    }
    const seen = new Set();
    for (const id of nodes) {
        if (!isNodeId(id))
            throw new OptionError(option, 'must hold "host:port" node ids only', id);
        if (seen.has(id))
            throw new OptionError(option, 'must not name a node twice', id);
        seen.add(id);
    }
}
//# sourceMappingURL=node-id.js.map