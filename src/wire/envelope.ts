/**
 * The schemas of the answers' frames (SPEC §1): the legacy envelope around a content, its
 * refusal, and the /v1 error body. Route schemas put them in their `response`; the OpenAPI
 * documents show them. The functions building the answers are src/http/envelope.ts's.
 */

/** A JSON Schema node (the loose shape json-schema-to-ts accepts too). */
export type Schema = Readonly<Record<string, unknown>>;

/**
 * A 200 in the legacy envelope whose `content` is `content` (default: the empty string most
 * control calls answer).
 */
export function envelopeOf<const S extends Schema>(description: string, content: S) {
  return {
    description,
    type: 'object',
    required: ['success', 'content'],
    additionalProperties: false,
    properties: { success: { type: 'string', const: 'true' }, content },
  } as const;
}

/** The empty content of a control call's success. */
export const emptyContent = { type: 'string', const: '' } as const;

/** A refusal in the legacy envelope; `code` repeats the HTTP status. */
export function refusalOf(description: string) {
  return {
    description,
    type: 'object',
    required: ['success', 'error'],
    additionalProperties: false,
    properties: {
      success: { type: 'string', const: 'false' },
      error: {
        type: 'object',
        required: ['code', 'message'],
        additionalProperties: false,
        properties: { code: { type: 'integer' }, message: { type: 'string' } },
      },
    },
  } as const;
}

/** A /v1 error: a stable code of the catalogue (docs/errors.md), the status, a message. */
export function v1ErrorOf(description: string) {
  return {
    description,
    type: 'object',
    required: ['error'],
    additionalProperties: false,
    properties: {
      error: {
        type: 'object',
        required: ['code', 'status', 'message'],
        additionalProperties: false,
        properties: {
          code: { type: 'string', description: 'e.g. CP_ERR_KEY_UNKNOWN (docs/errors.md).' },
          status: { type: 'integer', description: 'The HTTP status, repeated.' },
          message: { type: 'string' },
        },
      },
    },
  } as const;
}

/** The refusals of a control call when the pool has a token (legacy envelope). */
export const tokenRefusals = {
  401: refusalOf('With a pool token: no token (CP_ERR_AUTH_REQUIRED).'),
  403: refusalOf('With a pool token: a wrong token (CP_ERR_AUTH_FORBIDDEN).'),
} as const;

/** The refusals of a /v1 key operation when the node runs with --protect-data. */
export const v1TokenRefusals = {
  401: v1ErrorOf('With --protect-data: no token (CP_ERR_AUTH_REQUIRED).'),
  403: v1ErrorOf('With --protect-data: a wrong token (CP_ERR_AUTH_FORBIDDEN).'),
} as const;

/** The content types every legacy endpoint with fields accepts (SPEC §1). */
export const legacyConsumes = [
  'application/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
];

/** A field that may arrive as a number or as its text (`"capacity": "100"`). */
export function numberOrText<const D extends string>(description: D) {
  return { description, type: ['number', 'string'] } as const;
}
