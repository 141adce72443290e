import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { dashboardPlugin, DEFAULT_BUNDLE_DIR } from '../../src/dashboard/index.js';
test('the dashboard plugin serves the built page and its bundled assets', async (t) => {
    if (!existsSync(join(DEFAULT_BUNDLE_DIR, 'index.html'))) {
        t.skip('dist/dashboard is not built: run node scripts/build-dashboard.mjs (npm run build does)');
        return;
    }
    const app = Fastify();
    await app.register(dashboardPlugin);
    const page = await app.inject({ method: 'GET', url: '/' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /text\/html/);
    assert.match(page.body, /data-testid="pool-size"/);
    assert.match(page.body, /\/assets\/dashboard\.js/);
    const script = await app.inject({ method: 'GET', url: '/assets/dashboard.js' });
    assert.equal(script.statusCode, 200);
    assert.match(String(script.headers['content-type']), /javascript/);
    assert.ok(script.body.length > 10_000, 'the bundle includes uPlot');
    assert.doesNotMatch(script.body, /https?:\/\/(cdn|unpkg|jsdelivr)/);
    const css = await app.inject({ method: 'GET', url: '/assets/uPlot.min.css' });
    assert.equal(css.statusCode, 200);
    await app.close();
});
test('a missing bundle answers a 503 page that says how to build it, not a 500', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'cachepool-dash-'));
    try {
        const app = Fastify();
        await app.register(dashboardPlugin, { bundleDir: empty });
        const page = await app.inject({ method: 'GET', url: '/' });
        assert.equal(page.statusCode, 503);
        assert.match(page.body, /npm run build/);
        const asset = await app.inject({ method: 'GET', url: '/assets/dashboard.js' });
        assert.equal(asset.statusCode, 404);
        assert.equal(JSON.parse(asset.body).success, 'false');
        await app.close();
    }
    finally {
        rmSync(empty, { recursive: true, force: true });
    }
});
test('asset names cannot climb out of the bundle directory', async () => {
    const app = Fastify();
    await app.register(dashboardPlugin);
    for (const url of [
        '/assets/..%2F..%2Fpackage.json',
        '/assets/.hidden',
        '/assets/..%5C..%5Cpackage.json',
        '/assets/index.html%00.js',
    ]) {
        const reply = await app.inject({ method: 'GET', url });
        assert.equal(reply.statusCode, 404, url);
    }
    await app.close();
});
//# sourceMappingURL=metrics-dashboard-plugin.test.js.map