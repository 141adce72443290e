import { pino } from 'pino';
import { defaults } from '../../defaults.js';
import { OptionError } from '../../errors.js';
import { isNodeId } from '../../partition/index.js';
/** Hands out nodes from a fixed list. */
export class StaticProvisioner {
    kind = 'static';
    awaitsRegistrations = false;
    replacesFailed = true;
    #nodes;
    #handedOut = new Set();
    #isMember;
    #probe;
    #logger;
    /** Throws an OptionError naming `--nodes-list` when the list is empty, malformed or repeats. */
    constructor(options) {
        this.#nodes = parseNodesList(options.nodes);
        this.#isMember = options.isMember ?? (() => false);
        const timeoutMs = options.probeTimeoutMs ?? defaults.peerTimeoutMs;
        this.#probe = options.probe ?? ((address) => probeNode(address, timeoutMs, options.token));
        this.#logger = options.logger ?? pino({ level: 'silent' });
    }
    /**
     * Resolves with up to `specs.length` listed addresses that are neither members nor handed out
     * and pass the probe, in list order. Fewer (down to none) when the list has no more: the
     * manager then reports that the pool cannot grow. The specs cannot be applied here: the nodes
     * take their index and configuration from the manager when it adds them.
     */
    async startNodes(specs, _currentCount) {
        const started = [];
        for (const address of this.#nodes) {
            if (started.length >= specs.length)
                break;
            if (this.#handedOut.has(address) || this.#isMember(address))
                continue;
            if (!(await this.#probe(address))) {
                this.#logger.warn({ address }, 'listed node does not answer; skipped');
                continue;
            }
            this.#handedOut.add(address);
            started.push(address);
        }
        if (started.length < specs.length) {
            this.#logger.warn({ asked: specs.length, found: started.length }, 'the static node list has no more free nodes');
        }
        return started;
    }
    /** Forgets the node: it keeps running, and may be handed out again later. */
    async stopNode(address, newCount) {
        this.#handedOut.delete(address);
        this.#logger.info({ address, newCount }, 'node handed off and left the pool; it keeps running (static provisioner)');
    }
    /** The whole list, members or not. */
    /** Nothing to stop: the operator's node, if it answers again, registers as a new member. */
    async forgetFailed(_address, _newCount) { }
    addresses() {
        return [...this.#nodes];
    }
    /** A static pool reports no events: nothing here watches the nodes. */
    onEvent(_listener) { }
    async close() { }
}
/** Checks a `--nodes-list`: non-empty, each `host:port`, no address twice. */
export function parseNodesList(nodes) {
    if (!Array.isArray(nodes) || nodes.length === 0) {
        throw new OptionError('--nodes-list', 'must list at least one host:port', nodes);
    }
    const seen = new Set();
    for (const address of nodes) {
        if (!isNodeId(address))
            throw new OptionError('--nodes-list', 'must hold host:port addresses', address);
        if (seen.has(address))
            throw new OptionError('--nodes-list', 'must not name a node twice', address);
        seen.add(address);
    }
    return [...nodes];
}
/** True when `GET http://address/api/cache/statistics` answers 200 within `timeoutMs`. */
async function probeNode(address, timeoutMs, token) {
    try {
        const response = await fetch(`http://${address}/api/cache/statistics`, {
            signal: AbortSignal.timeout(timeoutMs),
            headers: token ? { authorization: `Bearer ${token}` } : {},
        });
        await response.arrayBuffer();
        return response.status === 200;
    }
    catch {
        return false;
    }
}
//# sourceMappingURL=static.js.map