/**
 * The shapes of a recorded history: operations with their invocation and completion times (one
 * monotonic clock, in ms), the windows in which a node's data may be lost, and the violations the
 * checker reports. Plain data only: a history can be printed, saved and checked again.
 */
export const violationKinds = [
    'stale-read',
    'resurrected-delete',
    'never-written',
    'lost-write',
    'read-error',
];
//# sourceMappingURL=types.js.map