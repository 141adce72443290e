/**
 * The error catalogue: every error cachepool raises on purpose has a stable code, an HTTP status
 * and a message here. Routes turn a CachePoolError into the legacy envelope (status 400 with the
 * status repeated inside, see SPEC §1) or into a proper status on /v1. Anything that is not a
 * CachePoolError is an internal fault: it becomes a generic 500 and is logged, never echoed.
 */

export type ErrorCode =
  | 'CP_ERR_OPTION_INVALID'
  | 'CP_ERR_REQUEST_MISSING_KEY'
  | 'CP_ERR_REQUEST_MISSING_VALUE'
  | 'CP_ERR_REQUEST_INVALID'
  | 'CP_ERR_REQUEST_BODY_MALFORMED'
  | 'CP_ERR_REQUEST_BODY_TOO_LARGE'
  | 'CP_ERR_REQUEST_UNSUPPORTED_MEDIA'
  | 'CP_ERR_KEY_TOO_LONG'
  | 'CP_ERR_KEY_UNKNOWN'
  | 'CP_ERR_VALUE_TOO_LARGE'
  | 'CP_ERR_ROUTE_NOT_FOUND'
  | 'CP_ERR_METHOD_NOT_ALLOWED'
  | 'CP_ERR_AUTH_REQUIRED'
  | 'CP_ERR_AUTH_FORBIDDEN'
  | 'CP_ERR_MOVE_FAILED'
  | 'CP_ERR_MOVE_DEST_REFUSED'
  | 'CP_ERR_POOL_MAX'
  | 'CP_ERR_POOL_MIN'
  | 'CP_ERR_POOL_CHANGE_INVALID'
  | 'CP_ERR_POOL_NOT_MEMBER'
  | 'CP_ERR_POOL_BUSY'
  | 'CP_ERR_POOL_RESIZE_FAILED'
  | 'CP_ERR_NODE_UNREACHABLE'
  | 'CP_ERR_CONFIG_REJECTED'
  | 'CP_ERR_INTERNAL';

/** Base of every deliberate error: a stable `code`, the HTTP `statusCode`, an optional `cause`. */
export class CachePoolError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  constructor(code: ErrorCode, statusCode: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CachePoolError';
    this.code = code;
    this.statusCode = statusCode;
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
  constructor(code: ErrorCode, statusCode: number, message: string, options?: { cause?: unknown }) {
    super(code, statusCode, message, options);
    this.name = 'RequestError';
  }
}

/** An operation that failed against another process (a node, the manager); carries the cause. */
export class OperationalError extends CachePoolError {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; statusCode?: number }) {
    super(code, options?.statusCode ?? 502, message, options);
    this.name = 'OperationalError';
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
    new RequestError('CP_ERR_KEY_TOO_LONG', 400, `key is ${bytes} bytes, the limit is ${max} bytes`),
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
    new RequestError('CP_ERR_REQUEST_UNSUPPORTED_MEDIA', 415, `unsupported content type ${describe(type)}`),
  notFound: (method: string, url: string) =>
    new RequestError('CP_ERR_ROUTE_NOT_FOUND', 404, `no route for ${method} ${url}`),
  methodNotAllowed: (method: string, url: string) =>
    new RequestError('CP_ERR_METHOD_NOT_ALLOWED', 405, `method ${method} is not allowed on ${url}`),
  authRequired: () =>
    new RequestError('CP_ERR_AUTH_REQUIRED', 401, 'this endpoint needs the pool token (Authorization: Bearer <token>)'),
  authForbidden: () => new RequestError('CP_ERR_AUTH_FORBIDDEN', 403, 'the pool token does not match'),
  poolMax: () => new RequestError('CP_ERR_POOL_MAX', 400, messages.poolMax),
  poolMin: () => new RequestError('CP_ERR_POOL_MIN', 400, messages.poolMin),
  poolChangeInvalid: () => new RequestError('CP_ERR_POOL_CHANGE_INVALID', 400, messages.poolChangeInvalid),
  notMember: (address: string) =>
    new RequestError('CP_ERR_POOL_NOT_MEMBER', 400, `${describe(address)} is not a member of this pool`),
  poolBusy: () =>
    new RequestError('CP_ERR_POOL_BUSY', 409, 'a resize is already running; retry when it has finished'),
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
    return String(value);
  }
}
