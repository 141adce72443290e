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
import type { PoolMembers } from './members.js';
import { sameAddress, type PeerAddress, type PeerPolicy } from './peers.js';

/** What the checked address would be to this node. */
export type PeerRole = 'destination' | 'source';

/** The rule move_keys checks a plan against. */
export interface MovePolicy {
  /**
   * Throws CP_ERR_MOVE_DEST_REFUSED for the first peer that is not allowed: a destination of a
   * move, or the source a pull reads from (`role` names it in the message), by the same rule.
   */
  checkDestinations(peers: readonly PeerAddress[], role?: PeerRole): Promise<void>;
  /** Throws CP_ERR_MOVE_DEST_REFUSED when the removal call may not go to `manager`. */
  checkManager(manager: PeerAddress): void;
}

/** Standalone: `--peers` (or loopback) for destinations and the manager alike. */
export class StandaloneMovePolicy implements MovePolicy {
  readonly #peers: PeerPolicy;

  constructor(peers: PeerPolicy) {
    this.#peers = peers;
  }

  async checkDestinations(peers: readonly PeerAddress[]): Promise<void> {
    for (const peer of peers)
      if (!this.#peers.allows(peer)) throw errors.moveRefused(peer.hostPort, 'peer (see --peers)');
  }

  checkManager(manager: PeerAddress): void {
    if (!this.#peers.allows(manager))
      throw errors.moveRefused(manager.hostPort, 'peer (see --peers)');
  }
}

/** With a manager: pool members as destinations, the configured manager for the removal call. */
export class PoolMovePolicy implements MovePolicy {
  readonly #members: PoolMembers;
  readonly #manager: PeerAddress;

  constructor(members: PoolMembers, manager: PeerAddress) {
    this.#members = members;
    this.#manager = manager;
  }

  async checkDestinations(
    peers: readonly PeerAddress[],
    role: PeerRole = 'destination',
  ): Promise<void> {
    for (const peer of peers) {
      if (!(await this.#members.has(peer)))
        throw errors.moveRefused(peer.hostPort, `${role}: it is not a member of this pool`);
    }
  }

  checkManager(manager: PeerAddress): void {
    if (!sameAddress(manager, this.#manager)) {
      throw errors.moveRefused(
        manager.hostPort,
        `manager: this node reports only to its --manager ${this.#manager.hostPort}`,
      );
    }
  }
}
