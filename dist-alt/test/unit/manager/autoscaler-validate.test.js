import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateAutoscaleParams, } from '../../../src/manager/autoscaler.js';
const good = {
    max_miss_rate_threshold: '0.5',
    min_miss_rate_threshold: '0.1',
    expand_ratio: '2',
    shrink_ratio: '0.5',
};
test('numeric strings from a form body are read as numbers', () => {
    assert.deepEqual(validateAutoscaleParams(good), {
        ok: true,
        params: {
            maxMissRateThreshold: 0.5,
            minMissRateThreshold: 0.1,
            expandRatio: 2,
            shrinkRatio: 0.5,
        },
    });
});
test('numbers from a JSON body are accepted, with the bounds 0 and 1 included', () => {
    assert.deepEqual(validateAutoscaleParams({
        max_miss_rate_threshold: 1,
        min_miss_rate_threshold: 0,
        expand_ratio: 1.01,
        shrink_ratio: 0.99,
    }), {
        ok: true,
        params: {
            maxMissRateThreshold: 1,
            minMissRateThreshold: 0,
            expandRatio: 1.01,
            shrinkRatio: 0.99,
        },
    });
});
test('surrounding spaces, ".5" and exponents are read as decimals', () => {
    const result = validateAutoscaleParams({
        ...good,
        max_miss_rate_threshold: ' .75 ',
        expand_ratio: '1.5e0',
    });
    assert.ok(result.ok);
    assert.equal(result.params.maxMissRateThreshold, 0.75);
    assert.equal(result.params.expandRatio, 1.5);
});
const invalid = [
    [
        'max above 1',
        { max_miss_rate_threshold: '1.5' },
        'max_miss_rate_threshold must be a number from 0 to 1, got "1.5"',
    ],
    [
        'max not a number',
        { max_miss_rate_threshold: 'abc' },
        'max_miss_rate_threshold must be a number from 0 to 1, got "abc"',
    ],
    [
        'max empty',
        { max_miss_rate_threshold: '' },
        'max_miss_rate_threshold must be a number from 0 to 1, got ""',
    ],
    [
        'max in hex',
        { max_miss_rate_threshold: '0x1' },
        'max_miss_rate_threshold must be a number from 0 to 1, got "0x1"',
    ],
    [
        'max NaN',
        { max_miss_rate_threshold: Number.NaN },
        'max_miss_rate_threshold must be a number from 0 to 1, got null',
    ],
    [
        'max as a list',
        { max_miss_rate_threshold: ['0.5', '0.6'] },
        'max_miss_rate_threshold must be a number from 0 to 1, got ["0.5","0.6"]',
    ],
    [
        'max as a boolean',
        { max_miss_rate_threshold: true },
        'max_miss_rate_threshold must be a number from 0 to 1, got true',
    ],
    [
        'min negative',
        { min_miss_rate_threshold: '-0.1' },
        'min_miss_rate_threshold must be a number from 0 to 1, got "-0.1"',
    ],
    [
        'min equal to max',
        { min_miss_rate_threshold: '0.5' },
        'min_miss_rate_threshold must be less than max_miss_rate_threshold (0.5), got 0.5',
    ],
    [
        'min above max',
        { min_miss_rate_threshold: 0.6 },
        'min_miss_rate_threshold must be less than max_miss_rate_threshold (0.5), got 0.6',
    ],
    [
        'expand ratio of 1',
        { expand_ratio: '1' },
        'expand_ratio must be a number greater than 1, got "1"',
    ],
    [
        'expand ratio Infinity',
        { expand_ratio: 'Infinity' },
        'expand_ratio must be a number greater than 1, got "Infinity"',
    ],
    [
        'shrink ratio of 0',
        { shrink_ratio: 0 },
        'shrink_ratio must be a number greater than 0 and less than 1, got 0',
    ],
    [
        'shrink ratio of 1',
        { shrink_ratio: '1' },
        'shrink_ratio must be a number greater than 0 and less than 1, got "1"',
    ],
    [
        'a missing field without current values',
        { shrink_ratio: undefined },
        'shrink_ratio is required',
    ],
];
for (const [name, fields, message] of invalid) {
    test(`rejects ${name} with a message naming the field and the rule`, () => {
        assert.deepEqual(validateAutoscaleParams({ ...good, ...fields }), { ok: false, message });
    });
}
test('absent fields keep the current values when they are given', () => {
    const current = {
        maxMissRateThreshold: 0.8,
        minMissRateThreshold: 0.2,
        expandRatio: 3,
        shrinkRatio: 0.25,
    };
    assert.deepEqual(validateAutoscaleParams({ expand_ratio: '1.5', shrink_ratio: null }, current), {
        ok: true,
        params: { ...current, expandRatio: 1.5 },
    });
    assert.deepEqual(validateAutoscaleParams({ min_miss_rate_threshold: '0.9' }, current), {
        ok: false,
        message: 'min_miss_rate_threshold must be less than max_miss_rate_threshold (0.8), got 0.9',
    });
});
test('camelCase names are not the wire names: they are ignored', () => {
    assert.deepEqual(validateAutoscaleParams({ maxMissRateThreshold: 0.5 }), {
        ok: false,
        message: 'max_miss_rate_threshold is required',
    });
});
//# sourceMappingURL=autoscaler-validate.test.js.map