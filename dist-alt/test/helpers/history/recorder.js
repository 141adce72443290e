/** A recorder of operations: `get`, `put`, `delete` and `clear`, each timed and classified. */
export class HistoryRecorder {
    now;
    timeoutMs;
    #operations = [];
    constructor(options = {}) {
        this.now = options.now ?? (() => performance.now());
        this.timeoutMs = options.timeoutMs ?? 5_000;
    }
    /** The operations recorded so far (completed ones only), in completion order. */
    get operations() {
        return this.#operations;
    }
    /** Reads `key` through `source` as `client`; resolves with the operation recorded. */
    get(source, client, key) {
        return this.record(client, 'get', key, undefined, (signal) => source.get(key, signal));
    }
    /** Writes `value` under `key` through `source` as `client`; resolves with the operation. */
    put(source, client, key, value) {
        return this.record(client, 'put', key, value, (signal) => source.put(key, value, signal));
    }
    /** Deletes `key` through `source` as `client`; resolves with the operation. */
    delete(source, client, key) {
        return this.record(client, 'delete', key, undefined, (signal) => source.delete(key, signal));
    }
    /**
     * Clears every key with `run` (e.g. the manager's cache clear), given `timeoutMs` (default the
     * recorder's); resolves with the outcome.
     */
    async clear(client, run, timeoutMs = this.timeoutMs) {
        return (await this.record(client, 'clear', '', undefined, run, timeoutMs)).outcome;
    }
    /**
     * Runs one operation and records it. `run` resolves with a get's value (undefined: a miss) or
     * nothing for a write; a rejection is an `error`, or a `timeout` once the recorder's timeout
     * aborted it (after `timeoutMs`, default the recorder's).
     */
    async record(client, kind, key, value, run, timeoutMs = this.timeoutMs) {
        const signal = AbortSignal.timeout(timeoutMs);
        const invokedAt = this.now();
        let outcome;
        let error;
        let read;
        try {
            const result = await run(signal);
            if (kind === 'get') {
                read = result ?? undefined;
                outcome = read === undefined ? 'miss' : 'ok';
            }
            else {
                outcome = 'ok';
            }
        }
        catch (failure) {
            outcome = signal.aborted ? 'timeout' : 'error';
            error = failure instanceof Error ? failure.message : String(failure);
        }
        const op = {
            id: this.#operations.length,
            client,
            kind,
            key,
            value: kind === 'get' ? read : value,
            invokedAt,
            completedAt: this.now(),
            outcome,
            ...(error === undefined ? {} : { error }),
        };
        this.#operations.push(op);
        return op;
    }
}
//# sourceMappingURL=recorder.js.map