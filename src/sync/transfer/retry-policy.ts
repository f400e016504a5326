// How a transfer reacts to a failed attempt: retry after a backoff, give up on this item, or stop
// the whole run. A pure decision over the error code (never its text) and the attempt count.
import type { ErrorCode } from '../../store/errors.js';
import { isRetryableCode, stopsTheRun } from '../remote/remote-errors.js';
import { backoffDelayMs, type BackoffOptions } from './backoff.js';

export interface RetryOptions extends BackoffOptions {
  /** Attempts per item within one run, the first included. @default 5 */
  maxAttempts?: number;
}

export type Decision =
  | { action: 'retry'; delayMs: number }
  /** This item failed for a reason of its own (checksum, not found, local I/O); go on with the rest. */
  | { action: 'fail-item' }
  /** The remote as a whole is refusing (auth, config) or still down after every retry: stop the run. */
  | { action: 'stop-run' };

export function decide(code: ErrorCode, attemptThisRun: number, opts: RetryOptions = {}, random: () => number = Math.random): Decision {
  if (stopsTheRun(code)) return { action: 'stop-run' };
  if (isRetryableCode(code)) {
    if (attemptThisRun < (opts.maxAttempts ?? 5)) return { action: 'retry', delayMs: backoffDelayMs(attemptThisRun, opts, random) };
    return { action: 'stop-run' };
  }
  return { action: 'fail-item' };
}
