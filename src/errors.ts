/**
 * The error catalogue: every error cachepool raises on purpose has a stable code, an HTTP status
 * and a message here. Routes turn a CachePoolError into the legacy envelope (status 400 with the
 * status repeated inside, see SPEC §1; a few protocol-level codes keep their own status there, see
 * src/http/envelope.ts) or into a proper status on /v1. docs/errors.md lists every code and is
 * pinned against this file by a test. Code outside this file builds errors through `errors`
 * only, never with `new RequestError(…)`. Anything that is not a
 * CachePoolError is an internal fault: it becomes a generic 500 and is logged, never echoed.
 */

/** Every code of the catalogue (docs/errors.md has a row for each). */
export const ERROR_CODES = [
  'CP_ERR_OPTION_INVALID',
  'CP_ERR_REQUEST_MISSING_KEY',
  'CP_ERR_REQUEST_MISSING_VALUE',
  'CP_ERR_REQUEST_INVALID',
  'CP_ERR_REQUEST_BODY_MALFORMED',
  'CP_ERR_REQUEST_BODY_TOO_LARGE',
  'CP_ERR_REQUEST_UNSUPPORTED_MEDIA',
  'CP_ERR_REQUEST_NOT_UNICODE',
  'CP_ERR_KEY_TOO_LONG',
  'CP_ERR_KEY_UNKNOWN',
  'CP_ERR_VALUE_TOO_LARGE',
  'CP_ERR_ROUTE_NOT_FOUND',
  'CP_ERR_METHOD_NOT_ALLOWED',
  'CP_ERR_AUTH_REQUIRED',
  'CP_ERR_AUTH_FORBIDDEN',
  'CP_ERR_MOVE_FAILED',
  'CP_ERR_MOVE_DEST_REFUSED',
  'CP_ERR_MOVE_BUSY',
  'CP_ERR_NOT_OWNER',
  'CP_ERR_POOL_MAX',
  'CP_ERR_POOL_MIN',
  'CP_ERR_POOL_CHANGE_INVALID',
  'CP_ERR_POOL_NOT_MEMBER',
  'CP_ERR_POOL_BUSY',
  'CP_ERR_POOL_RESIZE_FAILED',
  'CP_ERR_NODE_UNREACHABLE',
  'CP_ERR_NODE_VERIFYING',
  'CP_ERR_CONFIG_REJECTED',
  'CP_ERR_PRECONDITION_FAILED',
  'CP_ERR_CLIENT_CLOSED',
  'CP_ERR_INTERNAL',
] as const;

/** A catalogue code, `CP_ERR_<AREA>_<WHAT>`. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * The header in which a router says the routing version it routed a request by, and a node that
 * refused the request for it (CP_ERR_NOT_OWNER) says its own (re-exported by partition/roles.ts).
 */
export const ROUTED_BY_HEADER = 'x-cachepool-table-version';

/**
 * The header of a node's miss that a reader must not look past (`X-Cachepool-Miss: final`): the
 * key's partition is moving to this node, and the key was written or invalidated here since, so
 * an old owner's copy is older than what it lost (evicted, expired or removed). Without it, a
 * reader of a moving partition asks the old owner next (src/pool/moving-pair.ts, readThrough).
 */
export const MISS_HEADER = 'x-cachepool-miss';

/**
 * The header in which every error answer of a node, gateway or manager carries its catalogue
 * code, in both API shapes (`X-Cachepool-Error: CP_ERR_MOVE_BUSY`). The legacy envelope is fixed
 * by SPEC §1 and has no room for it; callers tell errors apart by this code, never by message.
 */
export const ERROR_CODE_HEADER = 'x-cachepool-error';

const CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/** Whether `value` is a code of the catalogue. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && CODES.has(value);
}

/**
 * The catalogue code an answer's headers carry in X-Cachepool-Error (ERROR_CODE_HEADER);
 * undefined when there is none or it is not a code of the catalogue.
 */
