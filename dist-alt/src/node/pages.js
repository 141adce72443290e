/** Escapes text for HTML. */
export function escapeHtml(text) {
    return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
function layout(title, body) {
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}th:first-child,td:first-child{text-align:left}code{background:#f4f4f4;padding:0 .2rem}</style>
</head><body>
${body}
</body></html>
`;
}
const percent = (x) => `${(x * 100).toFixed(1)} %`;
/** GET /: what this node is and where its endpoints are. */
export function homePage(node) {
    const s = node.store.stats();
    return layout(`cachepool node ${node.cacheIndex}`, `<h1>cachepool node ${node.cacheIndex}</h1>
<p>Capacity ${node.capacityMb} MB (${s.capacityBytes} bytes), policy <code>${escapeHtml(s.policy)}</code>,
${s.items} keys using ${s.usedBytes} bytes.</p>
<ul>
<li><code>POST /api/cache/key</code> (key) — get a value</li>
<li><code>POST /api/cache/content</code> (key, value) — put a value</li>
<li><code>DELETE /api/cache/key</code> (key) — invalidate a key</li>
<li><code>GET /api/cache/statistics</code>, <code>POST /api/cache/statistics</code> (this page's figures)</li>
<li><code>GET /keys</code>, <code>GET /metrics</code>, <code>GET /healthz</code>, <code>/v1/keys/{key}</code>, <code>GET /v1/openapi.json</code></li>
</ul>`);
}
function row(label, total, recent) {
    return `<tr><td>${escapeHtml(label)}</td><td>${escapeHtml(String(total))}</td><td>${escapeHtml(String(recent))}</td></tr>`;
}
/** POST /api/cache/statistics: this node's figures, in total and over the last 10 minutes. */
export function statisticsPage(node, total, recent) {
    const s = node.store.stats();
    return layout(`cachepool node ${node.cacheIndex} statistics`, `<h1>Statistics of cache node ${node.cacheIndex}</h1>
<table>
<tr><th>figure</th><th>value</th></tr>
<tr><td>index</td><td>${node.cacheIndex}</td></tr>
<tr><td>capacity</td><td>${node.capacityMb} MB (${s.capacityBytes} bytes)</td></tr>
<tr><td>policy</td><td>${escapeHtml(s.policy)}</td></tr>
<tr><td>items</td><td>${s.items}</td></tr>
<tr><td>bytes used</td><td>${s.usedBytes}</td></tr>
<tr><td>expired entries removed</td><td>${s.expiredTotal}</td></tr>
<tr><td>utilization</td><td>${percent(s.capacityBytes > 0 ? s.usedBytes / s.capacityBytes : 0)}</td></tr>
</table>
<h2>Requests</h2>
<table>
<tr><th>figure</th><th>total</th><th>last 10 minutes</th></tr>
${row('requests served', total.requests, recent.requests)}
${row('GET requests', total.getRequests, recent.getRequests)}
${row('hits', total.hits, recent.hits)}
${row('misses', total.misses, recent.misses)}
${row('hit rate', percent(total.hitRate), percent(recent.hitRate))}
${row('miss rate', percent(total.missRate), percent(recent.missRate))}
</table>`);
}
//# sourceMappingURL=pages.js.map