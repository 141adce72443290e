/**
 * The string unions the wire carries, each spelled once: a JSON Schema (`as const`) that the
 * route schemas and so the OpenAPI documents embed, the type derived from it, and the list of its
 * values for runtime checks (stored rows, CLI choices). Types only come from here; nothing in
 * this module runs code.
 */
import type { FromSchema } from 'json-schema-to-ts';

/** How the pool changes size: by hand (`poolsize/manual`) or by the auto-scaler. */
export const scaleModeSchema = {
  type: 'string',
  enum: ['manual', 'automatic'],
  description: 'manual: only by hand; automatic: the auto-scaler decides every period.',
} as const;
/** One of the resize modes. */
export type ScaleMode = FromSchema<typeof scaleModeSchema>;
/** Every ScaleMode. */
export const scaleModes: readonly ScaleMode[] = scaleModeSchema.enum;

/**
 * Why the pool changed size: one of the modes, a member that failed (its partitions failed over,
 * or the pool growing back after it), a member that left on its own (SIGTERM), a node that
 * registered and joined, or a resize that failed and was rolled back (the event then carries the
 * size it aimed at).
 */
export const resizeCauseSchema = {
  type: 'string',
  enum: [...scaleModeSchema.enum, 'failure', 'leave', 'join', 'rolled-back'],
  description:
    'manual or automatic (the mode that resized), failure (a member failed), leave (a member stopped on its own), join (a node registered), rolled-back (a failed resize; new_size is the size it aimed at).',
} as const;
/** A ScaleMode, or one of the pool's own events (see resizeCauseSchema). */
export type ResizeCause = FromSchema<typeof resizeCauseSchema>;
/** Every ResizeCause, for checks of stored rows. */
export const resizeCauses: readonly ResizeCause[] = resizeCauseSchema.enum;

/** What one auto-scaler decision did. */
export const scaleActionSchema = { type: 'string', enum: ['grow', 'shrink', 'none'] } as const;
/** One auto-scaler action. */
export type ScaleAction = FromSchema<typeof scaleActionSchema>;
/** Every ScaleAction. */
export const scaleActions: readonly ScaleAction[] = scaleActionSchema.enum;

/** Where a member is in its life: starting (not routed yet), up, down (crashed), draining (leaving). */
export const memberStatusSchema = {
  type: 'string',
  enum: ['up', 'down', 'starting', 'draining'],
  description: 'starting: not routed yet; up; down: unreachable; draining: handing its keys off.',
} as const;
/** One member status. */
export type MemberStatus = FromSchema<typeof memberStatusSchema>;
/** Every MemberStatus. */
export const memberStatuses: readonly MemberStatus[] = memberStatusSchema.enum;

/** How partitions are assigned to nodes (SPEC §3). */
export const partitionStrategySchema = {
  type: 'string',
  enum: ['minimal', 'round-robin'],
  description:
    'minimal: fewest moves while every node owns floor(16/N) or ceil(16/N); round-robin: partition i on node i mod N.',
} as const;
/** One partition strategy. */
export type PartitionStrategy = FromSchema<typeof partitionStrategySchema>;
/** Every PartitionStrategy. */
export const partitionStrategies: readonly PartitionStrategy[] = partitionStrategySchema.enum;

/** The one field of `poolsize/manual`. */
export const poolChangeSchema = { type: 'string', enum: ['increase', 'decrease'] } as const;
/** One manual change. */
export type PoolChange = FromSchema<typeof poolChangeSchema>;
