import { closeSync, openSync, readSync } from 'node:fs';
import { defaults } from '../../defaults.js';
import { errors } from '../../errors.js';
/** How often a starting node's log is read, in ms. */
const POLL_MS = 100;
/**
 * Reads the node's log from `offset` until its listening line, logged by this very process (the
 * file is shared by every node of the same cache_index: a dead node's replacement and a new node
 * may start at once); rejects on exit, a spawn error or timeout.
 */
export function waitForListening(child, logPath, offset, timeoutMs, index) {
    return new Promise((resolve, reject) => {
        let text = '';
        let position = offset;
        const read = () => {
            let fd;
            try {
                fd = openSync(logPath, 'r');
                const buffer = Buffer.alloc(64 * 1024);
                for (;;) {
                    const n = readSync(fd, buffer, 0, buffer.length, position);
                    if (n <= 0)
                        break;
                    position += n;
                    text = (text + buffer.toString('utf8', 0, n)).slice(-256 * 1024);
                }
            }
            catch {
                // The file is read again at the next poll.
            }
            finally {
                if (fd !== undefined)
                    closeSync(fd);
            }
            return text;
        };
        const finish = (outcome) => {
            clearInterval(poll);
            clearTimeout(timer);
            child.removeListener('exit', onExit);
            child.removeListener('error', onError);
            if ('url' in outcome)
                resolve(outcome.url);
            else
                reject(outcome.error);
        };
        const check = () => {
            for (const line of read().split('\n')) {
                if (!line.includes('"listening"'))
                    continue;
                try {
                    const parsed = JSON.parse(line);
                    if (parsed.msg === 'listening' &&
                        parsed.role === 'node' &&
                        parsed.pid === child.pid &&
                        typeof parsed.url === 'string') {
                        finish({ url: parsed.url });
                        return;
                    }
                }
                catch {
                    // not a log line of ours
                }
            }
        };
        // A node that exits before its listening line was read did not start, whatever its log says:
        // reporting it started would leave a dead address that no exit event ever follows.
        const onExit = (code) => {
            finish({
                error: errors.resizeFailed(`node ${index} exited with ${code} while starting: ${read().slice(-500)}`),
            });
        };
        // Spawning itself failed (no such binary, no permission, a process or file limit).
        const onError = (error) => {
            finish({
                error: errors.resizeFailed(`node ${index} could not be started: ${error.message}`),
            });
        };
        const poll = setInterval(check, POLL_MS);
        const timer = setTimeout(() => {
            child.kill('SIGKILL');
            finish({
                error: errors.resizeFailed(`node ${index} did not start in time: ${read().slice(-500)}`),
            });
        }, timeoutMs);
        child.once('exit', onExit);
        child.once('error', onError);
        check();
    });
}
/** True when a process with this id exists. */
export function isAlive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (error) {
        return error.code === 'EPERM';
    }
}
/** SIGTERM, then SIGKILL after defaults.nodeStopGraceMs (5 s); resolves once the process is gone. */
export async function stopPid(pid) {
    if (!isAlive(pid))
        return;
    try {
        process.kill(pid, 'SIGTERM');
    }
    catch {
        return;
    }
    const deadline = Date.now() + defaults.nodeStopGraceMs;
    while (isAlive(pid)) {
        if (Date.now() > deadline) {
            try {
                process.kill(pid, 'SIGKILL');
            }
            catch {
                return;
            }
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
    }
}
//# sourceMappingURL=local-process.js.map