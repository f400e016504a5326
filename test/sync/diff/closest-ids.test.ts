import { describe, expect, it } from 'vitest';
import { closestIds, editDistance, resolveIdPrefix } from '../../../src/sync/diff/closest-ids.js';
import { isTroveError } from '../../../src/store/errors.js';

const IDS = ['0193a1b2-aaaa', '0193a1b2-bbbb', '0193c4d5-cccc', '01942000-dddd', 'ffff0000-eeee'];

describe('closestIds', () => {
  it('ranks by shared prefix, then by typo distance', () => {
    expect(closestIds('0193a1', IDS, 3)).toEqual(['0193a1b2-aaaa', '0193a1b2-bbbb', '0193c4d5-cccc']);
    expect(closestIds('0193c4d6', IDS, 1)).toEqual(['0193c4d5-cccc']);
    expect(closestIds('fff00000', IDS, 1)).toEqual(['ffff0000-eeee']);
  });
  it('returns nothing from nothing and dedupes', () => {
    expect(closestIds('x', [])).toEqual([]);
    expect(closestIds('a', ['a', 'a'])).toEqual(['a']);
  });
  it('measures edit distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('resolveIdPrefix', () => {
  it('takes an exact id or a unique prefix, case-insensitively', () => {
    expect(resolveIdPrefix('0193C4', IDS, 'snapshot')).toBe('0193c4d5-cccc');
    expect(resolveIdPrefix('ffff0000-eeee', IDS, 'snapshot')).toBe('ffff0000-eeee');
  });
  it('an ambiguous prefix is NOT_FOUND listing the ids it matches', () => {
    const err = (() => {
      try {
        resolveIdPrefix('0193a1', IDS, 'snapshot');
      } catch (e) {
        return e;
      }
    })();
    expect(isTroveError(err, 'NOT_FOUND')).toBe(true);
    expect((err as Error).message).toContain('ambiguous');
    expect((err as { details: { candidates: string[] } }).details.candidates).toEqual(['0193a1b2-aaaa', '0193a1b2-bbbb']);
  });
  it('an unknown id is NOT_FOUND listing the closest ids', () => {
    expect(() => resolveIdPrefix('01943', IDS, 'snapshot')).toThrow(/matches no snapshot; closest: 01942000-dddd/);
  });
});
