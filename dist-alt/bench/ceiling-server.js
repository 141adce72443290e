/**
 * The ceiling for the HTTP benchmark: a minimal node:http server that answers the legacy
 * endpoints with the same bytes a cachepool node sends, without any cache logic. It reads each
 * request body to the end and decodes it as a form (as the node must: a fair ceiling for puts,
 * whose bodies carry the whole value percent-encoded), and answers:
 * - `POST /api/cache/key` with body `key=hit…`: 200 `{"success":"true","content":"<value>"}`;
 *   any other key: 400 `{"success":"false","error":{"code":400,"message":"Unknown key"}}`;
 * - `POST /api/cache/content`: 200 `{"success":"true","content":""}`.
 *
 *   node dist/bench/ceiling-server.js <value bytes>
 *
 * Logs `{"msg":"listening","role":"ceiling","url":…}` once it listens on 127.0.0.1 (port 0).
 */
import { createServer } from 'node:http';
import { dataUrl } from './values.js';
const valueBytes = Number(process.argv[2] ?? 10_000);
const hit = Buffer.from(JSON.stringify({ success: 'true', content: dataUrl(valueBytes) }));
const miss = Buffer.from(JSON.stringify({ success: 'false', error: { code: 400, message: 'Unknown key' } }));
const stored = Buffer.from(JSON.stringify({ success: 'true', content: '' }));
const server = createServer({ keepAliveTimeout: 65_000 }, (request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
        const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
        const fields = new URLSearchParams(body.toString('utf8'));
        const key = fields.get('key') ?? '';
        let status = 200;
        let answer = stored;
        if (request.url === '/api/cache/key') {
            const isHit = key.startsWith('hit');
            status = isHit ? 200 : 400;
            answer = isHit ? hit : miss;
        }
        else if (key === '' || !fields.get('value')) {
            status = 400;
            answer = miss;
        }
        response.writeHead(status, {
            'content-type': 'application/json; charset=utf-8',
            'content-length': answer.length,
        });
        response.end(answer);
    });
});
server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    process.stdout.write(`${JSON.stringify({ level: 30, msg: 'listening', role: 'ceiling', url: `http://127.0.0.1:${port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
//# sourceMappingURL=ceiling-server.js.map