/**
 * Bringing the pool up when the manager starts. A new pool starts its initial nodes and publishes
 * its first table. A restarted one (the StateDb held a pool) probes every stored member, re-adopts
 * those that answer (with their keys), settles a resize the previous manager left half done
 * (settleMigration, recovery.ts) and then replaces the members that are gone — with the local
 * provisioner, by fresh nodes of the same cache_index taking over their partitions (their keys
 * were lost with them, so nothing moves); with the others, the node stays a member marked down
 * until the orchestrator or the operator brings it back and it answers again. The caller holds the
 * ResizeCoordinator meanwhile.
 */
import type { Logger } from 'pino';
import { PartitionTable, type PartitionStrategy } from '../partition/index.js';
import type { WaitingClock } from '../clock.js';
import type { Publish, Routing } from '../pool/index.js';
import type { NodeStarter } from './node-starter.js';
import type { PoolState } from './pool-state.js';
import type { Provisioner } from './provisioner.js';
import { settleMigration } from './recovery.js';
import type { MigrationRecord } from './state-db.js';

/** What startPool needs. */
export interface StartPoolContext {
  pool: PoolState;
  nodes: NodeStarter;
  provisioner: Provisioner;
  logger: Logger;
  /** The gateway's routing of this process now, if any. */
  routing(): Routing | undefined;
  /** Keys per move_keys call when settling a migration. */
  chunkKeys: number;
  /** Publishes a routing state to the nodes and this process (settling a migration). */
  publish: Publish;
  /** The time of a settling rollback's waits. */
  clock: WaitingClock;
  /** Nodes of a new pool. */
  initialNodes: number;
  /** The partition strategy of a new pool. */
  strategy: PartitionStrategy;
}

/**
 * Starts a new pool, or restores the one `context.pool` read back (see the module header).
 * Throws when a new pool's nodes cannot be started.
 */
export async function startPool(context: StartPoolContext): Promise<void> {
  if (context.pool.restored) await restore(context);
  else await startFresh(context);
}

async function startFresh(context: StartPoolContext): Promise<void> {
  const { pool, logger } = context;
  const started = await context.nodes.start(context.initialNodes);
  for (const [address, index] of started) pool.addMember(address, index, 'up');
  pool.setTable(PartitionTable.initial(pool.members.addresses(), context.strategy));
  pool.saveConfig(pool.config);
  await context.routing()?.publish(pool.table, []);
  logger.info({ nodes: pool.members.addresses(), version: pool.table.version }, 'pool started');
}

async function restore(context: StartPoolContext): Promise<void> {
  const { pool, provisioner, logger } = context;
  const stored = new Map(pool.db.listNodes().map((node) => [node.address, node]));
  const probes = await Promise.all(
    pool.members
      .addresses()
      .map(async (address) => [address, await pool.client(address).healthy()] as const),
  );
  const alive = new Set(probes.filter(([, ok]) => ok).map(([address]) => address));
  for (const address of alive) {
    const member = pool.members.get(address)!;
    provisioner.adopt?.(address, stored.get(address)?.pid ?? null, pool.spec(member.cacheIndex));
  }
  logger.info(
    { alive: [...alive], gone: pool.members.addresses().filter((a) => !alive.has(a)) },
    'members probed after a restart',
  );

  const unfinished = pool.db.unfinishedMigration();
  if (unfinished) await settle(context, unfinished, alive);
  for (const member of pool.members.list()) {
    if (member.status === 'starting' || member.status === 'draining')
      pool.setStatus(member.address, alive.has(member.address) ? 'up' : 'down');
  }

  const gone = pool.members.list().filter((member) => !alive.has(member.address));
  // Where the manager starts nodes itself, it replaces those that died while it was away.
  if (gone.length > 0 && !provisioner.replacesFailed)
    await replace(
      context,
      gone.map((member) => member.address),
    );
  for (const member of pool.members.list()) {
    if (!alive.has(member.address) && provisioner.replacesFailed)
      pool.setStatus(member.address, 'down');
    if (alive.has(member.address)) pool.setStatus(member.address, 'up');
  }
  await context.routing()?.publish(pool.table, []);
  logger.info({ nodes: pool.members.addresses(), version: pool.table.version }, 'pool restored');
}

/** Settles the journaled migration and makes the membership match the table it leaves. */
async function settle(
  context: StartPoolContext,
  record: MigrationRecord,
  alive: ReadonlySet<string>,
): Promise<void> {
  const { pool, logger } = context;
  const settlement = await settleMigration(record, {
    clientOf: (address) => pool.client(address),
    alive,
    chunkKeys: context.chunkKeys,
    logger,
    publish: context.publish,
    clock: context.clock,
  });
  const owners = new Set(settlement.table.owners);
  pool.db.atomically(() => {
    pool.db.finishMigration(record.id, settlement.outcome, settlement.reason ?? undefined);
    pool.setTable(settlement.table);
  });
  // Nodes of the migration that own nothing in the table now: the leaving ones of a completed
  // shrink, the new ones of a rolled-back grow.
  const involved = new Set([...record.fromTable.owners, ...record.toTable.owners]);
  for (const member of pool.members.list()) {
    if (!involved.has(member.address) || owners.has(member.address)) continue;
    await context.provisioner
      .stopNode(member.address, pool.members.size - 1)
      .catch((error: unknown) => {
        logger.warn(
          { address: member.address, err: error },
          'could not stop a node after settling a migration',
        );
      });
    pool.removeMember(member.address);
  }
}

/** Starts one fresh node per gone local member, with its cache_index, and hands it the partitions. */
async function replace(context: StartPoolContext, gone: string[]): Promise<void> {
  const { pool, logger } = context;
  const specs = gone.map((address) => pool.spec(pool.members.get(address)!.cacheIndex));
  let started: string[];
  try {
    started = await context.provisioner.startNodes(specs, pool.members.size - gone.length);
    await Promise.all(
      started.map((address, i) => context.nodes.configure(address, specs[i]!.cacheIndex)),
    );
  } catch (error) {
    logger.error({ err: error, gone }, 'could not replace the nodes that are gone; they stay down');
    for (const address of gone) pool.setStatus(address, 'down');
    return;
  }
  const substitute = new Map(gone.map((address, i) => [address, started[i]!]));
  pool.db.atomically(() => {
    gone.forEach((address, i) => {
      pool.removeMember(address);
      pool.addMember(started[i]!, specs[i]!.cacheIndex, 'up');
    });
    const owners = pool.table.owners.map((owner) => substitute.get(owner) ?? owner);
    pool.setTable(new PartitionTable(pool.table.version + 1, pool.table.strategy, owners));
  });
  logger.warn(
    { replaced: Object.fromEntries(substitute) },
    'nodes gone during the restart were replaced by empty ones',
  );
}
