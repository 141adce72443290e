/**
 * The legacy envelope (SPEC §1) and the /v1 error shape. Success is status 200
 * `{"success":"true","content":…}`; a legacy failure is `{"success":"false","error":{"code":S,"message":…}}`
 * with S the HTTP status sent (400 for every request error; 401/403/404/405/409/413/500 for the
 * protocol-level ones listed in `keepsStatus`: 409 is the manager's "a resize is already running"). /v1 answers `{"error":{"code":"CP_ERR_…","status":S,"message":…}}`
 * with the catalogue's status. Both shapes carry the catalogue code in X-Cachepool-Error
 * (errors.ts ERROR_CODE_HEADER), beside the error's own headers: the legacy body has no room
 * for it (SPEC §1 fixes it), and a caller tells errors apart by code, never by message.
 */
import type { FastifyReply } from 'fastify';
import { ERROR_CODE_HEADER, type CachePoolError, type ErrorCode } from '../errors.js';

/** A success envelope around `content`. */
export interface SuccessEnvelope<T> {
  success: 'true';
  content: T;
}

/** A failure envelope; `code` repeats the HTTP status. */
export interface FailureEnvelope {
  success: 'false';
  error: { code: number; message: string };
}

/** Codes that keep their own status on the legacy API; every other error answers 400. */
const keepsStatus: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'CP_ERR_ROUTE_NOT_FOUND',
  'CP_ERR_METHOD_NOT_ALLOWED',
  'CP_ERR_AUTH_REQUIRED',
  'CP_ERR_AUTH_FORBIDDEN',
  'CP_ERR_REQUEST_BODY_TOO_LARGE',
  // A busy manager: 409 tells a client to retry the same request later, which a 400 does not.
  'CP_ERR_POOL_BUSY',
  'CP_ERR_INTERNAL',
]);

/** `{"success":"true","content":content}`. */
export function success<T>(content: T): SuccessEnvelope<T> {
  return { success: 'true', content };
}

/** `{"success":"false","error":{"code":status,"message":message}}`. */
export function failure(status: number, message: string): FailureEnvelope {
  return { success: 'false', error: { code: status, message } };
}

/** The status a legacy endpoint sends for `error`: 400, unless the code is protocol-level. */
export function legacyStatus(error: CachePoolError): number {
  return keepsStatus.has(error.code) ? error.statusCode : 400;
}

/** Sends a success envelope (status 200). */
export function sendSuccess<T>(reply: FastifyReply, content: T): FastifyReply {
  return reply.code(200).type('application/json; charset=utf-8').send(success(content));
}

/** A legacy failure answer as sent: its status, its headers and its JSON body. */
export interface LegacyFailure {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The legacy failure answer of `error`: its legacy status, the error's headers with its code in
 * X-Cachepool-Error, and `{"success":"false","error":{"code":status,"message":…}}`. What the
 * Fastify handlers and the node's and gateway's pre-routers send alike.
 */
export function legacyFailureOf(error: CachePoolError): LegacyFailure {
  const status = legacyStatus(error);
  return {
    status,
    headers: errorHeadersOf(error),
    body: JSON.stringify(failure(status, error.message)),
  };
}

/** The headers of an error answer in either shape: the error's own and its code. */
function errorHeadersOf(error: CachePoolError): Record<string, string> {
  return { ...error.headers, [ERROR_CODE_HEADER]: error.code };
}

/** Sends `error` in the legacy envelope with its legacy status (and the error's headers). */
export function sendLegacyError(reply: FastifyReply, error: CachePoolError): FastifyReply {
  const answer = legacyFailureOf(error);
  return reply
    .headers(answer.headers)
    .code(answer.status)
    .type('application/json; charset=utf-8')
    .send(answer.body);
}

/** The /v1 error body. */
export interface V1ErrorBody {
  error: { code: ErrorCode; status: number; message: string };
}

/** Sends `error` as a /v1 error with the catalogue's status (and the error's headers). */
export function sendV1Error(reply: FastifyReply, error: CachePoolError): FastifyReply {
  const body: V1ErrorBody = {
    error: { code: error.code, status: error.statusCode, message: error.message },
  };
  return reply
    .headers(errorHeadersOf(error))
    .code(error.statusCode)
    .type('application/json; charset=utf-8')
    .send(body);
}
