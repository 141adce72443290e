/**
 * Temporary directories for tests, removed together by `removeTempDirs` (register it with
 * `after(removeTempDirs)` in each test file that makes some).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const made = [];
/** Makes a new empty directory under the OS temp dir, its name starting with `prefix`. */
export function tempDir(prefix = 'cachepool-test-') {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    made.push(dir);
    return dir;
}
/** Removes every directory `tempDir` made so far (missing ones are fine). */
export function removeTempDirs() {
    for (const dir of made.splice(0))
        rmSync(dir, { recursive: true, force: true });
}
//# sourceMappingURL=temp-dir.js.map