import { errors } from '../errors.js';
import { readFields, sendSuccess } from '../http/index.js';
import { PARTITION_COUNT } from '../partition/index.js';
/** Registers the route. */
export function registerTableRoute(app, node, guard) {
    app.post('/internal/table', { onRequest: guard }, (request, reply) => {
        const roles = readRoles(readFields(request));
        const applied = node.ownership.update(roles);
        sendSuccess(reply, { applied, version: node.ownership.version ?? null });
    });
}
function readRoles(fields) {
    const version = fields.version;
    if (!Number.isSafeInteger(version) || version < 0)
        throw errors.invalid(`version must be an integer >= 0, got ${JSON.stringify(version ?? null)}`);
    const seen = new Set();
    const list = (name) => {
        const value = fields[name] ?? [];
        if (!Array.isArray(value) ||
            !value.every((p) => Number.isInteger(p) && p >= 0 && p < PARTITION_COUNT))
            throw errors.invalid(`${name} must be a list of integers from 0 to ${PARTITION_COUNT - 1}`);
        for (const partition of value) {
            if (seen.has(partition))
                throw errors.invalid(`partition ${partition} is named twice`);
            seen.add(partition);
        }
        return value;
    };
    return {
        version: version,
        owned: list('owned'),
        receiving: list('receiving'),
        leaving: list('leaving'),
    };
}
//# sourceMappingURL=routes-table.js.map