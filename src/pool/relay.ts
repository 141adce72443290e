/**
 * Relaying a node's answer to the gateway's client as it streams in: an undici dispatch handler
 * that writes the node's status, content type, length and error code, then its body chunks straight to the
 * client's response — no buffering, no copy. Backpressure from a slow client pauses the node's
 * answer. A client that went away is not an error: the node's answer is read to its end and
 * dropped, so the request still ends only when the node has answered (the routing drain counts
 * on that). A refusal for a stale routing, or a verifying node's, may be held back for a retry
 * instead. What to do once
 * the exchange is over is its target's business.
 */
import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { ERROR_CODE_HEADER } from '../errors.js';
import { nodeVersionOf } from './stale-routing.js';
import { VERIFYING_CODE } from './verifying.js';

/** Who hears how the relay ended (an object, so that no closure is made per request). */
export interface RelayTarget {
  /**
   * Called once the node's answer was relayed (`error` undefined) or failed; `headersSent` says
   * whether anything reached the client yet (if not, the target may still answer with an error).
   */
  relayed(error: Error | undefined, headersSent: boolean): void;
  /**
   * Called instead of `relayed` when the relay was told to hold back a refusal for a stale
   * routing and the node answered one: nothing reached the client, the target may retry.
   */
  refused(nodeVersion: number): void;
  /**
   * Called instead of `relayed` when the relay was told to hold back a verifying node's refusal
   * (src/pool/verifying.ts) and the node answered one: nothing reached the client.
   */
  verifying(): void;
}

/** One relayed answer (one per forwarded request). */
export class ResponseRelay implements Dispatcher.DispatchHandler {
  #response: ServerResponse;
  #target: RelayTarget;
  #resume: (() => void) | undefined;
  #holdsRefusal: boolean;
  #holdsVerifying: boolean;
  /** The version a held-back refusal announced; its body is read and dropped. */
  #refusedFor: number | undefined;
  /** A verifying node's refusal is held back; its body is read and dropped. */
  #verifying = false;

  /**
   * `holdsRefusal`: an answer that refuses the request for a stale routing (it names the node's
   * routing version, stale-routing.ts) is not relayed but reported to `target.refused`.
   * `holdsVerifying`: a verifying node's refusal (verifying.ts) is reported to `target.verifying`.
   */
  constructor(
    response: ServerResponse,
    target: RelayTarget,
    holdsRefusal = false,
    holdsVerifying = false,
  ) {
    this.#response = response;
    this.#target = target;
    this.#holdsRefusal = holdsRefusal;
    this.#holdsVerifying = holdsVerifying;
  }

  /** Whether the answer is not relayed (held back for the target). */
  get #held(): boolean {
    return this.#refusedFor !== undefined || this.#verifying;
  }

  /** Present so that undici treats this as a handler of its current (controller) API. */
  onRequestStart(): void {}

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (this.#holdsRefusal) {
      this.#refusedFor = nodeVersionOf(headers);
      if (this.#refusedFor !== undefined) return;
    }
    if (
      this.#holdsVerifying &&
      statusCode >= 400 &&
      headers[ERROR_CODE_HEADER] === VERIFYING_CODE
    ) {
      this.#verifying = true;
      return;
    }
    const response = this.#response;
    if (response.destroyed) return;
    const type = headers['content-type'];
    const length = headers['content-length'];
    if (type !== undefined) response.setHeader('content-type', type);
    if (length !== undefined) response.setHeader('content-length', length);
    if (statusCode >= 400) {
      const code = headers[ERROR_CODE_HEADER];
      if (code !== undefined) response.setHeader(ERROR_CODE_HEADER, code);
    }
    response.writeHead(statusCode);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const response = this.#response;
    if (response.destroyed || this.#held) return;
    if (!response.write(chunk)) {
      controller.pause();
      // Made only when a client is slow, not on every request.
      const resume = (this.#resume ??= () => {
        response.off('drain', resume);
        response.off('close', resume);
        controller.resume();
      });
      response.once('drain', resume);
      response.once('close', resume);
    }
  }

  onResponseEnd(): void {
    if (this.#refusedFor !== undefined) return this.#target.refused(this.#refusedFor);
    if (this.#verifying) return this.#target.verifying();
    if (!this.#response.destroyed) this.#response.end();
    this.#target.relayed(undefined, true);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#target.relayed(error, !this.#held && this.#response.headersSent);
  }
}
