/**
 * Request bodies. Legacy endpoints accept the same fields as application/x-www-form-urlencoded,
 * multipart/form-data (fields, and file parts read as text) or JSON (SPEC §1); `readFields` gives
 * one plain record whatever the encoding. Raw scopes (/v1 values, batch imports) get the bytes as
 * a Buffer. Limits: the whole body is bounded by the app's `bodyLimit`; a multipart field or file
 * larger than it is refused (never silently cut).
 */
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { defaults } from '../defaults.js';
import { errors } from '../errors.js';
import type { MultipartLimits } from './limits.js';

/** Content type of a batch of records sent to `/internal/import` (docs/internal-api.md). */
export const BATCH_CONTENT_TYPE = 'application/x-cachepool-batch';

/** The fields of a request body. Values are strings for form and multipart, any JSON for JSON. */
export type Fields = Record<string, unknown>;

/**
 * Registers the legacy parsers on `app` (root scope): form, multipart, JSON (an empty JSON body
 * reads as `{}`) and the batch format as a Buffer. `bodyLimitBytes` bounds multipart parts;
 * `limits` bounds their counts (default defaults.multipart; more parts than allowed: 400).
 */
export async function registerLegacyParsers(
  app: FastifyInstance,
  bodyLimitBytes: number,
  limits: MultipartLimits = defaults.multipart,
): Promise<void> {
  await app.register(formbody);
  await app.register(multipart, {
    attachFieldsToBody: true,
    throwFileSizeLimit: true,
    limits: {
      fieldSize: bodyLimitBytes,
      fileSize: bodyLimitBytes,
      fields: limits.maxFields,
      files: Math.min(defaults.multipart.maxFiles, limits.maxParts),
      parts: limits.maxParts,
    },
  });
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, {});
      return;
    }
    parseJson(request, text, done);
  });
  app.addContentTypeParser(BATCH_CONTENT_TYPE, { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body);
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
 * The request's fields as one record, whatever the encoding. A repeated form field gives its
 * first value; a multipart file part gives its text. No body gives `{}`. A body that is not a
 * record of fields (a JSON array, raw bytes) is a 400/415 RequestError.
 */
export function readFields(request: FastifyRequest): Fields {
  const body: unknown = request.body;
  if (body === undefined || body === null) return {};
  if (Buffer.isBuffer(body))
    throw errors.unsupportedMedia(String(request.headers['content-type'] ?? ''));
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw errors.malformedBody('expected an object of fields');
  }
  if (request.isMultipart()) return readMultipart(body as Record<string, unknown>);
  const out: Fields = {};
  for (const [name, value] of Object.entries(body)) {
    // Form bodies repeat a name as an array; JSON arrays are kept (move_keys lists keys).
    out[name] = Array.isArray(value) && !isJson(request) ? value[0] : value;
  }
  return out;
}

function isJson(request: FastifyRequest): boolean {
  return (request.headers['content-type'] ?? '').includes('json');
}

interface MultipartPart {
  type?: string;
  value?: unknown;
  valueTruncated?: boolean;
  _buf?: Buffer;
}

function readMultipart(body: Record<string, unknown>): Fields {
  const out: Fields = {};
  for (const [name, raw] of Object.entries(body)) {
    const part = (Array.isArray(raw) ? raw[0] : raw) as MultipartPart | undefined;
    if (!part || typeof part !== 'object') continue;
    if (part.type === 'file') {
      out[name] = part._buf ? part._buf.toString('utf8') : '';
    } else {
      if (part.valueTruncated)
        throw errors.malformedBody(`field ${JSON.stringify(name)} is larger than the body limit`);
      out[name] = part.value;
    }
  }
  return out;
}

/**
 * A field as text: strings as they are, numbers and booleans in their JSON form; anything else
 * (missing, null, objects) is undefined.
 */
export function fieldText(fields: Fields, name: string): string | undefined {
  const value = Object.hasOwn(fields, name) ? fields[name] : undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * A field as an integer >= `min`, accepting numbers and decimal strings (`"100"`); undefined when
 * the field is absent; a RequestError naming the field, the rule and the value otherwise.
 */
export function fieldInteger(fields: Fields, name: string, min = 0): number | undefined {
  if (!Object.hasOwn(fields, name)) return undefined;
  const value = fields[name];
  if (value === undefined || value === null || value === '') return undefined;
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
