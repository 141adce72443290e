/**
 * Which hosts a move_keys call may make this node contact. A node never sends keys, nor the
 * removal call, to an address a request names unless the rule allows it:
 * - with a manager (`--manager`): destinations must be members of the pool (the manager's
 *   `pool_node_list`), and the removal call may go to the configured manager only;
 * - standalone: destinations and the removal call must pass `--peers` (default: loopback while
 *   listening on loopback).
 * A refusal is a 400 `CP_ERR_MOVE_DEST_REFUSED` naming the address; the route logs a warning.
 */
import { errors } from '../errors.js';
import { sameAddress } from './peers.js';
/** Standalone: `--peers` (or loopback) for destinations and the manager alike. */
export class StandaloneMovePolicy {
    #peers;
    constructor(peers) {
        this.#peers = peers;
    }
    async checkDestinations(peers) {
        for (const peer of peers)
            if (!this.#peers.allows(peer))
                throw errors.moveRefused(peer.hostPort, 'peer (see --peers)');
    }
    checkManager(manager) {
        if (!this.#peers.allows(manager))
            throw errors.moveRefused(manager.hostPort, 'peer (see --peers)');
    }
}
/** With a manager: pool members as destinations, the configured manager for the removal call. */
export class PoolMovePolicy {
    #members;
    #manager;
    constructor(members, manager) {
        this.#members = members;
        this.#manager = manager;
    }
    async checkDestinations(peers) {
        for (const peer of peers) {
            if (!(await this.#members.has(peer)))
                throw errors.moveRefused(peer.hostPort, 'destination: it is not a member of this pool');
        }
    }
    checkManager(manager) {
        if (!sameAddress(manager, this.#manager)) {
            throw errors.moveRefused(manager.hostPort, `manager: this node reports only to its --manager ${this.#manager.hostPort}`);
        }
    }
}
//# sourceMappingURL=move-policy.js.map