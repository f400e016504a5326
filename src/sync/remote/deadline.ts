// Deadlines for remote calls. OpenDAL 0.49's Node binding has no TimeoutLayer and no way to cancel a
// call, and its HTTP client waits on a silent server for ever (a stopped MinIO, a NAS that hangs, a
// dead NAT mapping): trove races each call against a timer instead, as rclone does with --timeout
// (idle, 5m) and --contimeout (1m). A call that misses its deadline fails REMOTE_UNAVAILABLE, which
// the retry policy retries with backoff and, when the remote stays silent, turns into exit 5.
//
// The abandoned call is left to finish or fail in the background (it cannot be stopped from here). It
// keeps Node's event loop alive, so the CLI ends the process itself when any are still pending
// (`abandonedRemoteCalls`). Whatever it does later is harmless: a write that lands after all is a
// whole object under a content-addressed key that was not recorded as done.
import { TroveError } from '../../store/errors.js';

export interface RemoteTimeouts {
  /**
   * Total time for one request: stat, delete, opening a reader or writer, a whole small read or write
   * (plus REQUEST_BYTES_PER_SECOND of slack for the bytes it carries). 0 = no deadline.
   */
  requestMs: number;
  /**
   * Streaming: the longest one read (≤ 1 MiB) or one write call (it may send a part of up to 8 MiB)
   * may take, i.e. no bytes moved for this long. Also the total for a listing, which the binding does
   * in one call whatever the number of pages. 0 = no deadline.
   */
  idleMs: number;
}

export const DEFAULT_REMOTE_TIMEOUTS: RemoteTimeouts = { requestMs: 60_000, idleMs: 300_000 };
export const REQUEST_TIMEOUT_ENV = 'TROVE_REMOTE_TIMEOUT';
export const IDLE_TIMEOUT_ENV = 'TROVE_REMOTE_IDLE_TIMEOUT';
/** A request that carries data gets one more second per this many bytes (8 MiB: +128 s). */
export const REQUEST_BYTES_PER_SECOND = 64 * 1024;

/** `1500ms`, `30s`, `5m`, `1h`, or `0` (no deadline). */
export function parseTimeout(name: string, text: string): number {
  const m = /^\s*(\d+)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m || (m[2] === undefined && m[1] !== '0')) {
    throw new TroveError('BAD_INPUT', `${name}=${JSON.stringify(text)}: expected a whole number with a unit, like 500ms, 30s or 5m (or 0 for no timeout)`);
  }
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

/** The timeouts in force: $TROVE_REMOTE_TIMEOUT and $TROVE_REMOTE_IDLE_TIMEOUT over the defaults. */
export function remoteTimeouts(env: NodeJS.ProcessEnv = process.env): RemoteTimeouts {
  const request = env[REQUEST_TIMEOUT_ENV];
  const idle = env[IDLE_TIMEOUT_ENV];
  return {
    requestMs: request ? parseTimeout(REQUEST_TIMEOUT_ENV, request) : DEFAULT_REMOTE_TIMEOUTS.requestMs,
    idleMs: idle ? parseTimeout(IDLE_TIMEOUT_ENV, idle) : DEFAULT_REMOTE_TIMEOUTS.idleMs,
  };
}

/** The request deadline for a call that carries `bytes` of data. */
export function requestDeadlineMs(t: RemoteTimeouts, bytes = 0): number {
  return t.requestMs > 0 ? t.requestMs + Math.ceil((bytes / REQUEST_BYTES_PER_SECOND) * 1000) : 0;
}

// Kept on globalThis, not in this module: the command line is a bundle with its own copy of this
// module, and main.ts (outside the bundle) must see the count the remote calls changed.
const ABANDONED = Symbol.for('trove.abandonedRemoteCalls');
const slot = globalThis as Record<symbol, number | undefined>;
const adjust = (n: number) => (slot[ABANDONED] = (slot[ABANDONED] ?? 0) + n);

/** Remote calls given up on by a deadline that have not settled yet (they keep the process alive). */
export function abandonedRemoteCalls(): number {
  return slot[ABANDONED] ?? 0;
}

/** "1.5 s", "5 min": a timeout for people. */
export function formatTimeout(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

/**
 * `work` if it settles within `ms`, else a REMOTE_UNAVAILABLE naming `what` (the operation, key and
 * remote; no credentials) and the setting that sets the deadline. `ms` 0: no deadline.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string, setting: string): Promise<T> {
  if (!(ms > 0)) return work;
  return new Promise<T>((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      adjust(1);
      reject(
        new TroveError('REMOTE_UNAVAILABLE', `${what}: no answer within ${formatTimeout(ms)} (timed out; $${setting} sets the limit)`, {
          details: { timeoutMs: ms },
        }),
      );
    }, ms);
    work.then(
      (v) => {
        if (late) adjust(-1);
        else {
          clearTimeout(timer);
          resolve(v);
        }
      },
      (err: unknown) => {
        if (late) adjust(-1);
        else {
          clearTimeout(timer);
          reject(err);
        }
      },
    );
  });
}
