/**
 * Rolling a new cache config out to the pool (SPEC §4 `cache/config`) all or nothing: every member
 * that is not down gets it; when one refuses, those that had accepted get the previous config
 * back, so that the pool never runs two configs. A down node gets the config in force when it is
 * back (node-lifecycle.ts); later nodes start with it.
 */
import type { Logger } from 'pino';
import { errors } from '../errors.js';
import type { CacheConfig, PoolState } from './pool-state.js';

/**
 * Applies `config` to every member of `pool` that is not down, then makes it the one in force.
 * When a node refuses, throws CP_ERR_CONFIG_REJECTED (a 400) naming the refusing nodes and their
 * reasons, after restoring the previous config on the others (failures to restore are logged).
 */
export async function rollOutConfig(
  pool: PoolState,
  config: CacheConfig,
  logger: Logger,
): Promise<void> {
  const previous = { ...pool.config };
  const targets = pool.members.list().filter((member) => member.status !== 'down');
  const results = await Promise.allSettled(
    targets.map((member) =>
      pool.client(member.address).setConfig({
        capacity: config.capacityMb,
        replacement_policy: config.policy,
      }),
    ),
  );
  const refused = targets.filter((_, i) => results[i]!.status === 'rejected');
  if (refused.length > 0) {
    const accepted = targets.filter((_, i) => results[i]!.status === 'fulfilled');
    await Promise.all(
      accepted.map((member) =>
        pool
          .client(member.address)
          .setConfig({ capacity: previous.capacityMb, replacement_policy: previous.policy })
          .catch((error: unknown) =>
            logger.error(
              { address: member.address, err: error },
              'could not restore the previous config',
            ),
          ),
      ),
    );
    const reasons = refused.map((member) => {
      const result = results[targets.indexOf(member)] as PromiseRejectedResult;
      return `${member.address} (${result.reason instanceof Error ? result.reason.message : String(result.reason)})`;
    });
    throw errors.configRejected(
      `the config was not applied: refused by ${reasons.join('; ')}; the previous config stays`,
    );
  }
  pool.saveConfig(config);
}
