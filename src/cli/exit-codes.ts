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

/**
 * Which exit code a run with several failures ends with: the first that applies, whatever order
 * the failures came in (transfers finish in any order, and a script must not see 1 for a run in
 * which a download failed its checksum):
 *   130 interrupted · 4 integrity (checksum mismatch, corrupt blob or snapshot) · 5 remote
 *   unavailable, authentication, remote configuration · 7 busy · 6 schema too new · 3 conflict ·
 *   2 usage · 1 anything else.
 * The README's "Exit codes" section documents this order.
 */
export const EXIT_PRECEDENCE: readonly number[] = [EXIT.INTERRUPTED, EXIT.INTEGRITY, EXIT.REMOTE, EXIT.BUSY, EXIT.SCHEMA_TOO_NEW, EXIT.CONFLICT, EXIT.USAGE, EXIT.ERROR];

/** The exit code for a set of failure codes (EXIT.OK when there are none), by EXIT_PRECEDENCE. */
export function exitCodeForFailures(codes: Iterable<ErrorCode>): number {
  let best: number = EXIT.OK;
  for (const code of codes) {
    const exit = exitCodeFor(code);
    if (best === EXIT.OK || EXIT_PRECEDENCE.indexOf(exit) < EXIT_PRECEDENCE.indexOf(best)) best = exit;
  }
  return best;
}
