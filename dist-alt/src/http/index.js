/** The HTTP pieces shared by node, gateway and manager. */
export { createHttpApp } from './server.js';
export { success, failure, legacyStatus, sendSuccess, sendLegacyError, sendV1Error, } from './envelope.js';
export { BATCH_CONTENT_TYPE, registerLegacyParsers, registerRawParsers, readFields, fieldText, fieldInteger, } from './body.js';
export { NOT_TEXT, encodingOf, checkText, textFieldsOf, withQuery, jsonFieldsOf, parseJsonBody, formValuesOf, } from './legacy-body.js';
export { readMultipart } from './multipart.js';
export { legacyKeyOf } from './legacy-key.js';
export { installErrorHandlers, frameworkErrorHandler, toCachePoolError, } from './error-handlers.js';
export { requireToken, tokenMatches, bearer } from './auth.js';
export { listen, isLoopbackHost, urlOf } from './listen.js';
export { readTokenFile, checkToken, resolveToken, TOKEN_WARN_BELOW_CHARS } from './token.js';
export { interpose, bearerAuthorized } from './pre-router.js';
//# sourceMappingURL=index.js.map