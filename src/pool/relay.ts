/**
 * Relaying a node's answer to the gateway's client as it streams in: an undici dispatch handler
 * that writes the node's status, content type and length, then its body chunks straight to the
 * client's response — no buffering, no copy. Backpressure from a slow client pauses the node's
 * answer. A client that went away is not an error: the node's answer is read to its end and
 * dropped, so the request still ends only when the node has answered (the routing drain counts
 * on that). What to do once the exchange is over is its target's business.
 */
import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';

/** Who hears how the relay ended (an object, so that no closure is made per request). */
export interface RelayTarget {
  /**
   * Called once the node's answer was relayed (`error` undefined) or failed; `headersSent` says
   * whether anything reached the client yet (if not, the target may still answer with an error).
   */
  relayed(error: Error | undefined, headersSent: boolean): void;
}

/** One relayed answer (one per forwarded request). */
export class ResponseRelay implements Dispatcher.DispatchHandler {
  #response: ServerResponse;
  #target: RelayTarget;
  #resume: (() => void) | undefined;

  constructor(response: ServerResponse, target: RelayTarget) {
    this.#response = response;
    this.#target = target;
  }

  /** Present so that undici treats this as a handler of its current (controller) API. */
  onRequestStart(): void {}

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    const response = this.#response;
    if (response.destroyed) return;
    const type = headers['content-type'];
    const length = headers['content-length'];
    if (type !== undefined) response.setHeader('content-type', type);
    if (length !== undefined) response.setHeader('content-length', length);
    response.writeHead(statusCode);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const response = this.#response;
    if (response.destroyed) return;
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
    if (!this.#response.destroyed) this.#response.end();
    this.#target.relayed(undefined, true);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#target.relayed(error, this.#response.headersSent);
  }
}
