// Telling whether collection.db changed since the base snapshot, correctly and fast.
//
// Content fingerprint: SHA1 of the database file with the header fields SQLite rewrites without any
// change of content set to canonical values (file format versions at 18–19 → 1, change counter 24–27
// → 1, schema cookie 40–43 → 1, version-valid-for 92–95 → 1, library version 96–99 → 0). A
// backup-API copy differs from its source only in those fields, so fingerprint(copy) ==
// fingerprint(checkpointed source). Snapshots are written with their header already canonical, so
// a snapshot's plain SHA1 (the manifest's, checked on download) IS its fingerprint: one hash pass
// on push and on pull. Any committed write changes a page, hence the fingerprint.
//
// Stat fast path (git's index trick): the (size, mtime, ctime, inode) of collection.db when its
// fingerprint was last confirmed. If the stat is unchanged, and the confirmation happened comfortably
// after the last modification (a change within the same timestamp tick would be invisible: "racy"),
// the content is unchanged without reading 100+ MB.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';

/** The canonical header bytes: [offset, value] pairs for offsets 18–19, 24–27, 40–43, 92–99. */
const CANONICAL = new Map<number, number>([
  [18, 1],
  [19, 1],
  [24, 0],
  [25, 0],
  [26, 0],
  [27, 1],
  [40, 0],
  [41, 0],
  [42, 0],
  [43, 1],
  [92, 0],
  [93, 0],
  [94, 0],
  [95, 1],
  [96, 0],
  [97, 0],
  [98, 0],
  [99, 0],
]);

/** Set the volatile header fields of a (closed) SQLite file to their canonical values, in place. */
export async function canonicalizeHeader(file: string): Promise<void> {
  const h = await fsp.open(file, 'r+');
  try {
    const head = Buffer.alloc(100);
    await h.read(head, 0, 100, 0);
    for (const [i, v] of CANONICAL) head[i] = v;
    await h.write(head, 0, 100, 0);
    await h.sync();
  } finally {
    await h.close();
  }
}

/** Canonicalize the header fields inside a buffer holding the start of a database file. */
export function canonicalizeHeaderBytes(head: Buffer): void {
  for (const [i, v] of CANONICAL) if (i < head.length) head[i] = v;
}

/** True when the first 100 bytes already carry the canonical values. */
export function hasCanonicalHeader(head: Buffer): boolean {
  for (const [i, v] of CANONICAL) if (head[i] !== v) return false;
  return head.length >= 100;
}
export const SQLITE_MAGIC = Buffer.from('SQLite format 3\u0000', 'latin1');
/** A stat is trusted only when confirmed this long after the file's last change (timestamp granularity). */
export const RACY_WINDOW_MS = 2000;

/** Hashes a SQLite file's bytes as they stream by into its content fingerprint. */
export class SqliteHasher {
  private readonly hash = createHash('sha1');
  private offset = 0;

  update(chunk: Buffer): void {
    if (this.offset < 100) {
      const copy = Buffer.from(chunk);
      for (const [i, v] of CANONICAL) if (i >= this.offset && i < this.offset + copy.length) copy[i - this.offset] = v;
      this.hash.update(copy);
    } else {
      this.hash.update(chunk);
    }
    this.offset += chunk.length;
  }

  digest(): { fingerprint: string; size: number } {
    return { fingerprint: this.hash.digest('hex'), size: this.offset };
  }
}

export async function fingerprintFile(file: string): Promise<{ fingerprint: string; size: number }> {
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
