/**
 * The one legacy reader (src/http/legacy-body.ts, multipart.ts, legacy-key.ts): the content type
 * rule, form decoding against a byte-by-byte reference, JSON, multipart and the key a gateway
 * routes by. Property tests: any text sent by a form or JSON client reads back as sent, and the
 * hot-path reader (formValuesOf) agrees with the full one (formFieldsOf) on any bytes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CachePoolError } from '../../../src/errors.js';
import {
  NOT_TEXT,
  encodingOf,
  fieldText,
  formFieldBytes,
  formFieldText,
  formFieldsOf,
  formValuesOf,
  jsonFieldsOf,
  parseJsonBody,
  textFieldsOf,
  withQuery,
} from '../../../src/http/legacy-body.js';
import { legacyKeyOf } from '../../../src/http/legacy-key.js';
import { readMultipart } from '../../../src/http/multipart.js';

const NO_LIMITS = { maxFields: 100, maxParts: 110, maxFiles: 10 };
const FORM = 'application/x-www-form-urlencoded';

/** The form rule written plainly: `+` → space, `%XX` → byte, other `%` kept, then strict UTF-8. */
function referenceDecode(bytes: Buffer): string | typeof NOT_TEXT {
  const out: number[] = [];
  const hex = (b: number | undefined) =>
    b !== undefined && /[0-9a-fA-F]/.test(String.fromCharCode(b));
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x2b) out.push(0x20);
    else if (b === 0x25 && hex(bytes[i + 1]) && hex(bytes[i + 2])) {
      out.push(parseInt(String.fromCharCode(bytes[i + 1]!, bytes[i + 2]!), 16));
      i += 2;
    } else out.push(b);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Buffer.from(out));
  } catch {
    return NOT_TEXT;
  }
}

function multipart(
  parts: [string, string | Buffer, string?][],
  boundary = 'b0undary',
): [string, Buffer] {
  const chunks: Buffer[] = [];
  for (const [name, value, filename] of parts) {
    const disposition = `form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n\r\n`));
    chunks.push(Buffer.isBuffer(value) ? value : Buffer.from(value));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return [`multipart/form-data; boundary=${boundary}`, Buffer.concat(chunks)];
}

describe('encodingOf: the content type rule', () => {
  const cases: [string | undefined, string | undefined][] = [
    [undefined, undefined],
    [FORM, 'form'],
    [`${FORM}; charset=UTF-8`, 'form'],
    ['application/json', 'json'],
    ['Application/JSON', 'json'],
    ['application/json; charset="utf8"', 'json'],
    ['application/json;charset=latin1', 'unsupported'],
    ['multipart/form-data; boundary=x', 'multipart'],
    ['multipart/form-data; boundary=x; charset=iso-8859-1', 'unsupported'],
    ['text/plain', 'unsupported'],
    ['application/vnd.api+json', 'unsupported'],
    ['application/jsonx', 'unsupported'],
    ['', 'unsupported'],
  ];
  for (const [type, expected] of cases)
    it(`reads ${JSON.stringify(type)} as ${expected}`, () => {
      assert.equal(encodingOf(type), expected);
    });
});

