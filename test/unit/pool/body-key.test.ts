import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CachePoolError } from '../../../src/errors.js';
import { keyOfBody } from '../../../src/pool/body-key.js';

const form = 'application/x-www-form-urlencoded';

function multipart(fields: Record<string, string>, boundary = 'XyZ-boundary'): [string, Buffer] {
  const parts = Object.entries(fields).map(
    ([name, value]) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  return [
    `multipart/form-data; boundary=${boundary}`,
    Buffer.from(`${parts.join('')}--${boundary}--\r\n`),
  ];
}

describe('keyOfBody reads the routing key of a legacy body without decoding the rest', () => {
  const cases: [string, string | undefined, Buffer | undefined, string | undefined][] = [
    ['a form body', form, Buffer.from('key=k1&value=data%3Aimage'), 'k1'],
    ['a form key after the value', form, Buffer.from('value=x&key=test123'), 'test123'],
    [
      'a percent-encoded UTF-8 form key',
      form,
      Buffer.from(`key=${encodeURIComponent('🙂 key')}&value=v`),
      '🙂 key',
    ],
    ['a form key with + for spaces', form, Buffer.from('key=key+with+spaces'), 'key with spaces'],
    ['an empty form key', form, Buffer.from('key=&value=v'), ''],
    ['a form body without a key', form, Buffer.from('value=v&keys=x'), undefined],
    ['a JSON body', 'application/json', Buffer.from('{"key":"k2","value":"v"}'), 'k2'],
    ['a JSON number key', 'application/json; charset=utf-8', Buffer.from('{"key":12}'), '12'],
    ['a JSON body without a key', 'application/json', Buffer.from('{"value":"v"}'), undefined],
    ['no body', form, undefined, undefined],
    ['an empty body', 'application/json', Buffer.alloc(0), undefined],
  ];
  for (const [name, type, body, expected] of cases) {
    it(`reads ${name}`, () => {
      assert.equal(keyOfBody(type, body), expected);
    });
  }

  it('reads a multipart key whatever the order of the parts', () => {
    const [type, body] = multipart({
      value: 'data:image/png;base64,AAAA\r\n--not-a-boundary',
      key: 'image_001',
    });
    assert.equal(keyOfBody(type, body), 'image_001');
  });

  it('reads a multipart body without a key as no key', () => {
    const [type, body] = multipart({ value: 'v' });
    assert.equal(keyOfBody(type, body), undefined);
  });

  it('refuses malformed JSON, a JSON array and an unknown media type with a request error', () => {
    assert.throws(
      () => keyOfBody('application/json', Buffer.from('{"key":')),
      (e) => e instanceof CachePoolError && e.statusCode === 400,
    );
    assert.throws(() => keyOfBody('application/json', Buffer.from('["key"]')), CachePoolError);
    assert.throws(
      () => keyOfBody('text/plain', Buffer.from('key=k')),
      (e) => e instanceof CachePoolError && e.statusCode === 415,
    );
    assert.throws(() => keyOfBody(form, Buffer.from('key=%E0%A4%A')), CachePoolError);
  });
});
