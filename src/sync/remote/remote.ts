// The remote: a narrow interface over an object store. Every method states what happens when the
// key is absent or already present. Optional abilities live in `features`, not in more methods.
// Keys are '/'-separated relative paths (`rom/ab/ab12….zst`, `metadata/snapshots/<id>.json`).
// Every failure is a TroveError: NOT_FOUND, ALREADY_EXISTS, AUTH, REMOTE_CONFIG (missing bucket,
// bad options), REMOTE_UNAVAILABLE (transient: retry with backoff) or REMOTE_ERROR (permanent).

export interface RemoteEntry {
  key: string;
  /** The object's real size in bytes (stat'ed where the backend's listing does not carry it). */
  size: number;
}

export interface RemoteStat {
  size: number;
  etag?: string;
  lastModified?: string;
}

export interface RemoteFeatures {
  /**
   * The backend claims to support create-if-absent writes. A claim only: s3rver accepts the header
   * and overwrites anyway. `trove remote check` probes what really happens. Never relied on for safety.
   */
  conditionalCreate: boolean;
  /**
   * Where this remote stages writes before they take their final key (fs: `.trove-tmp/`), when it
   * does. A write that was killed, or whose source failed, leaves its staging file there; `list`
   * shows staging files only when asked for this prefix itself (`trove prune-blobs` cleans it).
   */
  stagingPrefix?: string;
}

export interface WriteOptions {
  /**
   * Ask the backend to refuse when `key` exists (ALREADY_EXISTS). Only honoured when
   * `features.conditionalCreate`; otherwise (and on servers that ignore it) the object is replaced.
   */
  ifNotExists?: boolean;
}

export interface ReadOptions {
  /**
   * The object's exact stored size, when the caller already knows it (from `stat` or `list`). Lets
   * the backend fetch a small object (≤ WHOLE_READ_BYTES) in one request instead of a size probe
   * plus a streaming read. Only bytes [0, size) are requested: an object that is longer now yields
   * its first `size` bytes (callers verify content anyway), one that is shorter fails. So the size
   * must come from this remote (stat, list), never from a local copy: checking that the remote
   * object is whole (`upload --verify`) must not read it with a size.
   */
  size?: number;
}

/** Objects up to this size may be fetched whole in one request when their size is known. */
export const WHOLE_READ_BYTES = 8 * 1024 * 1024;

export interface Remote {
  /** Where this remote points, safe to print: no credentials. */
  readonly description: string;
  readonly features: RemoteFeatures;
  /**
   * Stream an object's bytes in order, in chunks of at most about 1 MiB (memory stays bounded
   * whatever the object's size) — or, when `opts.size` is given and at most WHOLE_READ_BYTES, as one
   * chunk of exactly that many bytes fetched in one request. Throws NOT_FOUND when the key is absent
   * (before the first chunk).
   */
  read(key: string, opts?: ReadOptions): AsyncIterable<Buffer>;
  /** A small object whole (manifests, probes). Throws NOT_FOUND when absent. */
  readAll(key: string): Promise<Buffer>;
  /**
   * Write an object from a buffer or a stream of chunks; the object appears whole or not at all (a
   * failed or interrupted stream never leaves a partial object under `key` on fs or s3). An existing
   * object at `key` is replaced unless `ifNotExists` is honoured. Content-addressed keys make a
   * replacement harmless.
   */
  write(key: string, data: Buffer | AsyncIterable<Buffer>, opts?: WriteOptions): Promise<void>;
  /** Size and tags of an object, or undefined when absent. */
  stat(key: string): Promise<RemoteStat | undefined>;
  /** Objects under `prefix` (a folder, ending in '/'), recursively, with real sizes. Empty when none. */
  list(prefix: string): Promise<RemoteEntry[]>;
  /** Remove one object. Absent is success. (One by one: s3rver's batch delete fails.) */
  delete(key: string): Promise<void>;
}
