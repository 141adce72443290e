import { nodeVersionOf } from './stale-routing.js';
/** One relayed answer (one per forwarded request). */
export class ResponseRelay {
    #response;
    #target;
    #resume;
    #holdsRefusal;
    /** The version a held-back refusal announced; its body is read and dropped. */
    #refusedFor;
    /**
     * `holdsRefusal`: an answer that refuses the request for a stale routing (it names the node's
     * routing version, stale-routing.ts) is not relayed but reported to `target.refused`.
     */
    constructor(response, target, holdsRefusal = false) {
        this.#response = response;
        this.#target = target;
        this.#holdsRefusal = holdsRefusal;
    }
    /** Present so that undici treats this as a handler of its current (controller) API. */
    onRequestStart() { }
    onResponseStart(_controller, statusCode, headers) {
        if (this.#holdsRefusal) {
            this.#refusedFor = nodeVersionOf(headers);
            if (this.#refusedFor !== undefined)
                return;
        }
        const response = this.#response;
        if (response.destroyed)
            return;
        const type = headers['content-type'];
        const length = headers['content-length'];
        if (type !== undefined)
            response.setHeader('content-type', type);
        if (length !== undefined)
            response.setHeader('content-length', length);
        response.writeHead(statusCode);
    }
    onResponseData(controller, chunk) {
        const response = this.#response;
        if (response.destroyed || this.#refusedFor !== undefined)
            return;
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
    onResponseEnd() {
        if (this.#refusedFor !== undefined)
            return this.#target.refused(this.#refusedFor);
        if (!this.#response.destroyed)
            this.#response.end();
        this.#target.relayed(undefined, true);
    }
    onResponseError(_controller, error) {
        this.#target.relayed(error, this.#refusedFor === undefined && this.#response.headersSent);
    }
}
//# sourceMappingURL=relay.js.map