describe('form bodies', () => {
  it('decode names like values, keep the first of a repeated field and ignore names that are not UTF-8', () => {
    const fields = formFieldsOf(Buffer.from('%6Bey=A&key=B&v%61lue=1&k%FFey=x&flag&&=empty'));
    assert.deepEqual({ ...fields }, { key: 'A', value: '1', flag: '', '': 'empty' });
  });

  it('keep a bad escape as text and refuse bytes that are not UTF-8 only when read', () => {
    const fields = formFieldsOf(Buffer.from('key=50%&other=%zz%41&bad=%FF&surrogate=%ED%B0%80'));
    assert.equal(fieldText(fields, 'key'), '50%');
    assert.equal(fieldText(fields, 'other'), '%zzA');
    assert.throws(() => fieldText(fields, 'bad'), /bad is not well-formed Unicode/);
    assert.throws(() => fieldText(fields, 'surrogate'), /surrogate is not well-formed Unicode/);
  });

  it('cannot reach Object.prototype through a field name', () => {
    const fields = formFieldsOf(Buffer.from('__proto__=x&constructor=y&key=k'));
    assert.equal(Object.getPrototypeOf(fields), null);
    assert.equal(fieldText(fields, '__proto__'), 'x');
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  it('decode any bytes as the plain reference rule does, and the hot path agrees', () => {
    const alphabet = fc.constantFrom(
      ...Buffer.from('ak=e%y+&2F0zZ'),
      0xc3,
      0xa9,
      0xff,
      0xed,
      0xb0,
      0x80,
    );
    // A run of plain bytes, put anywhere, makes names and values of either side of the length up
    // to which the hot path reads a component byte by byte (256 bytes).
    const withRun = fc
      .tuple(
        fc.array(alphabet, { maxLength: 40 }),
        fc.oneof(fc.nat({ max: 300 }), fc.integer({ min: 250, max: 258 })),
        fc.nat(),
      )
      .map(([bytes, run, at]) => {
        const position = bytes.length === 0 ? 0 : at % (bytes.length + 1);
        return [
          ...bytes.slice(0, position),
          ...Array<number>(run).fill(0x7a),
          ...bytes.slice(position),
        ];
      });
    fc.assert(
      fc.property(withRun, (bytes) => {
        const body = Buffer.from(bytes);
        const all = formFieldsOf(body);
        for (const segment of body.toString('latin1').split('&')) {
          if (segment === '') continue;
          const equals = segment.indexOf('=');
          const name = referenceDecode(
            Buffer.from(equals === -1 ? segment : segment.slice(0, equals), 'latin1'),
          );
          if (name === NOT_TEXT) continue;
          assert.ok(Object.hasOwn(all, name));
        }
        for (const [name, value] of Object.entries(all)) {
          assert.deepEqual(formValuesOf(body, [name]), [value]);
          // The routes' reader: the same text, or a 400 for a value that is not UTF-8.
          const read = textFieldsOf('form', body, [name]);
          if (value === NOT_TEXT) assert.throws(() => read.text(0), CachePoolError);
          else assert.equal(read.text(0), value);
        }
        if (!Object.hasOwn(all, 'key'))
          assert.equal(textFieldsOf('form', body, ['key']).text(0), undefined);
        const [key] = formValuesOf(body, ['key']);
        assert.equal(key, Object.hasOwn(all, 'key') ? all.key : undefined);
        // Each value equals the reference decoding of the first segment with that name.
        for (const segment of body.toString('latin1').split('&')) {
          const equals = segment.indexOf('=');
          if (segment === '') continue;
          const name = referenceDecode(
            Buffer.from(equals === -1 ? segment : segment.slice(0, equals), 'latin1'),
          );
          if (name === NOT_TEXT) continue;
          const value = referenceDecode(
            Buffer.from(equals === -1 ? '' : segment.slice(equals + 1), 'latin1'),
          );
          assert.equal(all[name], value, `${JSON.stringify(segment)}`);
          break;
        }
      }),
      { numRuns: 500 },
    );
  });

  it('decode a value to the bytes of the text it reads as, noting whether JSON must escape any', () => {
    const alphabet = fc.constantFrom(
      ...Buffer.from('a=e%y+&2F0zZ5C22"\\'),
      0x0a,
      0xc3,
      0xa9,
      0xff,
      0xed,
      0xb0,
      0x80,
    );
    const notUnicode = (error: unknown) =>
      error instanceof CachePoolError && error.code === 'CP_ERR_REQUEST_NOT_UNICODE';
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }), (bytes) => {
        const raw = Buffer.from(bytes);
        const text = referenceDecode(raw);
        if (text === NOT_TEXT) {
          assert.throws(() => formFieldText(raw, 'value'), notUnicode);
          assert.throws(() => formFieldBytes(raw, 'value'), notUnicode);
          return;
        }
        assert.equal(formFieldText(raw, 'value'), text);
        const decoded = formFieldBytes(raw, 'value');
        assert.ok(decoded.bytes.equals(Buffer.from(text, 'utf8')));
        // eslint-disable-next-line no-control-regex -- control characters are what JSON escapes
        assert.equal(decoded.plain, !/[\u0000-\u001f"\\]/.test(text));
      }),
      { numRuns: 500 },
    );
    // A value larger than the reused buffer, then a small one: each reads as its own text.
    const large = Buffer.from(`v=${'%41'.repeat(400_000)}`).subarray(2);
    assert.ok(formFieldBytes(large, 'value').bytes.equals(Buffer.alloc(400_000, 'A')));
    assert.equal(formFieldBytes(Buffer.from('x%22'), 'value').bytes.toString(), 'x"');
    assert.equal(formFieldBytes(Buffer.from('x%22'), 'value').plain, false);
  });

  it('read back any text a client encodes with URLSearchParams, as sent', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }),
        fc.string({ unit: 'grapheme' }),
        (key, value) => {
          const body = Buffer.from(
            new URLSearchParams([
              ['key', key],
              ['value', value],
            ]).toString(),
          );
          const fields = formFieldsOf(body);
          assert.equal(fieldText(fields, 'key'), key);
          assert.equal(fieldText(fields, 'value'), value);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('JSON bodies', () => {
  it('skip a byte-order mark; blank and null are no fields; other values are refused', () => {
    assert.deepEqual(parseJsonBody(Buffer.from('\uFEFF{"key":"k"}')), { key: 'k' });
    assert.equal(parseJsonBody(Buffer.from(' \n')), undefined);
    assert.equal(parseJsonBody(Buffer.from('\uFEFF')), undefined);
    assert.deepEqual({ ...jsonFieldsOf(null) }, {});
    assert.throws(() => jsonFieldsOf(['k']), /expected an object of fields/);
    assert.throws(() => jsonFieldsOf('k'), /expected an object of fields/);
    assert.throws(() => parseJsonBody(Buffer.from('{"key":')), CachePoolError);
    assert.throws(() => parseJsonBody(Buffer.from('{"__proto__":{}}')), CachePoolError);
    assert.throws(() => parseJsonBody(Buffer.from([0x7b, 0xff, 0x7d])), /not UTF-8/);
  });

  it('refuse lone surrogates and numbers out of range when a field is read', () => {
    const fields = jsonFieldsOf(
      parseJsonBody(Buffer.from('{"key":"img-\\udc00-1","n":1e400,"ok":12,"b":true,"o":{}}')),
    );
    assert.throws(() => fieldText(fields, 'key'), /key is not well-formed Unicode/);
    assert.throws(() => fieldText(fields, 'n'), /n is a JSON number out of range/);
    assert.equal(fieldText(fields, 'ok'), '12');
    assert.equal(fieldText(fields, 'b'), 'true');
    assert.equal(fieldText(fields, 'o'), undefined);
  });

  it('read back any well-formed key as sent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (key) => {
        const fields = jsonFieldsOf(parseJsonBody(Buffer.from(JSON.stringify({ key }))));
        assert.equal(fieldText(fields, 'key'), key);
      }),
      { numRuns: 300 },
    );
  });
});

