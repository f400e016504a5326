// Telling whether collection.db changed since the base snapshot, correctly and fast.
//
// Content fingerprint: SHA1 of the database file with the header fields SQLite rewrites without any
// change of content zeroed (file format versions at 18–19, change counter 24–27, schema cookie 40–43,
// version-valid-for and library version 92–99). A backup-API copy differs from its source only in
// those fields, so fingerprint(copy) == fingerprint(checkpointed source) — one number both for the
// pushed snapshot and for the live file. Any committed write changes a page, hence the fingerprint.
//
// Stat fast path (git's index trick): the (size, mtime, ctime, inode) of collection.db when its
// fingerprint was last confirmed. If the stat is unchanged, and the confirmation happened comfortably
// after the last modification (a change within the same timestamp tick would be invisible: "racy"),
// the content is unchanged without reading 100+ MB.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';

const MASKED_RANGES: readonly [number, number][] = [
  [18, 20],
  [24, 28],
  [40, 44],
  [92, 100],
];
export const SQLITE_MAGIC = Buffer.from('SQLite format 3\u0000', 'latin1');
/** A stat is trusted only when confirmed this long after the file's last change (timestamp granularity). */
export const RACY_WINDOW_MS = 2000;

/** Hashes a SQLite file's bytes as they stream by: raw SHA1 and the content fingerprint. */
export class SqliteHasher {
  private readonly raw = createHash('sha1');
  private readonly masked = createHash('sha1');
  private offset = 0;
  size = 0;

  update(chunk: Buffer): void {
    this.raw.update(chunk);
    if (this.offset < 100) {
      const copy = Buffer.from(chunk);
      for (const [a, b] of MASKED_RANGES) {
        for (let i = Math.max(a, this.offset); i < Math.min(b, this.offset + copy.length); i++) copy[i - this.offset] = 0;
      }
      this.masked.update(copy);
    } else {
      this.masked.update(chunk);
    }
    this.offset += chunk.length;
    this.size += chunk.length;
  }

  digest(): { sha1: string; fingerprint: string; size: number } {
    return { sha1: this.raw.digest('hex'), fingerprint: this.masked.digest('hex'), size: this.size };
  }
}

export async function hashSqliteFile(file: string): Promise<{ sha1: string; fingerprint: string; size: number }> {
  const h = new SqliteHasher();
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 4 * 1024 * 1024 })) h.update(chunk as Buffer);
  return h.digest();
}

export interface FileStamp {
  size: number;
  mtimeNs: string;
  ctimeNs: string;
  ino: string;
}

export async function stampOf(file: string): Promise<FileStamp | undefined> {
  try {
    const st = await fsp.stat(file, { bigint: true });
    return { size: Number(st.size), mtimeNs: st.mtimeNs.toString(), ctimeNs: st.ctimeNs.toString(), ino: st.ino.toString() };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export function sameStamp(a: FileStamp | undefined, b: FileStamp | undefined): boolean {
  return !!a && !!b && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino;
}

/** Can a stamp confirmed at `confirmedAtMs` vouch for the content? Not if the file changed in the racy window. */
export function stampIsTrustworthy(stamp: FileStamp, confirmedAtMs: number): boolean {
  const c = BigInt(stamp.ctimeNs);
  const m = BigInt(stamp.mtimeNs);
  const lastChangeMs = Number((c > m ? c : m) / 1_000_000n);
  return confirmedAtMs - lastChangeMs > RACY_WINDOW_MS;
}

export async function isSqliteFile(file: string): Promise<boolean> {
  const h = await fsp.open(file, 'r');
  try {
    const buf = Buffer.alloc(16);
    const { bytesRead } = await h.read(buf, 0, 16, 0);
    return bytesRead === 16 && buf.equals(SQLITE_MAGIC);
  } finally {
    await h.close();
  }
}
