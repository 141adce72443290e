import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describePool } from '../../../src/cli/banner.js';
test('the start banner names the dashboard, the gateway, the data directory and how to stop', () => {
    assert.equal(describePool({
        managerUrl: 'http://127.0.0.1:5004',
        gatewayUrl: 'http://127.0.0.1:5000',
        dataDir: '/srv/pool',
        pid: 42,
        size: 2,
    }), [
        '',
        'cachepool is running with 2 nodes',
        '  dashboard    http://127.0.0.1:5004/',
        '  gateway      http://127.0.0.1:5000',
        '  manager API  http://127.0.0.1:5004/api/manager/',
        '  data dir     /srv/pool',
        '  stop         Ctrl-C, or kill 42',
        '',
        '',
    ].join('\n'));
});
test('without a gateway (cachepool manager) the banner has no gateway line', () => {
    const text = describePool({ managerUrl: 'http://h:1', dataDir: '/d', pid: 1, size: 1 });
    assert.doesNotMatch(text, /gateway/);
    assert.match(text, /running with 1 node\n/);
});
//# sourceMappingURL=banner.test.js.map