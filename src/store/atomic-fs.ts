// Crash-safe file writes: temp file in the same folder tree, fsync, rename, fsync the folder.
// A crash at any point leaves either the old file or the new one, never a mix.
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import fsSync from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { makeDir } from './make-dir.js';

export function tempName(dir: string, hint = 'tmp'): string {
  return path.join(dir, `.${hint.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

export async function fsyncDir(dir: string): Promise<void> {
  const h = await fs.open(dir, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY);
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

export function fsyncDirSync(dir: string): void {
  const fd = fsSync.openSync(dir, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY);
  try {
    fsSync.fsyncSync(fd);
  } finally {
    fsSync.closeSync(fd);
  }
}

const madeDirs = new Set<string>();

/**
 * Rename a finished temp file into place and make the rename durable (unless the caller fsyncs the
 * folder itself later, once for a whole batch).
 */
export async function commitTemp(tempPath: string, finalPath: string, opts: { syncDir?: boolean } = {}): Promise<void> {
  const dir = path.dirname(finalPath);
  if (!madeDirs.has(dir)) {
    await makeDir(dir);
    madeDirs.add(dir);
  }
  try {
    await fs.rename(tempPath, finalPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !madeDirs.has(dir)) throw err;
    // The folder was removed since we made it: make it again.
    madeDirs.delete(dir);
    await makeDir(dir);
    await fs.rename(tempPath, finalPath);
  }
  if (opts.syncDir ?? true) await fsyncDir(dir);
}

/** Write `data` to `finalPath` atomically (temp in `tempDir` or beside the target). */
export async function writeFileAtomic(finalPath: string, data: string | Uint8Array, opts: { mode?: number; tempDir?: string } = {}): Promise<void> {
  const dir = opts.tempDir ?? path.dirname(finalPath);
  await makeDir(dir);
  const tmp = tempName(dir, path.basename(finalPath));
  try {
    const h = await fs.open(tmp, 'wx', opts.mode ?? 0o644);
    try {
      await h.writeFile(data);
      await h.sync();
    } finally {
      await h.close();
    }
    await commitTemp(tmp, finalPath);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Write all of `data` at the handle's position. FileHandle.write may write fewer bytes than asked
 * (a full disk can do that without an error); keep going until every byte is written or it throws.
 */
export async function writeAll(h: fs.FileHandle, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) {
    const { bytesWritten } = await h.write(data, off, data.length - off);
    if (bytesWritten <= 0) throw Object.assign(new Error('no space left on device (short write)'), { code: 'ENOSPC' });
    off += bytesWritten;
  }
}

/**
 * writeAll for a raw descriptor. `write` is fs.writeSync; tests pass a fault-injecting one. A write
 * that makes no progress is a full disk, never a silent truncation.
 */
export function writeAllSync(fd: number, data: Uint8Array, write: (fd: number, data: Uint8Array, offset: number, length: number) => number = fsSync.writeSync): void {
  let off = 0;
  while (off < data.length) {
    const n = write(fd, data, off, data.length - off);
    if (n <= 0) throw Object.assign(new Error('no space left on device (short write)'), { code: 'ENOSPC' });
    off += n;
  }
}

export async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}
