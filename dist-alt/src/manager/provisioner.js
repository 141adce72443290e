/**
 * How the manager gets nodes: a provisioner starts and stops cache nodes for it. Three kinds:
 * `local` (child processes on this machine, supervised), `command` (a user-given command scales
 * an orchestrator, and the nodes it starts register themselves with the manager), `static` (a
 * fixed list of addresses managed by hand). The manager decides *which* node goes; a provisioner
 * only carries it out.
 */
export {};
//# sourceMappingURL=provisioner.js.map