import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../../src/lib/index.js';

describe('editDistance', () => {
  it('counts inserts, deletes, substitutions and swaps of neighbours as one edit each', () => {
    expect(editDistance('read', 'read')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('raed', 'read')).toBe(1);
    expect(editDistance('isNoneOff', 'isNoneOf')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    // Optimal string alignment: a swapped pair is not edited again.
    expect(editDistance('ca', 'abc')).toBe(3);
  });
});

describe('didYouMean', () => {
  const operators = ['eq', 'neq', 'lt', 'lteq', 'isA', 'isAnyOf', 'isNoneOf', 'matches', 'within'];

  it('suggests the nearest candidate within two edits', () => {
    expect(didYouMean('isNonOf', operators)).toBe('isNoneOf');
    expect(didYouMean('isAnyof', operators)).toBe('isAnyOf');
    expect(didYouMean('withn', operators)).toBe('within');
    expect(didYouMean('entityTyp', ['entityType', 'entityId', 'attribute'])).toBe('entityType');
  });

  it('ignores letter case first, and prefers the exact case on a tie', () => {
    expect(didYouMean('ISNONEOF', operators)).toBe('isNoneOf');
    expect(didYouMean('Read', ['read', 'Reed'])).toBe('read');
  });

  it('guesses nothing for a far word, a short word two edits away, or a name that is right', () => {
    expect(didYouMean('compensate', operators)).toBeUndefined();
    expect(didYouMean('gt', ['eq', 'lt'])).toBe('lt');
    expect(didYouMean('ab', ['eq', 'lt'])).toBeUndefined();
    expect(didYouMean('isA', operators)).toBeUndefined();
  });
});
