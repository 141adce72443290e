import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CachePoolError } from '../../../src/errors.js';
import { Membership } from '../../../src/manager/membership.js';
import { ResizeCoordinator } from '../../../src/manager/resize-coordinator.js';
describe('ResizeCoordinator', () => {
    it('refuses a second resize while one runs, without starting it, and accepts one afterwards', async () => {
        const coordinator = new ResizeCoordinator();
        let release;
        const first = coordinator.run(() => new Promise((resolve) => (release = () => resolve('first'))));
        assert.equal(coordinator.busy, true);
        let started = false;
        await assert.rejects(coordinator.run(async () => {
            started = true;
        }), (error) => error instanceof CachePoolError && error.code === 'CP_ERR_POOL_BUSY');
        assert.equal(started, false);
        release();
        assert.equal(await first, 'first');
        assert.equal(coordinator.busy, false);
        assert.equal(await coordinator.run(async () => 'second'), 'second');
    });
    it('is free again after a failed resize', async () => {
        const coordinator = new ResizeCoordinator();
        await assert.rejects(coordinator.run(async () => Promise.reject(new Error('boom'))), /boom/);
        assert.equal(coordinator.busy, false);
    });
});
describe('Membership', () => {
    it('orders members by cache_index and gives the lowest free index', () => {
        const members = new Membership();
        members.add('127.0.0.1:3', 2, 'up');
        members.add('127.0.0.1:1', 0, 'up');
        assert.deepEqual(members.addresses(), ['127.0.0.1:1', '127.0.0.1:3']);
        assert.equal(members.nextIndex(), 1);
        members.setStatus('127.0.0.1:3', 'draining');
        assert.equal(members.get('127.0.0.1:3')?.status, 'draining');
        members.remove('127.0.0.1:3');
        assert.equal(members.size, 1);
        assert.equal(members.nextIndex(), 1);
    });
});
//# sourceMappingURL=resize-coordinator.test.js.map