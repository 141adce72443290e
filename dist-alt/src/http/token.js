/**
 * Where the pool token comes from: `--token` / `CACHEPOOL_TOKEN` or `--token-file <path>` (read
 * once at start, surrounding whitespace trimmed, so a file written by `echo` works). Any process
 * that takes a token (node, manager, start) resolves it here, so the rules are the same.
 */
import { readFileSync } from 'node:fs';
import { OptionError } from '../errors.js';
/** Shortest token that does not draw a warning at start. */
export const TOKEN_WARN_BELOW_CHARS = 16;
/**
 * Checks a token given on the command line or in the environment: printable ASCII (it travels
 * in an HTTP header), not empty. Returns it trimmed; undefined stays undefined (no token).
 */
export function checkToken(token, option = '--token') {
    if (token === undefined)
        return undefined;
    const trimmed = token.trim();
    if (trimmed === '')
        throw new OptionError(option, 'must not be empty (leave it out to run without a token)', token);
    if (!/^[\x20-\x7e]+$/.test(trimmed)) {
        throw new OptionError(option, 'must be printable ASCII (it is sent in an HTTP header)', '<not shown>');
    }
    return trimmed;
}
/**
 * Resolves the token from `--token` and `--token-file`: at most one of them; the file must exist
 * and hold a non-empty token. Throws an OptionError naming the option otherwise (the token
 * itself is never echoed).
 */
export function resolveToken(token, tokenFile) {
    if (tokenFile === undefined)
        return checkToken(token);
    if (token !== undefined) {
        throw new OptionError('--token-file', 'cannot be combined with --token / CACHEPOOL_TOKEN (give one of them)', tokenFile);
    }
    return checkToken(readTokenFile(tokenFile), '--token-file');
}
/** Reads a token file once; a missing, unreadable or empty file is an OptionError. */
export function readTokenFile(path) {
    let text;
    try {
        text = readFileSync(path, 'utf8');
    }
    catch (error) {
        const reason = error.code === 'ENOENT'
            ? 'must name an existing file'
            : 'must name a readable file';
        throw new OptionError('--token-file', reason, path);
    }
    if (text.trim() === '')
        throw new OptionError('--token-file', 'must hold the token, the file is empty', path);
    return text;
}
//# sourceMappingURL=token.js.map