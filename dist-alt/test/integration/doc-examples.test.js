/**
 * Every `curl` example of README.md and docs/*.md, run against a live pool that this test starts
 * on 127.0.0.1 with free ports (the documented ports 5000 and 5004 are rewritten to the pool's),
 * checked against the answer the document gives on the `#` line below it. One new pool per
 * document, the examples in document order, so that a document reads as a session. An example
 * without a documented answer fails the test: the docs cannot drift from the code unnoticed.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, test } from 'node:test';
import { startPool } from '../helpers/pool.js';
import { stopAll } from '../helpers/process.js';
import { removeTempDirs, tempDir } from '../helpers/temp-dir.js';
const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
after(async () => {
    await stopAll();
    removeTempDirs();
});
/** The curl examples of a Markdown text, each with the `# …` line after it. */
function examplesOf(markdown) {
    const lines = markdown.split('\n');
    const examples = [];
    lines.forEach((text, i) => {
        const command = text.trim();
        if (!command.startsWith('curl '))
            return;
        const next = lines[i + 1]?.trim();
        examples.push({
            line: i + 1,
            command,
            answer: next?.startsWith('# ') ? next.slice(2) : undefined,
        });
    });
    return examples;
}
/**
 * `command` with the documented ports pointing at the test's pool. Throws when the command names
 * a host other than the loopback ones the docs use.
 */
function rewrite(command, ports) {
    const hosts = [...command.matchAll(/(?:https?:\/\/)?([A-Za-z0-9.-]+):(\d+)\//g)];
    for (const [, host] of hosts)
        assert.ok(host === 'localhost' || host === '127.0.0.1', `example talks to ${host}: ${command}`);
    return command
        .replace(/(?:https?:\/\/)?(?:localhost|127\.0\.0\.1):5000\//g, `http://127.0.0.1:${ports.gateway}/`)
        .replace(/(?:https?:\/\/)?(?:localhost|127\.0\.0\.1):5004\//g, `http://127.0.0.1:${ports.manager}/`);
}
const documents = [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .sort()
        .map((f) => `docs/${f}`),
];
test('the docs have curl examples, each with its answer', () => {
    const all = documents.flatMap((doc) => examplesOf(readFileSync(join(ROOT, doc), 'utf8')).map((e) => ({ doc, ...e })));
    assert.ok(all.length >= 10, `only ${all.length} examples`);
    const bare = all.filter((e) => e.answer === undefined).map((e) => `${e.doc}:${e.line}`);
    assert.deepEqual(bare, [], 'curl examples without a documented answer');
});
for (const doc of documents) {
    const examples = examplesOf(readFileSync(join(ROOT, doc), 'utf8'));
    if (examples.length === 0)
        continue;
    test(`the curl examples of ${doc} answer as documented`, async () => {
        const { manager, gateway } = await startPool(['--nodes', '1'], {
            dataDir: tempDir('cachepool-doc-examples-'),
        });
        const ports = {
            manager: Number(new URL(manager).port),
            gateway: Number(new URL(gateway).port),
        };
        for (const example of examples) {
            const command = rewrite(example.command, ports);
            const { stdout } = await run('sh', ['-c', `${command} --max-time 20`], { timeout: 30_000 });
            const where = `${doc}:${example.line}: ${example.command}`;
            let expected = example.answer;
            let actual = stdout.trim();
            try {
                expected = JSON.parse(example.answer ?? '');
                actual = JSON.parse(stdout);
            }
            catch {
                // Not JSON: compared as text.
            }
            assert.deepEqual(actual, expected, where);
        }
    });
}
//# sourceMappingURL=doc-examples.test.js.map