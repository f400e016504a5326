// Whether a file already at a blob's path may stand for the content being stored, and renaming a
// fresh blob into place when it may not. A file at the path is only a claim: the library's own record
// (a local_blob row, passed in as `recordedBytes`) vouches for it; anything else there (a blob left
// by an interrupted run, a damaged one verify has not seen yet, garbage) is read back and checked
// first, and a fresh blob replaces it unless it holds exactly the content. Nothing is ever trusted
// for existing alone.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { commitTemp } from '../atomic-fs.js';
import type { FileType } from './blob-key.js';
import { verifyBlobFile } from './blob-reader.js';

/** What the catalogue says about content the ingest is about to store. */
export interface KnownContent {
  /**
   * The type the content is catalogued (or stored) under. Its blob key uses this type whatever the
   * caller asked for: one content, one blob, one key, here and on the remote.
   */
  type: FileType;
  /** This device records a blob of this many (stored) bytes for it under `type` (a local_blob row). */
  recordedBytes?: number;
}

/** Looks content up by SHA1 (the caller's catalogue); undefined when nothing is known of it. */
export type KnownContentLookup = (sha1: string) => KnownContent | undefined;

/**
 * Renames into the store in progress in this process, by final path. An ingest of the same content
 * waits for the one in progress and then finds the blob (or, if that rename failed, renames its own):
 * exactly one of them reports `created`, and none reports a blob that is not there.
 */
const committing = new Map<string, Promise<void>>();

export async function settledCommit(finalPath: string): Promise<void> {
  for (let p = committing.get(finalPath); p; p = committing.get(finalPath)) await p.catch(() => undefined);
}

/**
 * The stored size of the file at `finalPath` if it may stand for `expected`, else undefined (no file,
 * or one that is not this content). A file of the recorded size is taken as recorded (the record is
 * the claim `trove verify` checks); any other file must decompress to exactly `expected`.
 */
export async function usableBlob(finalPath: string, expected: { sha1: string; size: number }, recordedBytes?: number): Promise<number | undefined> {
  const st = fs.statSync(finalPath, { throwIfNoEntry: false });
  if (!st?.isFile()) return undefined;
  if (recordedBytes !== undefined && st.size === recordedBytes) return st.size;
  try {
    await verifyBlobFile(finalPath, expected);
    return st.size;
  } catch {
    return undefined;
  }
}

/**
 * Put the finished, fsynced temp blob `tmp` at `finalPath`, unless a usable blob of the same content
 * is there (then the temp is removed). Whatever else sits at the path is replaced (atomic rename).
 */
export async function commitBlob(
  tmp: string,
  finalPath: string,
  expected: { sha1: string; size: number },
  opts: { recordedBytes?: number; syncDir?: boolean },
): Promise<{ created: boolean; storedBytes?: number }> {
  for (;;) {
    await settledCommit(finalPath);
    const existing = await usableBlob(finalPath, expected, opts.recordedBytes);
    if (existing !== undefined) {
      await fsp.rm(tmp, { force: true });
      return { created: false, storedBytes: existing };
    }
    // Another ingest here began its rename while we looked: look again once it settled.
    if (committing.has(finalPath)) continue;
    // No await between this check and registering the rename: no other ingest here can slip in.
    const rename = commitTemp(tmp, finalPath, { syncDir: opts.syncDir });
    committing.set(finalPath, rename);
    try {
      await rename;
    } finally {
      committing.delete(finalPath);
    }
    return { created: true };
  }
}
