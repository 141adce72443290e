/**
 * A legacy hit of a value kept whole in a slab (src/node/entry-store.ts) sends the slab's own
 * bytes, lent until the answer is written (src/node/fast-legacy.ts). What must hold: every
 * answer is the value as it was when it was read, even when its key is overwritten or evicted
 * and its chunk would be reused while the answer is still on its way; and every lent chunk comes
 * back, however the connection ends. Real listening apps on loopback, real sockets.
 */
import assert from 'node:assert/strict';
import { Agent, request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildNodeApp, type NodeApp } from '../../../src/node/index.js';

const FORM = 'application/x-www-form-urlencoded';
const closers: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const close of closers.reverse()) await close();
});

async function listening(capacityMb: number): Promise<{ node: NodeApp; port: number }> {
  const node = await buildNodeApp({ capacityMb });
  await node.app.listen({ host: '127.0.0.1', port: 0 });
  closers.push(() => node.app.close());
  return { node, port: (node.app.server.address() as AddressInfo).port };
}

/** A data URL of `bytes` characters, all of them `fill` after the prefix. */
function image(fill: string, bytes: number): string {
  const prefix = 'data:image/png;base64,';
  return prefix + fill.repeat(bytes - prefix.length);
}

function post(port: number, path: string, body: string, agent?: Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        agent,
        headers: { 'content-type': FORM, 'content-length': Buffer.byteLength(body) },
        timeout: 10_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      },
    );
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    request.end(body);
  });
}

const put = (port: number, key: string, value: string) =>
  post(port, '/api/cache/content', `key=${key}&value=${encodeURIComponent(value)}`);

