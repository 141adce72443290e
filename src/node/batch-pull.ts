/**
 * The destination's side of a pulled batch (docs/internal-api.md, `POST /internal/pull`): reads
 * `GET /internal/export/<id>` from the source over a connection of its own and decodes the batch
 * as it arrives, exactly as an import body is decoded (batch-decoder.ts).
 *
 * Why a connection of its own: a request body reaches a route as one new Buffer per socket read
 * (64 KiB), and with a node's allocator settings every such Buffer is a mapping of its own,
 * faulted in page by page and unmapped when collected (docs/benchmarks.md). Here the socket reads
 * into one buffer that is used again for every read (`net.connect`'s `onread`), and the decoder
 * copies each value out of it into the buffer the store keeps, so a batch costs its values'
 * memory and nothing per read; the rest of a large value is read straight into the buffer the
 * store keeps, with no copy at all. The shared buffer serves every pull of the process: a read
 * is handled to its end before the next one is taken.
 */
import { connect } from 'node:net';
import { errors, type CachePoolError } from '../errors.js';
import { bearer } from '../http/auth.js';
import { batchVersion } from './batch.js';
import { batchOf, BatchDecoder, type DecodedBatch, type ValueBlocks } from './batch-decoder.js';
import type { PeerAddress } from './peers.js';

/** Bytes of the shared read buffer. */
const READ_BUFFER_BYTES = 256 * 1024;

/**
 * A value with at least this many bytes still to come is read straight into the buffer the store
 * will keep (BatchDecoder.directTarget), not copied out of the shared one: a read more per value,
 * a copy of the value less.
 */
const DIRECT_READ_MIN_BYTES = 32 * 1024;

/** The most bytes of an answer's status line and headers. */
const MAX_HEAD_BYTES = 16 * 1024;

/** The most bytes of a failure answer's body that are read for its message. */
const MAX_FAILURE_BODY_BYTES = 16 * 1024;

let sharedBuffer: Buffer | undefined;

/** Options of pullBatch. */
export interface PullOptions {
  /** The pool token, sent as `Authorization: Bearer <token>` when set. */
  token?: string | undefined;
  /** The whole read's time bound, in ms. */
  timeoutMs: number;
  /** Values larger than this are read past and decoded with no entry. */
  maxValueBytes: number;
  /** The longest batch this node takes (its import limit). */
  limitBytes: number;
  /** As BatchDecoderOptions. */
  blocks?: ValueBlocks | undefined;
  pooledMaxBytes?: number | undefined;
}

/**
 * Reads batch `id` from `source` and decodes it. Throws errors.pullFailed, naming the source and
 * what went wrong, when no whole batch came; a malformed batch throws the decoder's error.
 */
export function pullBatch(
  source: PeerAddress,
  id: string,
  options: PullOptions,
): Promise<DecodedBatch> {
  sharedBuffer ??= Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
  return new Promise((resolve, reject) => {
    const reader = new AnswerReader(options);
    let settled = false;
    const finish = (error: CachePoolError | undefined, batch?: DecodedBatch) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(batch!);
    };
    const fail = (reason: string) => finish(errors.pullFailed(source.hostPort, id, reason));
    const socket = connect({
      host: source.host,
      port: source.port,
      onread: {
        // Called before every read: the shared buffer, or the rest of a value being read.
        buffer: () => reader.nextBuffer(sharedBuffer!),
        callback: (bytes: number, buffer: Uint8Array): boolean => {
          if (settled) return false;
          try {
            const batch =
              buffer === sharedBuffer ? reader.push(sharedBuffer, bytes) : reader.filled(bytes);
            if (batch) finish(undefined, batch);
          } catch (error) {
            if (error instanceof PullFailure) fail(error.message);
            else finish(error as CachePoolError);
          }
          return !settled;
        },
      },
    });
    const timer = setTimeout(
      () => fail(`no whole answer within ${options.timeoutMs} ms`),
      options.timeoutMs,
    );
    socket.on('error', (error: NodeJS.ErrnoException) =>
      fail(`unreachable (${error.code ?? error.message})`),
    );
    socket.on('end', () => fail(reader.cutReason()));
    socket.on('close', () => fail(reader.cutReason()));
    const auth = options.token ? `Authorization: ${bearer(options.token)}\r\n` : '';
    socket.end(
      `GET /internal/export/${encodeURIComponent(id)} HTTP/1.1\r\nHost: ${source.hostPort}\r\n` +
        `${auth}Connection: close\r\n\r\n`,
    );
  });
}

