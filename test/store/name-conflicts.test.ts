import { describe, expect, it } from 'vitest';
import { pathPrefixConflict } from '../../src/store/name-conflicts.js';

describe('pathPrefixConflict', () => {
  it('finds a name that is a folder of another, at any depth, also for absolute paths', () => {
    expect(pathPrefixConflict(['a', 'a/b'])).toEqual(['a', 'a/b']);
    expect(pathPrefixConflict(['x/y/z/w', 'x/y'])).toEqual(['x/y', 'x/y/z/w']);
    expect(pathPrefixConflict(['/out/a', '/out/a/b'])).toEqual(['/out/a', '/out/a/b']);
  });
  it('leaves names that only share a beginning alone', () => {
    expect(pathPrefixConflict(['a', 'ab/c', 'a.bin', 'b/a', 'b/c'])).toBeUndefined();
    expect(pathPrefixConflict(['/out/a', '/out/ab/c'])).toBeUndefined();
  });
});
