// Exit codes, documented in the README. Scripts branch on these.
import type { ErrorCode } from '../store/errors.js';

export const EXIT = {
  OK: 0,
  ERROR: 1,
  USAGE: 2,
  CONFLICT: 3,
  INTEGRITY: 4,
  REMOTE: 5,
  SCHEMA_TOO_NEW: 6,
  BUSY: 7,
  INTERRUPTED: 130,
} as const;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'USAGE':
      return EXIT.USAGE;
    case 'CONFLICT':
      return EXIT.CONFLICT;
    case 'CHECKSUM_MISMATCH':
    case 'CORRUPT_BLOB':
    case 'CORRUPT_SNAPSHOT':
    case 'INTEGRITY':
      return EXIT.INTEGRITY;
    case 'REMOTE_UNAVAILABLE':
    case 'AUTH':
    case 'REMOTE_CONFIG':
    case 'REMOTE_ERROR':
      return EXIT.REMOTE;
    case 'SCHEMA_TOO_NEW':
      return EXIT.SCHEMA_TOO_NEW;
    case 'INTERRUPTED':
      return EXIT.INTERRUPTED;
    case 'BUSY':
      return EXIT.BUSY;
    default:
      return EXIT.ERROR;
  }
}
