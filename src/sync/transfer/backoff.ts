// Exponential backoff with "equal jitter" (AWS architecture blog, "Exponential Backoff And Jitter"):
// retry n waits uniformly in [c/2, c) where c = min(cap, base·2^(n-1)). The jitter spreads the
// retries of workers that failed together; the floor of c/2 keeps even an unlucky draw from
// hammering a struggling server at once. Pure: randomness is passed in.

export interface BackoffOptions {
  /** @default 200 */
  baseMs?: number;
  /** @default 10_000 */
  maxMs?: number;
}

/** Delay before retry number `attempt` (1 = the first retry). `random` returns [0, 1). */
export function backoffDelayMs(attempt: number, opts: BackoffOptions = {}, random: () => number = Math.random): number {
  const base = opts.baseMs ?? 200;
  const cap = opts.maxMs ?? 10_000;
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  return Math.floor(ceiling / 2 + random() * (ceiling / 2));
}
