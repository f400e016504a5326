// Options and result shapes shared by the upload, verify and download workers.
import type { Library } from '../../store/library.js';
import type { ProgressListener } from './progress.js';
import type { RetryOptions } from './retry-policy.js';

/** @default 8 transfers at once: enough to hide per-request latency on S3, few enough for s3rver. */
export const DEFAULT_CONCURRENCY = 8;

/**
 * The device-local setting (state.db `setting`) every transfer worker reads its concurrency from when
 * the caller does not pass one: the TUI's Settings screen writes it, `--concurrency` overrides it.
 */
export const CONCURRENCY_SETTING = 'transfers.concurrency';

/** The configured concurrency: the setting when it is a whole number from 1 to 64, else the default. */
export function configuredConcurrency(lib: Pick<Library, 'getSetting'>): number {
  const raw = Number(lib.getSetting(CONCURRENCY_SETTING));
  return Number.isInteger(raw) && raw >= 1 && raw <= 64 ? raw : DEFAULT_CONCURRENCY;
}

export interface TransferOptions extends RetryOptions {
  /** Transfers at once. @default the `transfers.concurrency` setting, else 8 */
  concurrency?: number;
  /**
   * Awaited before each item starts (not before retries of an item already started): a caller pauses
   * a run by making it wait — items in flight finish, no new item is taken.
   */
  beforeItem?: (key: string) => Promise<void> | void;
  onProgress?: ProgressListener;
  /** Injected for tests; defaults to setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface ItemFailure {
  sha1: string;
  key: string;
  code: string;
  message: string;
}

export const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