/** A failure of the answer itself (not of the batch it carries). */
class PullFailure extends Error {}

/** Reads one HTTP/1.1 answer: its head, then a batch body or a failure's message. */
class AnswerReader {
  readonly #options: PullOptions;
  #head: Buffer | undefined = Buffer.alloc(0);
  #status = 0;
  #length = 0;
  #received = 0;
  #decoder: BatchDecoder | undefined;
  #failure: Buffer[] = [];

  constructor(options: PullOptions) {
    this.#options = options;
  }

  /** Takes the next `bytes` of `buffer`; returns the batch once it was read whole. */
  push(buffer: Buffer, bytes: number): DecodedBatch | undefined {
    let body = buffer.subarray(0, bytes);
    if (this.#head !== undefined) {
      const head = Buffer.concat([this.#head, body]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) {
        if (head.length > MAX_HEAD_BYTES) throw new PullFailure('an answer head too long');
        this.#head = head;
        return undefined;
      }
      this.#readHead(head.toString('latin1', 0, end));
      this.#head = undefined;
      body = head.subarray(end + 4);
      if (this.#length === 0) return this.#done();
    }
    const take = Math.min(body.length, this.#length - this.#received);
    this.#received += take;
    if (this.#decoder) this.#decoder.push(body.subarray(0, take));
    else this.#failure.push(Buffer.from(body.subarray(0, take)));
    return this.#received === this.#length ? this.#done() : undefined;
  }

  /**
   * The buffer for the next read: the rest of the value being decoded when enough of it is still
   * to come (never past the answer's end), else `shared`.
   */
  nextBuffer(shared: Buffer): Buffer {
    if (this.#head !== undefined || this.#decoder === undefined) return shared;
    return (
      this.#decoder.directTarget(DIRECT_READ_MIN_BYTES, this.#length - this.#received) ?? shared
    );
  }

  /** Takes `bytes` read into the buffer `nextBuffer` gave from the decoder; as `push` returns. */
  filled(bytes: number): DecodedBatch | undefined {
    this.#received += bytes;
    this.#decoder!.filled(bytes);
    return this.#received === this.#length ? this.#done() : undefined;
  }

  /** Why an answer that stopped here is not whole. */
  cutReason(): string {
    if (this.#head !== undefined) return 'the connection closed before an answer';
    return `the connection closed after ${this.#received} of ${this.#length} bytes`;
  }

  #readHead(text: string): void {
    const lines = text.split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
    if (!status) throw new PullFailure('an answer that is not HTTP/1.1');
    this.#status = Number(status[1]);
    let length: number | undefined;
    let type = '';
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-length') length = /^\d{1,15}$/.test(value) ? Number(value) : NaN;
      else if (name === 'content-type') type = value;
      else if (name === 'transfer-encoding') throw new PullFailure(`a ${value} answer`);
    }
    if (length === undefined || !Number.isSafeInteger(length))
      throw new PullFailure('an answer without a valid Content-Length');
    this.#length = length;
    if (this.#status !== 200) {
      if (length > MAX_FAILURE_BODY_BYTES) throw new PullFailure(`answered ${this.#status}`);
      return;
    }
    if (batchVersion(type) !== 2 || !type.startsWith('application/x-cachepool-batch'))
      throw new PullFailure(`an answer of type ${JSON.stringify(type)}`);
    if (length > this.#options.limitBytes) throw errors.bodyTooLarge(this.#options.limitBytes);
    this.#decoder = new BatchDecoder({
      version: 2,
      maxValueBytes: this.#options.maxValueBytes,
      limitBytes: length,
      lengthKnown: true,
      blocks: this.#options.blocks,
      pooledMaxBytes: this.#options.pooledMaxBytes,
    });
  }

  #done(): DecodedBatch {
    if (this.#decoder) return batchOf(this.#decoder, this.#options.blocks);
    throw new PullFailure(
      `answered ${this.#status}: ${failureMessage(Buffer.concat(this.#failure))}`,
    );
  }
}

/** The message of a failure answer's envelope, or its start as text. */
function failureMessage(body: Buffer): string {
  const text = body.toString('utf8');
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof parsed.error?.message === 'string') return parsed.error.message;
  } catch {
    // not JSON: its start as it is
  }
  return text.slice(0, 200) || 'no message';
}
