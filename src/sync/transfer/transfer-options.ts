// Options and result shapes shared by the upload, verify and download workers.
import type { ProgressListener } from './progress.js';
import type { RetryOptions } from './retry-policy.js';

/** @default 8 transfers at once: enough to hide per-request latency on S3, few enough for s3rver. */
export const DEFAULT_CONCURRENCY = 8;

export interface TransferOptions extends RetryOptions {
  /** Transfers at once. @default 8 */
  concurrency?: number;
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