/** The raw bytes of a legacy get of `key` (HTTP/1.1, keep-alive). */
function getRequest(key: string): string {
  const body = `key=${key}`;
  return `POST /api/cache/key HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: ${FORM}\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
}

/** Waits until the node has lent nothing (answers written, connections gone); fails after 5 s. */
async function allGivenBack(node: NodeApp): Promise<void> {
  for (let waited = 0; node.node.store.lentChunks > 0; waited += 10) {
    if (waited > 5_000) assert.fail(`${node.node.store.lentChunks} chunks still lent after 5 s`);
    await sleep(10);
  }
  node.node.store.assertInvariants();
}

/** The bodies of the HTTP/1.1 answers in `bytes` (each with a Content-Length). */
function answersIn(bytes: Buffer): string[] {
  const bodies: string[] = [];
  let at = 0;
  while (at < bytes.length) {
    const end = bytes.indexOf('\r\n\r\n', at);
    assert.ok(end > 0, 'an answer cut in its head');
    const head = bytes.subarray(at, end).toString('latin1');
    const length = Number(/content-length: (\d+)/i.exec(head)![1]);
    bodies.push(bytes.subarray(end + 4, end + 4 + length).toString('utf8'));
    at = end + 4 + length;
  }
  return bodies;
}

describe('legacy hits lent from the slabs', () => {
  it('answer each value as it was read while its key is overwritten and evicted, and give every chunk back', async () => {
    const { node, port } = await listening(1);
    const KEYS = 24;
    const SIZE = 20_000;
    // Version v of a key is the character v (A, B, …): an answer of mixed characters was
    // overwritten under its reader.
    const version = new Map<number, number>();
    for (let k = 0; k < KEYS; k++) {
      await put(port, `k${k}`, image('A', SIZE));
      version.set(k, 0);
    }
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    let stop = false;
    let hits = 0;
    const readers = Array.from({ length: 8 }, async (_, r) => {
      for (let i = r; !stop; i += 8) {
        const answer = await post(port, '/api/cache/key', `key=k${i % KEYS}`, agent);
        if (answer.includes('Unknown key')) continue; // evicted: a miss is allowed
        const value = (JSON.parse(answer) as { content: string }).content;
        assert.equal(value.length, SIZE);
        const body = value.slice('data:image/png;base64,'.length);
        assert.equal(body, body[0]!.repeat(body.length), `k${i % KEYS} answered mixed bytes`);
        hits++;
      }
    });
    // 1 MB holds about 48 of these values: new versions and new keys evict old ones.
    for (let round = 1; round <= 12; round++) {
      for (let k = 0; k < KEYS; k++) {
        await put(port, `k${k}`, image(String.fromCharCode(65 + round), SIZE));
        await put(port, `other${round}-${k}`, image('z', SIZE));
      }
    }
    stop = true;
    await Promise.all(readers);
    agent.destroy();
    assert.ok(hits > 50, `${hits} hits`);
    await allGivenBack(node);
  });

  it('give back the chunks of hits whose connection closed before or while the answer was read', async () => {
    const { node, port } = await listening(4);
    await put(port, 'big', image('Q', 60_000));
    const sockets: Socket[] = [];
    for (let i = 0; i < 40; i++) {
      const socket = connect(port, '127.0.0.1');
      sockets.push(socket);
      socket.on('error', () => {});
      socket.write(getRequest('big'));
      // Some go at once, some after the first bytes of the answer arrived, some half-closed.
      if (i % 3 === 0) socket.destroy();
      else if (i % 3 === 1) socket.once('data', () => socket.destroy());
      else socket.end();
    }
    await sleep(200);
    for (const socket of sockets) socket.destroy();
    await allGivenBack(node);
  });

  it('lend nothing to answers queued behind another on a pipelined connection that breaks', async () => {
    const { node, port } = await listening(4);
    await put(port, 'big', image('P', 60_000));
    for (let round = 0; round < 5; round++) {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.pause();
      // More answers than the kernel's buffers take: the first waits, the others queue.
      socket.write(getRequest('big').repeat(300));
      await sleep(100);
      socket.destroy();
    }
    await allGivenBack(node);
  });

  it('send a lent answer unchanged when its entry is overwritten while the answer waits for a slow reader', async () => {
    const { node, port } = await listening(8);
    const SIZE = 60_000;
    await put(port, 'slow', image('A', SIZE));
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('connect', resolve));
    // The reader reads nothing: the kernel's buffers fill, until an answer's write waits.
    socket.pause();
    const gets = () => node.node.stats.getRequestsTotal;
    let sent = 0;
    let answered = 0;
    for (; sent < 3_000; sent++) {
      const before = gets();
      socket.write(getRequest('slow'));
      // The node stops reading a connection whose answer waits: the last answered one waits.
      for (let waited = 0; gets() === before && waited < 500; waited++) await sleep(1);
      if (gets() === before) break;
      answered++;
    }
    assert.ok(sent < 3_000, `no answer waited after ${sent} answers of ${SIZE} bytes`);
    assert.equal(node.node.store.lentChunks, 1, 'the waiting answer holds its chunk');
    // Overwrite the key, and write values of the same size until chunks are reused.
    await put(port, 'slow', image('B', SIZE));
    for (let i = 0; i < 40; i++) await put(port, `churn${i}`, image('C', SIZE));
    assert.equal(node.node.store.lentChunks, 1, 'the waiting answer still holds its chunk');
    // Read everything: every answer is the value as it was read (all A).
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.resume();
    const expected = JSON.stringify({ success: 'true', content: image('A', SIZE) });
    // Every request gets its answer, the one not read yet included (the node reads it now).
    sent++;
    const total = sent * (expected.length + 150);
    for (let waited = 0; Buffer.concat(chunks).length < sent * expected.length; waited += 10) {
      if (waited > 10_000) assert.fail(`read ${Buffer.concat(chunks).length} of ~${total} bytes`);
      await sleep(10);
    }
    await sleep(50);
    const bodies = answersIn(Buffer.concat(chunks));
    assert.equal(bodies.length, sent);
    // The answers read before the overwrite are A; the one read after it is B.
    for (const [i, body] of bodies.slice(0, answered).entries())
      assert.ok(body === expected, `answer ${i} changed`);
    assert.ok(bodies[answered]!.includes('BBBB'), 'the last get was read after the overwrite');
    socket.destroy();
    await allGivenBack(node);
    assert.equal((await post(port, '/api/cache/key', 'key=slow')).includes('BBBB'), true);
  });
});