describe('multipart bodies', () => {
  it('compare part names exactly, keep the first of a repeated part and read files as text', async () => {
    const [type, body] = multipart([
      ['KEY', 'upper'],
      ['key', 'lower'],
      ['key', 'second'],
      ['value', 'file text', 'v.txt'],
    ]);
    const fields = await readMultipart(type, body, NO_LIMITS);
    assert.deepEqual({ ...fields }, { KEY: 'upper', key: 'lower', value: 'file text' });
  });

  it('read a part that is not UTF-8 as no text, refused only when read', async () => {
    const [type, body] = multipart([
      ['key', 'k'],
      ['value', Buffer.from([0xff, 0xfe]), 'blob.bin'],
    ]);
    const fields = await readMultipart(type, body, NO_LIMITS);
    assert.equal(fieldText(fields, 'key'), 'k');
    assert.throws(() => fieldText(fields, 'value'), /value is not well-formed Unicode/);
  });

  it('refuse more parts than the limits and a body that is not multipart as announced', async () => {
    const parts = Array.from({ length: 4 }, (_, i): [string, string] => [`f${i}`, 'x']);
    const [type, body] = multipart(parts);
    await assert.rejects(
      readMultipart(type, body, { maxFields: 3, maxParts: 10, maxFiles: 10 }),
      /too many multipart parts/,
    );
    await assert.rejects(
      readMultipart(type, body, { maxFields: 10, maxParts: 3, maxFiles: 10 }),
      /too many multipart parts/,
    );
    await assert.rejects(readMultipart('multipart/form-data', body, NO_LIMITS), CachePoolError);
    await assert.rejects(
      readMultipart(type, body.subarray(0, body.length - 20), NO_LIMITS),
      CachePoolError,
    );
  });
});

describe('legacyKeyOf: the key a gateway routes by', () => {
  it('is the key a node reads, from the body or else the query string', async () => {
    assert.equal(legacyKeyOf(FORM, Buffer.from('%6Bey=A&key=B'), '/api/cache/key', NO_LIMITS), 'A');
    assert.equal(legacyKeyOf(undefined, undefined, '/api/cache/key?key=q%20x', NO_LIMITS), 'q x');
    assert.equal(legacyKeyOf(FORM, Buffer.from('key=b'), '/api/cache/key?key=q', NO_LIMITS), 'b');
    assert.equal(legacyKeyOf(FORM, Buffer.from('value=v'), '/x?key=q', NO_LIMITS), 'q');
    assert.equal(
      legacyKeyOf('application/json', Buffer.from('\uFEFF{"key":12}'), '/', NO_LIMITS),
      '12',
    );
    const [type, body] = multipart([
      ['KEY', 'upper'],
      ['key', 'lower'],
    ]);
    assert.equal(await legacyKeyOf(type, body, '/', NO_LIMITS), 'lower');
    assert.equal(legacyKeyOf('application/json', Buffer.from('null'), '/', NO_LIMITS), undefined);
  });

  it('refuses what a node refuses before it looks the key up', () => {
    assert.throws(() => legacyKeyOf('text/plain', Buffer.from('key=k'), '/', NO_LIMITS), {
      message: 'unsupported content type "text/plain"',
    });
    assert.throws(() => legacyKeyOf(undefined, Buffer.from('key=k'), '/', NO_LIMITS), {
      message: 'unsupported content type ""',
    });
    assert.throws(
      () => legacyKeyOf(FORM, Buffer.from('key=%ED%A0%80'), '/', NO_LIMITS),
      /key is not well-formed Unicode/,
    );
    assert.throws(
      () => legacyKeyOf('application/json', Buffer.from('[1]'), '/', NO_LIMITS),
      /expected an object of fields/,
    );
  });

  it('lets a body field win over the query field of the same name', () => {
    const fields = withQuery(formFieldsOf(Buffer.from('key=body')), '/p?key=query&extra=1');
    assert.deepEqual({ ...fields }, { key: 'body', extra: '1' });
  });
});
