import { describe, expect, it } from 'vitest';
import { progressLine, transferExitCode } from '../../src/cli/transfer-output.js';

describe('transferExitCode', () => {
  // QA: a download with CHECKSUM_MISMATCH, CORRUPT_BLOB and NOT_FOUND failures exited 1 when the
  // NOT_FOUND one happened to finish first.
  it('takes every failure into account, not the first to finish', () => {
    const failed = [
      { code: 'NOT_FOUND', message: 'gone' },
      { code: 'CHECKSUM_MISMATCH', message: 'bad' },
      { code: 'CORRUPT_BLOB', message: 'bad magic' },
    ];
    expect(transferExitCode({ failed })).toBe(4);
    expect(transferExitCode({ failed: [...failed].reverse() })).toBe(4);
    expect(transferExitCode({ failed: [{ code: 'NOT_FOUND', message: 'gone' }], stoppedBy: { code: 'AUTH', message: '403' } })).toBe(5);
    expect(transferExitCode({ failed: [{ code: 'CHECKSUM_MISMATCH', message: 'bad' }], stoppedBy: { code: 'AUTH', message: '403' } })).toBe(4);
    expect(transferExitCode({ failed: [] })).toBe(0);
  });
});

describe('progressLine', () => {
  it('shows control characters in the current item as escapes', () => {
    const line = progressLine({ type: 'progress', kind: 'download', filesDone: 0, filesTotal: 1, bytesDone: 0, bytesTotal: 0, rateBytesPerSec: 0, etaSeconds: null, failures: 0, current: 'evil\x1b]0;PWNED\x07.bin' } as never);
    expect(line).not.toMatch(/[\x00-\x1f]/);
    expect(line).toContain('evil\\x1b]0;PWNED\\x07.bin');
  });
});
