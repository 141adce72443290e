/**
 * The process's garbage collections, for the entry store to ask for (entry-store.ts): dead
 * Buffers hold their memory until V8 collects them, and V8 waits for tens of MB of them. V8 offers
 * no API for it without `--expose-gc`; the flag is set at run time and the `gc` function read from
 * a fresh context, which is the documented way to obtain it after start-up.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
let collector = null;
/**
 * A function that schedules one collection of a kind (calls before it ran make one, a major one
 * when any asked for it), or undefined when the runtime offers none.
 */
export function processCollector() {
    if (collector !== null)
        return collector;
    let gc;
    try {
        const exposed = globalThis.gc;
        if (typeof exposed === 'function')
            gc = exposed;
        else {
            setFlagsFromString('--expose-gc');
            const found = runInNewContext('gc');
            if (typeof found === 'function')
                gc = found;
        }
    }
    catch {
        gc = undefined;
    }
    if (gc === undefined)
        return (collector = undefined);
    const collect = gc;
    let pending;
    // Outside the store's call: the write that made the garbage answers first.
    const run = () => {
        const type = pending;
        pending = undefined;
        // Without options: on Node 20, `{ type: 'major' }` collects without freeing dead Buffers.
        if (type === 'minor')
            collect({ type });
        else
            collect();
    };
    collector = (kind) => {
        if (pending === undefined)
            setImmediate(run);
        if (pending !== 'major')
            pending = kind;
    };
    return collector;
}
//# sourceMappingURL=collector.js.map