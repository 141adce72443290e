import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { utf8Length } from '../../../src/store/utf8-length.js';
describe('utf8Length', () => {
    it('counts like Buffer.byteLength on known cases, including lone surrogates', () => {
        for (const text of [
            '',
            'a',
            'é',
            '€',
            '🙂',
            'a🙂b',
            '\ud83d',
            '\ude42',
            '\ud83dx',
            'x\ude42\ud83d',
            'é'.repeat(70),
        ]) {
            assert.equal(utf8Length(text), Buffer.byteLength(text, 'utf8'), JSON.stringify(text));
        }
    });
    it('counts like Buffer.byteLength on any string, short or long', () => {
        fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (text) => {
            assert.equal(utf8Length(text), Buffer.byteLength(text, 'utf8'));
        }), { numRuns: 2_000, interruptAfterTimeLimit: 3_000 });
        fc.assert(fc.property(fc.string({
            unit: fc.integer({ min: 0xd7f0, max: 0xe010 }).map((c) => String.fromCharCode(c)),
            maxLength: 20,
        }), (text) => {
            assert.equal(utf8Length(text), Buffer.byteLength(text, 'utf8'));
        }), { numRuns: 2_000, interruptAfterTimeLimit: 3_000 });
    });
});
//# sourceMappingURL=utf8-length.test.js.map