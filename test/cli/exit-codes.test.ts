import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeForFailures } from '../../src/cli/exit-codes.js';
import type { ErrorCode } from '../../src/store/errors.js';

describe('exitCodeForFailures', () => {
  it('is 0 without failures', () => {
    expect(exitCodeForFailures([])).toBe(EXIT.OK);
  });

  it('does not depend on the order the failures came in: integrity 4 over remote 5 over the rest', () => {
    const codes: ErrorCode[] = ['NOT_FOUND', 'CHECKSUM_MISMATCH', 'REMOTE_UNAVAILABLE', 'CORRUPT_BLOB', 'IO'];
    for (let i = 0; i < codes.length; i++) {
      const rotated = [...codes.slice(i), ...codes.slice(0, i)];
      expect(exitCodeForFailures(rotated)).toBe(EXIT.INTEGRITY);
      expect(exitCodeForFailures([...rotated].reverse())).toBe(EXIT.INTEGRITY);
    }
    expect(exitCodeForFailures(['NOT_FOUND', 'AUTH', 'IO'])).toBe(EXIT.REMOTE);
    expect(exitCodeForFailures(['NOT_AVAILABLE', 'REMOTE_UNAVAILABLE'])).toBe(EXIT.REMOTE);
    expect(exitCodeForFailures(['NOT_FOUND', 'NO_SPACE'])).toBe(EXIT.ERROR);
    expect(exitCodeForFailures(['CHECKSUM_MISMATCH', 'INTERRUPTED'])).toBe(EXIT.INTERRUPTED);
  });
});
