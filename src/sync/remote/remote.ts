// The remote: a narrow interface over an object store. Every method states what happens when the
// key is absent or already present. Optional abilities live in `features`, not in more methods.
// Keys are '/'-separated relative paths (`rom/ab/ab12….zst`, `metadata/snapshots/<id>.json`).

export interface RemoteEntry {
  key: string;
  size: number;
}

export interface RemoteStat {
  size: number;
  etag?: string;
  lastModified?: string;
}

export interface RemoteFeatures {
  /** The backend claims to support create-if-absent writes. Never relied on for safety. */
  conditionalCreate: boolean;
}

export interface Remote {
  /** Where this remote points, safe to print: no credentials. */
  readonly description: string;
  readonly features: RemoteFeatures;
  /** Stream an object's bytes. Throws TroveError NOT_FOUND when the key is absent. */
  read(key: string): AsyncIterable<Buffer>;
  /** A small object whole (manifests). Throws NOT_FOUND when absent. */
  readAll(key: string): Promise<Buffer>;
  /**
   * Write an object from a buffer or a stream of chunks. An existing object at `key` is replaced
   * (callers that must not overwrite check first and use content-addressed keys).
   */
  write(key: string, data: Buffer | AsyncIterable<Buffer>): Promise<void>;
  /** Size and tags of an object, or undefined when absent. */
  stat(key: string): Promise<RemoteStat | undefined>;
  /** Objects under `prefix` (a folder, ending in '/'), recursively. Empty when none. */
  list(prefix: string): Promise<RemoteEntry[]>;
  /** Remove an object. Absent is success. */
  delete(key: string): Promise<void>;
}
