/**
 * How the manager gets nodes: a provisioner starts and stops cache nodes for it. Three kinds:
 * `local` (child processes on this machine, supervised), `command` (a user-given command scales
 * an orchestrator, and the nodes it starts register themselves with the manager), `static` (a
 * fixed list of addresses managed by hand). The manager decides *which* node goes; a provisioner
 * only carries it out.
 */

/** What a new node is started with. */
export interface NodeSpec {
  cacheIndex: number;
  capacityMb: number;
  policy: string;
}

/** Something the provisioner reports to the manager on its own (a crash, a restart). */
export type ProvisionerEvent =
  | { kind: 'exited'; address: string; code: number | null; signal: string | null }
  | { kind: 'restarted'; address: string }
  /** The provisioner gave a dead node up (it kept dying, or could not be restarted). */
  | { kind: 'lost'; address: string };

export interface Provisioner {
  readonly kind: 'local' | 'command' | 'static';
  /**
   * True when something other than the manager brings a failed node back (an orchestrator
   * recreates it and it registers; an operator restarts a static node); false when the manager
   * must start a replacement itself to return to the pool's size (local).
   */
  readonly replacesFailed: boolean;
  /**
   * True when the nodes it starts register themselves (`POST /api/manager/register`) instead of
   * being returned by startNodes: a grow then waits for the registrations (command).
   */
  readonly awaitsRegistrations: boolean;
  /**
   * The `count` members a shrink must drain, when the provisioner decides which nodes go (an
   * orchestrator removes the highest StatefulSet ordinal); absent when the manager chooses.
   */
  chooseLeaving?(
    members: readonly { address: string; addedAtMs: number }[],
    count: number,
  ): string[];
  /**
   * Brings the pool to `count` running nodes given the current members. Resolves with the
   * addresses of nodes it started and already knows to be ready; nodes of the `command` kind
   * register themselves instead and are not in the result. Never more than asked.
   */
  startNodes(specs: NodeSpec[], currentCount: number): Promise<string[]>;
  /** Stops the node at `address` after its keys were handed off; `newCount` nodes remain. */
  stopNode(address: string, newCount: number): Promise<void>;
  /**
   * A member was declared dead and removed from the pool without a handoff. The provisioner makes
   * sure that process cannot come back with the values it held (local: stops it, and any restart
   * of it under way) or leaves it to its orchestrator, which recreates it empty and it registers
   * again (command); `static` has nothing to do. Never throws for a node it does not know.
   */
  forgetFailed(address: string, newCount: number): Promise<void>;
  /** Addresses this provisioner can see right now (local children, the static list). */
  addresses(): string[];
  /** Subscribes to crashes and restarts. */
  onEvent(listener: (event: ProvisionerEvent) => void): void;
  /** Stops what it started (local kind) when the manager shuts down; others do nothing. */
  close(): Promise<void>;
  /**
   * Takes over a node that an earlier manager process started and that is still alive (local
   * kind only: it is then supervised like one started here).
   */
  adopt?(address: string, pid: number | null, spec: NodeSpec): void;
  /** The process id of a node this provisioner runs (local kind), for the manager's database. */
  pidOf?(address: string): number | undefined;
}
