import { errors } from '../errors.js';
/**
 * Applies `config` to every member of `pool` that is not down, then makes it the one in force.
 * When a node refuses, throws CP_ERR_CONFIG_REJECTED (a 400) naming the refusing nodes and their
 * reasons, after restoring the previous config on the others (failures to restore are logged).
 */
export async function rollOutConfig(pool, config, logger) {
    const previous = { ...pool.config };
    const targets = pool.members.list().filter((member) => member.status !== 'down');
    const results = await Promise.allSettled(targets.map((member) => pool.client(member.address).setConfig({
        capacity: config.capacityMb,
        replacement_policy: config.policy,
    })));
    const refused = targets.filter((_, i) => results[i].status === 'rejected');
    if (refused.length > 0) {
        const accepted = targets.filter((_, i) => results[i].status === 'fulfilled');
        await Promise.all(accepted.map((member) => pool
            .client(member.address)
            .setConfig({ capacity: previous.capacityMb, replacement_policy: previous.policy })
            .catch((error) => logger.error({ address: member.address, err: error }, 'could not restore the previous config'))));
        const reasons = refused.map((member) => {
            const result = results[targets.indexOf(member)];
            return `${member.address} (${result.reason instanceof Error ? result.reason.message : String(result.reason)})`;
        });
        throw errors.configRejected(`the config was not applied: refused by ${reasons.join('; ')}; the previous config stays`);
    }
    pool.saveConfig(config);
}
//# sourceMappingURL=config-rollout.js.map