/** The HTTP pieces shared by node, gateway and manager. */
export { createHttpApp, type HttpAppOptions } from './server.js';
export { openapiOf, routesOf, keyPathInDocument, type OpenapiHead } from './openapi.js';
export {
  success,
  failure,
  legacyStatus,
  legacyFailureOf,
  sendSuccess,
  sendLegacyError,
  sendV1Error,
  type SuccessEnvelope,
  type FailureEnvelope,
  type LegacyFailure,
  type V1ErrorBody,
} from './envelope.js';
export {
  BATCH_CONTENT_TYPE,
  registerLegacyParsers,
  registerRawParsers,
  readFields,
  fieldText,
  fieldInteger,
  type Fields,
} from './body.js';
export {
  NOT_TEXT,
  encodingOf,
  checkText,
  textFieldsOf,
  withQuery,
  jsonFieldsOf,
  parseJsonBody,
  formValuesOf,
  formRawValuesOf,
  formFieldText,
  formFieldBytes,
  type FormBytes,
  type BodyEncoding,
  type TextFields,
} from './legacy-body.js';
export { readMultipart, type MultipartReadLimits } from './multipart.js';
export { legacyKeyOf } from './legacy-key.js';
export {
  installErrorHandlers,
  frameworkErrorHandler,
  toCachePoolError,
  type ErrorHandlerOptions,
} from './error-handlers.js';
export { requireToken, tokenMatches, bearer, type TokenGuard } from './auth.js';
export { listen, isLoopbackHost, urlOf, type ListenOptions } from './listen.js';
export type { MultipartLimits } from './limits.js';
export { readTokenFile, checkToken, resolveToken, TOKEN_WARN_BELOW_CHARS } from './token.js';
export { interpose, bearerAuthorized, type PreRouter } from './pre-router.js';
export {
  InternalClient,
  peerWording,
  failureMessageOf,
  type InternalClientOptions,
  type InternalRequest,
  type InternalAnswer,
  type InternalMethod,
  type FailureWording,
} from './internal-client.js';