export function errorCodeOf(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): ErrorCode | undefined {
  const value = headers[ERROR_CODE_HEADER];
  const code = Array.isArray(value) ? value[0] : value;
  return isErrorCode(code) ? code : undefined;
}

/**
 * Base of every deliberate error: a stable `code`, the HTTP `statusCode`, an optional `cause`,
 * and `headers` that its answer carries in either API shape (empty for most errors).
 */
export class CachePoolError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  constructor(
    code: ErrorCode,
    statusCode: number,
    message: string,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(message, options);
    this.name = 'CachePoolError';
    this.code = code;
    this.statusCode = statusCode;
    this.headers = options?.headers ?? {};
  }
}

/** A bad option or configuration value: the message names the option, the rule and the value. */
export class OptionError extends CachePoolError {
  constructor(option: string, rule: string, value: unknown) {
    super('CP_ERR_OPTION_INVALID', 400, `${option} ${rule}, got ${describe(value)}`);
    this.name = 'OptionError';
  }
}

/** A request that cannot be served as sent (a 4xx). */
export class RequestError extends CachePoolError {
  constructor(
    code: ErrorCode,
    statusCode: number,
    message: string,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(code, statusCode, message, options);
    this.name = 'RequestError';
  }
}

/** An operation that failed against another process (a node, the manager); carries the cause. */
export class OperationalError extends CachePoolError {
  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; statusCode?: number },
  ) {
    super(code, options?.statusCode ?? 502, message, options);
    this.name = 'OperationalError';
  }
}

/**
 * A failure answer of another process, as far as an error needs it: the status it sent and the
 * catalogue code it carried (X-Cachepool-Error, or a /v1 body's code; absent when it sent none).
 * A NodeClient's raw answer and a gateway's Upstream are such answers.
 */
export interface PeerAnswer {
  readonly statusCode: number;
  readonly errorCode?: ErrorCode | undefined;
}

/**
 * A call that another process answered with a failure. `peerStatus` and `peerCode` are what it
 * answered, so a caller tells a busy node or a miss from other refusals by code, never by text;
 * the answer itself is the `cause`.
 */
export class RefusedError extends OperationalError {
  readonly peerStatus: number;
  readonly peerCode: ErrorCode | undefined;
  constructor(code: ErrorCode, message: string, answer: PeerAnswer) {
    super(code, message, { cause: answer });
    this.name = 'RefusedError';
    this.peerStatus = answer.statusCode;
    this.peerCode = answer.errorCode;
  }
}

/** The legacy texts that clients of the original compare against (SPEC §2, §4). */
export const messages = {
  missingKey: 'Missing key',
  missingValue: 'Missing value',
  unknownKey: 'Unknown key',
  poolMax: 'The size of memcache pool has been reached to maximum',
  poolMin: 'The size of memcache pool has been reached to minimum',
  poolChangeInvalid: 'Parameter change can only be increase or decrease',
} as const;

