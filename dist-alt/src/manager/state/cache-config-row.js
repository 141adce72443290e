import { defaults } from '../../defaults.js';
import { OptionError } from '../../errors.js';
/** The `cache_config` row's statements, prepared once. `StateDb` documents them for callers. */
export class CacheConfigRow {
    #statements;
    constructor(db) {
        this.#statements = prepare(db);
    }
    /** Stores the configuration; throws on a negative capacity or an empty policy name. */
    save(config) {
        if (!Number.isInteger(config.capacityMb) || config.capacityMb < 0) {
            throw new OptionError('capacityMb', 'must be an integer >= 0', config.capacityMb);
        }
        if (typeof config.policy !== 'string' || config.policy === '')
            throw new OptionError('policy', 'must be a policy name', config.policy);
        this.#statements.saveCacheConfig.run(config.capacityMb, config.policy);
    }
    /** The stored configuration, or the defaults (`defaults.capacityMb`, `defaults.replacementPolicy`). */
    load() {
        const row = this.#statements.loadCacheConfig.get();
        return row === undefined
            ? { capacityMb: defaults.capacityMb, policy: defaults.replacementPolicy }
            : { capacityMb: row.capacity_mb, policy: row.policy };
    }
}
function prepare(db) {
    return {
        saveCacheConfig: db.prepare(`INSERT INTO cache_config (id, capacity_mb, policy) VALUES (1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET capacity_mb = excluded.capacity_mb, policy = excluded.policy`),
        loadCacheConfig: db.prepare('SELECT capacity_mb, policy FROM cache_config WHERE id = 1'),
    };
}
//# sourceMappingURL=cache-config-row.js.map