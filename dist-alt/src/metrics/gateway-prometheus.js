/**
 * Prometheus exposition of a standalone gateway (`cachepool gateway`, `GET /metrics`): the
 * table it routes by and how its reads of the manager's table go. A per-app Registry; values
 * are read at scrape time.
 */
import { Counter, Gauge, Registry } from 'prom-client';
/** A Registry with the gateway's series. */
export function createGatewayRegistry(source) {
    const registry = new Registry();
    const gauge = (name, help, read) => new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
            this.set(read());
        },
    });
    const counter = (name, help, read) => new Counter({
        name,
        help,
        registers: [registry],
        collect() {
            this.reset();
            this.inc(read());
        },
    });
    gauge('cachepool_gateway_table_version', 'Version of the partition table in force', source.tableVersion);
    gauge('cachepool_gateway_moving_partitions', 'Partitions moving in the table in force', source.movingPartitions);
    gauge('cachepool_gateway_nodes', 'Nodes the table in force routes to', source.nodes);
    counter('cachepool_gateway_table_reads_total', 'Reads of the manager table', source.tableReadsTotal);
    counter('cachepool_gateway_table_reads_failed_total', 'Reads of the manager table that failed (the last table stays in force)', source.tableReadsFailedTotal);
    gauge('cachepool_gateway_table_age_seconds', 'Seconds since the last successful read of the manager table (-1: none yet)', source.tableAgeSeconds);
    return registry;
}
//# sourceMappingURL=gateway-prometheus.js.map