/**
 * Request bodies in Fastify. Legacy endpoints accept the same fields as
 * application/x-www-form-urlencoded, multipart/form-data (fields, and file parts read as text) or
 * JSON (SPEC §1); `readFields` gives one record whatever the encoding. Every body is read by the
 * one legacy reader (legacy-body.ts, multipart.ts), which the node's and the gateway's
 * pre-routers call too. Raw scopes (/v1 values, batch imports) get the bytes as a Buffer. The
 * whole body is bounded by the app's `bodyLimit`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { defaults } from '../defaults.js';
import { errors } from '../errors.js';
import {
  NOT_TEXT,
  encodingOf,
  fieldText,
  formFieldsOf,
  jsonFieldsOf,
  parseJsonBody,
  type Fields,
} from './legacy-body.js';
import type { MultipartLimits } from './limits.js';
import { BATCH_CONTENT_TYPE } from '../wire/index.js';
import { readMultipart } from './multipart.js';

export { fieldText, type Fields };

/** Content type of a batch of records (`/v1/batch/*`, `/internal/import`), declared in wire/. */
export { BATCH_CONTENT_TYPE };

/**
 * Registers the legacy body parser on `app` (root scope), for every content type: a form,
 * JSON or multipart body (encodingOf) becomes its fields (a JSON body its value; blank: no
 * body); a JSON body that does not parse, or a multipart body that cannot be read or has more
 * parts than `limits` allow (default defaults.multipart), is a 400 and closes the connection
 * (as Fastify does after any parser error). Any other body is kept as a Buffer: raw for the
 * routes that want bytes (batch imports), refused by readFields as an unsupported content type.
 */
export async function registerLegacyParsers(
  app: FastifyInstance,
  _bodyLimitBytes: number,
  limits: MultipartLimits = defaults.multipart,
): Promise<void> {
  const multipartLimits = {
    ...limits,
    maxFiles: Math.min(defaults.multipart.maxFiles, limits.maxParts),
  };
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, raw, done) => {
    const body = raw as Buffer;
    const type = request.headers['content-type'];
    try {
      switch (encodingOf(type)) {
        case 'form':
          return done(null, formFieldsOf(body));
        case 'json':
          return done(null, parseJsonBody(body));
        case 'multipart':
          readMultipart(type!, body, multipartLimits).then(
            (fields) => done(null, fields),
            (error: Error) => done(error),
          );
          return;
        default:
          return done(null, body);
      }
    } catch (error) {
      done(error as Error);
    }
  });
}

/**
 * Makes `scope` (an encapsulated plugin context) read every body as raw bytes, whatever its
 * content type: for /v1 values, whose JSON or form bodies are values, not fields.
 */
export function registerRawParsers(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body);
  });
}

/**
 * The request's fields as one record, whatever the encoding (see legacy-body.ts for how each is
 * read). No body gives no fields. A body of another content type (text/plain too) is a 400/415
 * `unsupported content type`; a JSON body that is not an object of fields a 400.
 */
export function readFields(request: FastifyRequest): Fields {
  const body: unknown = request.body;
  if (Buffer.isBuffer(body))
    throw errors.unsupportedMedia(String(request.headers['content-type'] ?? ''));
  return jsonFieldsOf(body);
}

/**
 * A field as an integer >= `min`, accepting numbers and decimal strings (`"100"`); undefined when
 * the field is absent; a RequestError naming the field, the rule and the value otherwise.
 */
export function fieldInteger(fields: Fields, name: string, min = 0): number | undefined {
  if (!Object.hasOwn(fields, name)) return undefined;
  const value = fields[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (value === NOT_TEXT) throw errors.notUnicode(name);
  if (typeof value === 'number' && !Number.isFinite(value)) throw errors.numberOutOfRange(name);
  const number =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)
        ? Number(value)
        : NaN;
  if (!Number.isSafeInteger(number) || number < min) {
    throw errors.invalid(`${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return number;
}
