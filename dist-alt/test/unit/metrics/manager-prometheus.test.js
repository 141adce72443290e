import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManagerMetrics } from '../../../src/metrics/manager-prometheus.js';
function figures(extra = {}) {
    return {
        nodes: 3,
        minNodes: 1,
        maxNodes: 8,
        items: 42,
        usedBytes: 4200,
        capacityBytes: 3 * 64 * 1024 * 1024,
        requestsTotal: 100,
        getRequestsTotal: 80,
        hitsTotal: 60,
        missesTotal: 20,
        resizesTotal: 2,
        automatic: true,
        migration: null,
        ...extra,
    };
}
test('the manager exposition shows the pool figures read at scrape time', async () => {
    let current = figures();
    const metrics = createManagerMetrics({ poolFigures: () => current });
    const text = await metrics.render();
    assert.match(metrics.contentType, /text\/plain/);
    assert.match(text, /^cachepool_pool_nodes 3$/m);
    assert.match(text, /^cachepool_pool_hits_total 60$/m);
    assert.match(text, /^cachepool_pool_misses_total 20$/m);
    assert.match(text, /^# TYPE cachepool_pool_hits_total counter$/m);
    assert.match(text, /^cachepool_pool_automatic_mode 1$/m);
    assert.match(text, /^cachepool_pool_migration_running 0$/m);
    current = figures({
        nodes: 4,
        hitsTotal: 75,
        migration: { partitionsTotal: 4, partitionsDone: 1, keysDone: 10, bytesDone: 999 },
    });
    const next = await metrics.render();
    assert.match(next, /^cachepool_pool_nodes 4$/m);
    assert.match(next, /^cachepool_pool_hits_total 75$/m);
    assert.match(next, /^cachepool_pool_migration_partitions_done 1$/m);
    assert.match(next, /^cachepool_pool_migration_bytes_done 999$/m);
});
test('two managers in one process keep separate registries', async () => {
    const a = createManagerMetrics({ poolFigures: () => figures({ nodes: 1 }) });
    const b = createManagerMetrics({ poolFigures: () => figures({ nodes: 5 }) });
    assert.match(await a.render(), /^cachepool_pool_nodes 1$/m);
    assert.match(await b.render(), /^cachepool_pool_nodes 5$/m);
});
//# sourceMappingURL=manager-prometheus.test.js.map