export const errors = {
  missingKey: () => new RequestError('CP_ERR_REQUEST_MISSING_KEY', 400, messages.missingKey),
  missingValue: () => new RequestError('CP_ERR_REQUEST_MISSING_VALUE', 400, messages.missingValue),
  unknownKey: () => new RequestError('CP_ERR_KEY_UNKNOWN', 404, messages.unknownKey),
  keyTooLong: (bytes: number, max: number) =>
    new RequestError(
      'CP_ERR_KEY_TOO_LONG',
      400,
      `key is ${bytes} bytes, the limit is ${max} bytes`,
    ),
  valueTooLarge: (bytes: number, capacityBytes: number) =>
    new RequestError(
      'CP_ERR_VALUE_TOO_LARGE',
      413,
      `entry of ${bytes} bytes is larger than the cache capacity of ${capacityBytes} bytes`,
    ),
  invalid: (message: string) => new RequestError('CP_ERR_REQUEST_INVALID', 400, message),
  malformedBody: (message: string) =>
    new RequestError('CP_ERR_REQUEST_BODY_MALFORMED', 400, `malformed request body: ${message}`),
  bodyTooLarge: (limitBytes: number) =>
    new RequestError(
      'CP_ERR_REQUEST_BODY_TOO_LARGE',
      413,
      `request body is larger than the limit of ${limitBytes} bytes`,
    ),
  unsupportedMedia: (type: string) =>
    new RequestError(
      'CP_ERR_REQUEST_UNSUPPORTED_MEDIA',
      415,
      `unsupported content type ${describe(type)}`,
    ),
  /**
   * A key or value (`field`) that is not well-formed Unicode: a lone UTF-16 surrogate (from a
   * JSON `\udc00` escape) or bytes that are not UTF-8. Refused at the door, so that no move can
   * rename it.
   */
  notUnicode: (field: string) =>
    new RequestError(
      'CP_ERR_REQUEST_NOT_UNICODE',
      400,
      `${field} is not well-formed Unicode text (a lone UTF-16 surrogate, or bytes that are not UTF-8)`,
    ),
  /** A JSON number beyond what a double holds (`1e400`), which would read as Infinity. */
  numberOutOfRange: (field: string) =>
    new RequestError('CP_ERR_REQUEST_INVALID', 400, `${field} is a JSON number out of range`),
  notFound: (method: string, url: string) =>
    new RequestError('CP_ERR_ROUTE_NOT_FOUND', 404, `no route for ${method} ${url}`),
  methodNotAllowed: (method: string, url: string) =>
    new RequestError('CP_ERR_METHOD_NOT_ALLOWED', 405, `method ${method} is not allowed on ${url}`),
  authRequired: () =>
    new RequestError(
      'CP_ERR_AUTH_REQUIRED',
      401,
      'this endpoint needs the pool token (Authorization: Bearer <token>)',
    ),
  authForbidden: () =>
    new RequestError('CP_ERR_AUTH_FORBIDDEN', 403, 'the pool token does not match'),
  poolMax: () => new RequestError('CP_ERR_POOL_MAX', 400, messages.poolMax),
  poolMin: () => new RequestError('CP_ERR_POOL_MIN', 400, messages.poolMin),
  poolChangeInvalid: () =>
    new RequestError('CP_ERR_POOL_CHANGE_INVALID', 400, messages.poolChangeInvalid),
  notMember: (address: string) =>
    new RequestError(
      'CP_ERR_POOL_NOT_MEMBER',
      400,
      `${describe(address)} is not a member of this pool`,
    ),
  poolBusy: () =>
    new RequestError(
      'CP_ERR_POOL_BUSY',
      409,
      'a resize is already running; retry when it has finished',
    ),
  /** A value over the node's `--max-value-bytes`: 413 on /v1, 400 in the legacy envelope. */
  valueOverLimit: (bytes: number, maxBytes: number) =>
    new RequestError(
      'CP_ERR_VALUE_TOO_LARGE',
      413,
      `value is ${bytes} bytes, the limit is ${maxBytes} bytes (--max-value-bytes)`,
    ),
  /**
   * A pool node asked for a key of a partition it does not serve (src/node/ownership.ts), or
   * asked by a router that routed by an older routing version than the node's `version`: the
   * router refreshes its table and tries again. Answered 421 on /v1 and 400 on the legacy API,
   * both with the node's routing version in X-Cachepool-Table-Version (only such refusals carry
   * that header, so a router tells them from any other 400).
   */
  notOwner: (partition: number, version: number) =>
    new RequestError(
      'CP_ERR_NOT_OWNER',
      421,
      `partition ${partition} of this key is not served by this node under routing version ${version}; refresh the partition table`,
      { headers: { [ROUTED_BY_HEADER]: String(version) } },
    ),
  /** A move_keys call beyond the node's `--move-concurrency` (`running` calls already run). */
  moveBusy: (running: number) =>
    new RequestError(
      'CP_ERR_MOVE_BUSY',
      409,
      `busy: this node is already running ${running} move_keys calls (the limit); retry when one has finished`,
    ),
  /**
   * A move_keys address the node may not contact (docs/security.md); `why` completes
   * "is not an allowed …", e.g. `destination: it is not a member of this pool`.
   */
  moveRefused: (hostPort: string, why: string) =>
    new RequestError('CP_ERR_MOVE_DEST_REFUSED', 400, `${hostPort} is not an allowed ${why}`),
  /** A move_keys call listing more keys than `--move-max-keys`. */
  moveTooManyKeys: (count: number, max: number) =>
    new RequestError(
      'CP_ERR_REQUEST_INVALID',
      400,
      `move_keys lists ${count} keys, the limit is ${max} (--move-max-keys)`,
    ),
  /** move_keys could not hand some keys off; `detail` names each destination, its reason and keys. */
  moveFailed: (detail: string) =>
    new OperationalError(
      'CP_ERR_MOVE_FAILED',
      `move_keys failed; these keys stay on this node: ${detail}`,
    ),
  /**
   * A destination could not read a batch its source offered (`POST /internal/pull`); the source
   * then sends the batch in its request instead (src/node/move-keys.ts).
   */
  pullFailed: (source: string, id: string, reason: string) =>
    new OperationalError(
      'CP_ERR_MOVE_FAILED',
      `batch ${id} could not be read from ${source}: ${reason}`,
    ),
  /** `GET /internal/export/<id>` of a batch that is not (or no longer) offered here. */
  batchUnknown: (id: string) =>
    new RequestError('CP_ERR_KEY_UNKNOWN', 404, `no batch ${id} is offered by this node`),
  /** A destination of move_keys answered 200 with something that is not an import outcome. */
  moveBadAnswer: () =>
    new OperationalError('CP_ERR_MOVE_FAILED', 'the destination gave an unexpected answer'),
  /** Another process answered a call with an error: its `answer` (status, code) and `message`. */
  peerRefused: (message: string, answer: PeerAnswer) =>
    new RefusedError(
      'CP_ERR_NODE_UNREACHABLE',
      `answered ${answer.statusCode}: ${message}`,
      answer,
    ),
  /** Another process could not be reached (connection refused, timeout, reset). */
  peerUnreachable: (cause: unknown) =>
    new OperationalError('CP_ERR_NODE_UNREACHABLE', 'unreachable', { cause }),
  /**
   * A node gave no answer to a call of ours (connection refused, reset, timeout); `what` is the
   * call, e.g. `POST /api/cache/key` (without a query). Carries the transport error as `cause`.
   */
  nodeDidNotAnswer: (address: string, what: string, cause: unknown) =>
    new OperationalError('CP_ERR_NODE_UNREACHABLE', `node ${address} did not answer ${what}`, {
      cause,
    }),
  /**
   * A write sent to a pool node whose process has just stood still, while it asks its
   * manager whether it is still a member (src/node/stall-guard.ts): nothing changed; retry.
   */
  nodeVerifying: () =>
    new OperationalError(
      'CP_ERR_NODE_VERIFYING',
      'this node is checking with its manager that it is still a member (its process stood still); nothing changed, retry',
      { statusCode: 503 },
    ),
  /** Neither node of a moving partition's pair answered a read or a write of the gateway. */
  nodeUnreachable: (address: string) =>
    new OperationalError('CP_ERR_NODE_UNREACHABLE', `node ${address} cannot be reached`),
  /**
   * A node answered a call of ours (`what`) with a failure: its message, and its `answer` (status
   * and code), kept as `cause` and as the error's peerStatus and peerCode.
   */
  nodeRefused: (address: string, what: string, message: string, answer: PeerAnswer) =>
    new RefusedError(
      'CP_ERR_NODE_UNREACHABLE',
      `node ${address} refused ${what}: ${answer.statusCode} ${message}`,
      answer,
    ),
  /**
   * A node answered a move_keys call of the manager with a failure; as nodeRefused (a busy node,
   * peerCode CP_ERR_MOVE_BUSY, is asked again).
   */
  nodeRefusedMove: (address: string, message: string, answer: PeerAnswer) =>
    new RefusedError(
      'CP_ERR_MOVE_FAILED',
      `node ${address} refused POST /api/cache/move_keys: ${answer.statusCode} ${message}`,
      answer,
    ),
  /**
   * A node refused a call the gateway sent to every node (`method path`); `detail` is the start
   * of its answer. Nothing is undone on the nodes that accepted it.
   */
  fanOutRefused: (method: string, path: string, detail: string) =>
    new OperationalError('CP_ERR_NODE_UNREACHABLE', `a node refused ${method} ${path}: ${detail}`),
  /** Every key was handed off, but the removal call to the manager failed. */
  managerNotTold: (manager: string, reason: string, cause: unknown) =>
    new OperationalError(
      'CP_ERR_NODE_UNREACHABLE',
      `every key was handed off, but the manager ${manager} was not told: ${reason}`,
      { cause },
    ),
  /** The pool's member list could not be read from the manager (move_keys then moves nothing). */
  memberListUnreadable: (manager: string, cause: unknown) =>
    new OperationalError(
      'CP_ERR_NODE_UNREACHABLE',
      `the pool member list could not be read from the manager ${manager}`,
      { cause },
    ),
  /** The manager's member list is not a list of `host:port` strings. */
  memberListInvalid: (manager: string) =>
    new OperationalError(
      'CP_ERR_NODE_UNREACHABLE',
      `the manager ${manager} answered an unexpected member list`,
    ),
  /** A resize could not complete; `message` names the step and the node. The old table stays. */
  resizeFailed: (message: string, cause?: unknown) =>
    new OperationalError(
      'CP_ERR_POOL_RESIZE_FAILED',
      message,
      cause === undefined ? {} : { cause },
    ),
  /** Nodes refused a configuration the manager sent (`message` names them); nothing changed. */
  configRejected: (message: string) =>
    new OperationalError('CP_ERR_CONFIG_REJECTED', message, { statusCode: 400 }),
  /** A /v1 PUT whose `If-None-Match: *` or `If-Match` does not hold; nothing is written. */
  preconditionFailed: (message: string) =>
    new RequestError('CP_ERR_PRECONDITION_FAILED', 412, message),
  /**
   * An error a server answered in the /v1 shape, rebuilt on the client (src/client) with the
   * same code, status and message, so an application tells cases apart by `code`.
   */
  remote: (code: ErrorCode, status: number, message: string) =>
    new CachePoolError(code, status, message),
  /** The client could not read the partition table from the manager at `manager`. */
  tableUnreadable: (manager: string, cause: unknown) =>
    new OperationalError(
      'CP_ERR_NODE_UNREACHABLE',
      `the partition table could not be read from the manager ${manager}`,
      { cause },
    ),
  /** A call on a client (src/client) after its `close()`. */
  clientClosed: () =>
    new OperationalError('CP_ERR_CLIENT_CLOSED', 'the client is closed', { statusCode: 500 }),
  /** An internal fault: logged where it happened, answered with this generic text only. */
  internal: () => new CachePoolError('CP_ERR_INTERNAL', 500, 'internal error'),
} as const;

/** Renders a value for an error message: strings quoted, long ones cut. */
export function describe(value: unknown): string {
  if (typeof value === 'string') {
    const cut = value.length > 64 ? `${value.slice(0, 64)}…` : value;
    return JSON.stringify(cut);
  }
  if (value === undefined) return 'nothing';
  try {
    const text = JSON.stringify(value);
    return text.length > 64 ? `${text.slice(0, 64)}…` : text;
  } catch {
    // What JSON cannot print (a BigInt, a cycle) falls back to its plain text.
    // eslint-disable-next-line @typescript-eslint/no-base-to-string
    return String(value);
  }
}
