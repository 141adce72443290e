/**
 * The client's options are checked once, at connect, with an OptionError naming the option;
 * nothing is contacted before they pass.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CachePool, OptionError } from '../../../src/client/index.js';
import { resolveOptions } from '../../../src/client/options.js';
test('bad options throw an OptionError that names the option, the rule and the value', async () => {
    const cases = [
        [{}, /^manager, gateway or nodes exactly one must be given, got nothing$/],
        [
            { manager: 'http://a:1', gateway: 'b:2' },
            /^manager, gateway or nodes exactly one must be given, got "manager and gateway"$/,
        ],
        [{ manager: 'ftp://127.0.0.1:5004' }, /^manager must be host:port or http:\/\/host:port/],
        [{ manager: 'http://127.0.0.1:5004/api' }, /^manager must be host:port/],
        [{ manager: '127.0.0.1' }, /^manager must be host:port/],
        [{ gateway: 42 }, /^gateway must be host:port/],
        [{ nodes: [] }, /^nodes must be a non-empty list/],
        [{ nodes: ['a:1', 'a:1'] }, /^nodes must not repeat a node/],
        [{ nodes: ['a:1', 'b'] }, /^nodes must be host:port/],
        [{ manager: 'a:1', token: '' }, /^token must be a non-empty string/],
        [{ manager: 'a:1', timeoutMs: 0 }, /^timeoutMs must be an integer >= 1, got 0$/],
        [{ manager: 'a:1', timeoutMs: 1.5 }, /^timeoutMs must be an integer >= 1/],
        [
            { manager: 'a:1', connectionsPerNode: '8' },
            /^connectionsPerNode must be an integer >= 1, got "8"$/,
        ],
        [{ manager: 'a:1', refreshIntervalMs: -1 }, /^refreshIntervalMs must be an integer >= 0/],
    ];
    for (const [options, message] of cases) {
        await assert.rejects(CachePool.connect(options), (error) => {
            assert.ok(error instanceof OptionError, JSON.stringify(options));
            assert.equal(error.code, 'CP_ERR_OPTION_INVALID');
            assert.match(error.message, message);
            return true;
        });
    }
});
test('good options resolve with their defaults', () => {
    const resolved = resolveOptions({ manager: 'http://127.0.0.1:5004/' });
    assert.deepEqual(resolved.source, { kind: 'manager', address: '127.0.0.1:5004' });
    assert.equal(resolved.timeoutMs, 5_000);
    assert.equal(resolved.refreshIntervalMs, 1_000);
    assert.deepEqual(resolveOptions({ nodes: ['127.0.0.1:1', '[::1]:2'] }).source, {
        kind: 'nodes',
        addresses: ['127.0.0.1:1', '[::1]:2'],
    });
});
test('a manager that does not answer fails connect with CP_ERR_NODE_UNREACHABLE naming it', async () => {
    await assert.rejects(CachePool.connect({ manager: '127.0.0.1:9', timeoutMs: 2_000 }), (error) => {
        assert.equal(error.code, 'CP_ERR_NODE_UNREACHABLE');
        assert.match(error.message, /partition table could not be read from the manager 127\.0\.0\.1:9/);
        return true;
    });
});
//# sourceMappingURL=options.test.js.map