// Taking a snapshot of collection.db on this device: a consistent copy through SQLite's backup API
// (under a write lock, so no commit lands between the copy and the stat of the live file), in
// rollback-journal mode with a canonical header, plus its row counts and its file list (compressed
// into zstd frames like the blob store's). publish.ts uploads the copy in chunks.
import { compress } from '@mongodb-js/zstd';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import fsp from 'node:fs/promises';
import { tempName } from '../../store/atomic-fs.js';
import { DEFAULT_FRAME_BYTES } from '../../store/blob/blob-writer.js';
import { withContext } from '../../store/errors.js';
import { openDatabase, type Library } from '../../store/library.js';
import { schemaVersion } from '../../store/migrations/migration.js';
import { canonicalizeHeader, stampOf, type FileStamp } from './fingerprint.js';
import { encodeFileList } from './file-list.js';

export interface CompressedFile {
  path: string;
  sha1: string;
  size: number;
  compressedSize: number;
}

export interface LocalSnapshot {
  /** The canonical copy of collection.db (uploaded in chunks, then removed by cleanup()). */
  database: { path: string; size: number };
  fileList: CompressedFile & { count: number };
  schemaVersion: number;
  rowCounts: Record<string, number>;
  /** Stat of the live collection.db at the copy, when its WAL was empty (its bytes then match the copy). */
  liveStamp?: FileStamp;
  /** Remove the temp files. */
  cleanup(): Promise<void>;
}

/** Compress a stream of chunks into zstd frames at `out`, keeping `depth` frames in flight. */
async function compressTo(chunks: AsyncIterable<Buffer>, out: string, onChunk: (c: Buffer) => void, depth = 2): Promise<number> {
  const h = await fsp.open(out, 'wx', 0o600);
  const inFlight: Promise<Buffer>[] = [];
  let written = 0;
  try {
    const drain = async () => {
      const frame = await inFlight.shift()!;
      await h.write(frame);
      written += frame.length;
    };
    for await (const chunk of chunks) {
      onChunk(chunk);
      const p = compress(chunk);
      p.catch(() => undefined);
      inFlight.push(p);
      if (inFlight.length > depth) await drain();
    }
    while (inFlight.length) await drain();
    await h.sync();
    return written;
  } catch (err) {
    await Promise.allSettled(inFlight);
    throw err;
  } finally {
    await h.close();
  }
}

async function* bufferChunks(buf: Buffer, frameBytes: number): AsyncGenerator<Buffer> {
  if (buf.length === 0) yield buf;
  for (let i = 0; i < buf.length; i += frameBytes) yield buf.subarray(i, i + frameBytes);
}

export function userTables(db: Database.Database): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
}

export function rowCountsOf(db: Database.Database): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of userTables(db)) out[t] = (db.prepare(`SELECT count(*) AS n FROM "${t.replace(/"/g, '""')}"`).get() as { n: number }).n;
  return out;
}

/** A consistent, canonical copy of collection.db in lib.paths.tmpDir, with its counts and file list. */
export async function takeSnapshot(lib: Library, opts: { frameBytes?: number } = {}): Promise<LocalSnapshot> {
  const frameBytes = opts.frameBytes ?? DEFAULT_FRAME_BYTES;
  const copyPath = tempName(lib.paths.tmpDir, 'snapshot-copy.db');
  const listZst = tempName(lib.paths.tmpDir, 'snapshot-files.zst');
  const cleanup = async () => {
    for (const p of [copyPath, `${copyPath}-journal`, listZst]) await fsp.rm(p, { force: true });
  };
  try {
    // One connection holds the write lock (other writers wait on busy_timeout) while another copies:
    // the backup API cannot read through a connection that is inside its own write transaction.
    const lock = openDatabase(lib.paths.collectionDb);
    let liveStamp: FileStamp | undefined;
    try {
      const [cp] = lock.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      lock.exec('BEGIN IMMEDIATE');
      try {
        const wal = await stampOf(`${lib.paths.collectionDb}-wal`);
        if (cp?.busy === 0 && (!wal || wal.size === 0)) liveStamp = await stampOf(lib.paths.collectionDb);
        // Always the backup API, never a raw copy of the live file (issue 5; a plain copy under the
        // lock measured 0.16 s instead of 0.33 s, but SQLite's own copy is the one that cannot be torn).
        const reader = openDatabase(lib.paths.collectionDb, { readonly: true });
        try {
          const progress = await reader.backup(copyPath);
          if (progress.totalPages === 0) throw new Error('the backup API copied no page');
        } finally {
          reader.close();
        }
      } finally {
        lock.exec('COMMIT');
      }
    } finally {
      lock.close();
    }
    // Snapshots are stored in rollback-journal mode: any SQLite can open them read-only.
    const copy = new Database(copyPath, { fileMustExist: true });
    copy.pragma('journal_mode = DELETE');
    let version: number;
    let rowCounts: Record<string, number>;
    let list: { bytes: Buffer; count: number };
    try {
      version = schemaVersion(copy);
      rowCounts = rowCountsOf(copy);
      list = encodeFileList(copy);
    } finally {
      copy.close();
    }
    // With its header canonical, the copy's plain SHA1 is its content fingerprint (fingerprint.ts);
    // the upload (chunked-db.ts) computes it while it cuts the copy into chunks.
    await canonicalizeHeader(copyPath);
    const listSha1 = createHash('sha1').update(list.bytes).digest('hex');
    const listCompressed = await compressTo(bufferChunks(list.bytes, frameBytes), listZst, () => undefined);
    return {
      database: { path: copyPath, size: (await fsp.stat(copyPath)).size },
      fileList: { path: listZst, sha1: listSha1, size: list.bytes.length, compressedSize: listCompressed, count: list.count },
      schemaVersion: version,
      rowCounts,
      liveStamp,
      cleanup,
    };
  } catch (err) {
    await cleanup();
    throw withContext(`snapshot of ${lib.paths.collectionDb}`, err);
  }
}
