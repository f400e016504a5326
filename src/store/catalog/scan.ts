// `trove scan`: hash every file under the given folders (unchanged files come from the scan cache),
// match them against the catalogue, store matches in the content-addressed store through the blob
// writer and record them (local, file-set membership for crc32 matches) in one transaction. Unmatched
// files are left alone and listed. Nothing is written anywhere but the store and the databases: rom
// names never become paths here.
import path from 'node:path';
import { isTroveError, TroveError, withContext } from '../errors.js';
import { nameId, nowIso } from '../ids.js';
import type { Library } from '../library.js';
import pLimit from '../limit.js';
import { ingestFile, syncBlobDirs, type IngestResult } from '../blob/blob-writer.js';
import { upsertFile } from '../repo/files.js';
import { knownContent, recordLocalBlobs, removeUnrecordedBlobs, undoIngest, type LocalBlobInput, type LocalBlobUndo } from '../repo/local-blobs.js';
import { resolveSystem } from '../repo/resolve.js';
import { queueUpload } from '../repo/file-sync-log.js';
import { fingerprintHasher, fingerprintOfFile } from './scan-fingerprint.js';
import { deleteScanRows, loadScanCache, saveScanRows, type ScanCacheRow } from './scan-cache.js';
import { hashScannedFile } from './scan-hash.js';
import { planScan, type HashedFile, type MatchTargets } from './scan-plan.js';
import type { FileType } from '../blob/blob-key.js';
import { loadMatchTargets } from './scan-targets.js';
import { walkScanDirs, type FoundFile, type SkippedPath } from './scan-walk.js';
import { isWithin } from '../real-path.js';

export interface ScanOptions {
  /** Match only against this system's releases (name or id). */
  system?: string;
  /** Files hashed / ingested at once. */
  concurrency?: number;
  /** Mark the blobs it stores UploadPending (a remote is configured), as `add` does. */
  queueUploads?: boolean;
  /**
   * Called once every file is hashed (and stored where it might match), before anything is matched,
   * removed or recorded. Tests use it to let another library handle change the store or catalogue
   * at exactly that moment, as another trove process may.
   */
  afterHashing?: () => Promise<void>;
}

export interface ScanMatch {
  path: string;
  sha1: string;
  size: number;
  kind: 'sha1' | 'crc32';
  /** The content was stored by this scan (false: the store already had it). */
  stored: boolean;
  /** For crc32 matches: the rom names it was matched to. */
  roms?: string[];
}

export interface ScanReport {
  roots: string[];
  system: string | null;
  files: number;
  /** Files whose digests came from the cache (not read again). */
  cached: number;
  hashed: number;
  bytesHashed: number;
  matched: { sha1: number; crc32: number };
  stored: number;
  matches: ScanMatch[];
  unmatched: string[];
  errors: { path: string; code: string; message: string }[];
  /** Not looked at: the library folder (by its real path), symlinked folders, dangling symlinks. */
  skipped: SkippedPath[];
}

export async function scanFolders(lib: Library, dirs: string[], opts: ScanOptions = {}): Promise<ScanReport> {
  const system = opts.system ? resolveSystem(lib.db, opts.system) : null;
  const systemId = system?.id ?? null;
  const walked = walkScanDirs(dirs, [lib.paths.dir]);
  const { roots, files } = walked;
  const cache = loadScanCache(lib.db, roots);
  const xx = await fingerprintHasher();
  const errors: ScanReport['errors'] = [...walked.errors];
  const fail = (path: string, err: unknown) => {
    if (!isTroveError(err)) throw err;
    errors.push({ path, code: err.code, message: err.message });
  };

  // 1. Digests: from the cache when path, size, mtime and fingerprint agree; else read and hash.
  const hashed: HashedFile[] = [];
  const cacheWrites: ScanCacheRow[] = [];
  const toHash: FoundFile[] = [];
  let cached = 0;
  for (const f of files) {
    const row = cache.get(f.path);
    if (row && row.size === f.size && row.mtime_ns === f.mtimeNs) {
      let fp: string | undefined;
      try {
        fp = fingerprintOfFile(xx, f.path, f.size);
      } catch {
        fp = undefined; // unreadable now: hash it properly below, which reports the error
      }
      if (fp === row.fingerprint) {
        cached++;
        hashed.push({ path: f.path, size: f.size, sha1: row.sha1, crc32: row.crc32, md5: row.md5 });
        if (row.system_id !== systemId) cacheWrites.push({ ...row, system_id: systemId });
        continue;
      }
    }
    toHash.push(f);
  }
  // 2. Files to read: a file whose size some content still missing from the store has (of one file
  // type) goes straight through the blob writer, which hashes while it stores — one read, not two
  // (a 4 GiB disc image is read once). Any other file is only hashed. A stored blob that turns out to
  // match nothing is removed again.
  const targets = loadMatchTargets(lib.db, systemId);
  const ingestType = ingestTypesBySize(targets);
  const limit = pLimit(opts.concurrency ?? 8);
  let bytesHashed = 0;
  const ingested = new Map<string, IngestResult>();
  const createdBlobs = new Set<string>();
  // Content the catalogue already has keeps its blob and type (as in `trove add`).
  const known = (sha1: string) => knownContent(lib.db, sha1);
  // Set once the local_blob rows committed: what undoes them.
  let recorded: LocalBlobUndo | undefined;
  const read = async (f: FoundFile) => {
    const type = ingestType.get(f.size);
    if (type) {
      const r = await ingestFile(lib.paths, f.path, type, { syncDir: false, expect: f, known });
      if (r.created) createdBlobs.add(r.blobPath);
      if (r.size !== f.size) {
        if (createdBlobs.delete(r.blobPath)) removeUnrecordedBlobs(lib.state, [r.blobPath]);
        throw new TroveError('CHANGED_WHILE_READING', `${f.path} changed while it was being scanned`, { details: { path: f.path } });
      }
      if (!ingested.has(r.sha1)) ingested.set(r.sha1, r);
      return { sha1: r.sha1, crc32: r.crc32, md5: r.md5, fingerprint: fingerprintOfFile(xx, f.path, f.size) };
    }
    return hashScannedFile(f);
  };
  const matches: ScanMatch[] = [];
  const unmatched: string[] = [];
  // Any unexpected failure from here on removes the blobs this scan created (nothing records them).
  try {
    await Promise.all(
      toHash.map((f) =>
        limit(async () => {
          try {
            const d = await read(f);
            bytesHashed += f.size;
            hashed.push({ path: f.path, size: f.size, sha1: d.sha1, crc32: d.crc32, md5: d.md5 });
            cacheWrites.push({ path: f.path, size: f.size, mtime_ns: f.mtimeNs, fingerprint: d.fingerprint, sha1: d.sha1, crc32: d.crc32, md5: d.md5, system_id: systemId });
          } catch (err) {
            fail(f.path, err);
          }
        }),
      ),
    );
    hashed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    await opts.afterHashing?.();

    // 3. Match (pure), then store what matched and is not stored yet; drop blobs that matched nothing.
    const decisions = planScan(hashed, targets);
    // A blob stored while hashing stays only if a decision wants exactly it (content and file type).
    const wanted = new Map(decisions.filter((d) => d.ingest).map((d) => [d.file.sha1, d.type]));
    const unwanted: string[] = [];
    for (const [sha1, r] of ingested) {
      if (wanted.get(sha1) === r.type) continue;
      ingested.delete(sha1);
      if (createdBlobs.delete(r.blobPath)) unwanted.push(r.blobPath);
    }
    // Only blobs no other process has recorded meanwhile (it found them here while this scan hashed).
    removeUnrecordedBlobs(lib.state, unwanted);
    await Promise.all(
      decisions
        .filter((d) => d.ingest && !ingested.has(d.file.sha1))
        .map((d) =>
          limit(async () => {
            try {
              const r = await ingestFile(lib.paths, d.file.path, d.type, { syncDir: false, known });
              if (r.created) createdBlobs.add(r.blobPath);
              if (r.sha1 !== d.file.sha1 || r.size !== d.file.size) {
                if (createdBlobs.delete(r.blobPath)) removeUnrecordedBlobs(lib.state, [r.blobPath]);
                throw new TroveError('CHANGED_WHILE_READING', `${d.file.path} changed since it was hashed (sha1 ${d.file.sha1} → ${r.sha1}); not stored`, {
                  details: { path: d.file.path },
                });
              }
              ingested.set(d.file.sha1, r);
            } catch (err) {
              fail(d.file.path, err);
            }
          }),
        ),
    );

    // One fsync per blob folder makes the renames durable before the catalogue names the blobs.
    await syncBlobDirs([...createdBlobs].map((p) => path.dirname(p)));
    // 3. Record everything: this device's rows (state.db: local_blob and the scan cache) commit just
    // before the catalogue's transaction (collection.db) does, and local_blob is undone if that
    // fails — SQLite never commits two WAL databases together (see repo/local-blobs.ts). A scan
    // cache row left behind then only remembers what a file hashed to.
    const failedPaths = new Set(errors.map((e) => e.path));
    const seenPaths = new Set(files.map((f) => f.path));
    // A folder that could not be read keeps its cached rows: its files may well still be there.
    const stale = [...cache.keys()].filter((p) => !seenPaths.has(p) && !walked.errors.some((e) => isWithin(p, e.path)));
    // Blobs stored for crc32 matches whose targets vanished: removed once the records committed.
    const vanished: string[] = [];
    lib.db.transaction(() => {
      const member = lib.db.prepare(
        `INSERT INTO file_set_file (id, file_set_id, file_sha1, name, position, created_at, updated_at)
         SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM file_set WHERE id = ?)
         ON CONFLICT(file_set_id, name) DO UPDATE SET file_sha1 = excluded.file_sha1, updated_at = excluded.updated_at`,
      );
      const resolveRom = lib.db.prepare('UPDATE dat_rom SET matched_sha1 = ?, updated_at = ? WHERE id = ? AND matched_sha1 IS NULL');
      const now = nowIso();
      const reportedStored = new Set<string>();
      const local: LocalBlobInput[] = [];
      for (const d of decisions) {
        if (d.kind === 'unmatched') {
          unmatched.push(d.file.path);
          continue;
        }
        if (failedPaths.has(d.file.path)) continue;
        const r = ingested.get(d.file.sha1);
        if (d.ingest && !r) continue; // its ingest failed (reported)
        // The match targets were read when the scan began: a `dat import` that ran meanwhile may have
        // removed a crc32-only rom's game. Each member is written only if its file set still exists —
        // one statement, so no other writer comes between the check and the write — and a match whose
        // targets are all gone is reported, not recorded.
        const crcTargets: typeof d.crcTargets = [];
        if (d.crcTargets.length) {
          upsertFile(lib.db, { sha1: d.file.sha1, size: d.file.size, crc32: d.file.crc32, md5: d.file.md5, type: d.type });
          for (const t of d.crcTargets) {
            if (!member.run(nameId('file_set_file', t.fileSetId, t.name), t.fileSetId, d.file.sha1, t.name, t.position, now, now, t.fileSetId).changes) continue;
            resolveRom.run(d.file.sha1, now, t.datRomId);
            crcTargets.push(t);
          }
        }
        if (crcTargets.length < d.crcTargets.length) {
          const gone = d.crcTargets.filter((t) => !crcTargets.includes(t)).map((t) => t.name);
          errors.push({
            path: d.file.path,
            code: 'BUSY',
            message: `${d.file.path} matched ${gone.join(', ')}, which another trove process (a dat import?) removed from the catalogue while this scan ran; not recorded there: run the scan again`,
          });
          if (d.kind === 'crc32' && !crcTargets.length) {
            if (r && createdBlobs.delete(r.blobPath)) vanished.push(r.blobPath);
            continue;
          }
        }
        const stored = !!r && createdBlobs.has(r.blobPath) && !reportedStored.has(r.sha1);
        if (stored) reportedStored.add(r!.sha1);
        if (r) local.push({ sha1: r.sha1, type: r.type, size: r.size, storedBytes: r.storedBytes });
        if (r && opts.queueUploads) queueUpload(lib.db, r.sha1, r.type); // a no-op for content the log already tracks
        matches.push({
          path: d.file.path,
          sha1: d.file.sha1,
          size: d.file.size,
          kind: d.kind,
          stored,
          ...(crcTargets.length ? { roms: crcTargets.map((t) => t.name) } : {}),
        });
      }
      try {
        lib.state
          .transaction(() => {
            recorded = recordLocalBlobs(lib.state, lib.paths.storeDir, local);
            saveScanRows(lib.state, cacheWrites);
            deleteScanRows(lib.state, stale);
          })
          .immediate();
      } catch (err) {
        recorded = undefined; // rolled back with the scan cache rows
        throw withContext(`cannot record the blobs in ${lib.paths.stateDb}`, err);
      }
    })();
    removeUnrecordedBlobs(lib.state, vanished);
  } catch (err) {
    await undoIngest(lib.state, recorded, createdBlobs);
    throw err;
  }
  return {
    roots,
    system: system?.name ?? null,
    files: files.length,
    cached,
    hashed: toHash.length,
    bytesHashed,
    matched: { sha1: matches.filter((m) => m.kind === 'sha1').length, crc32: matches.filter((m) => m.kind === 'crc32').length },
    stored: matches.filter((m) => m.stored).length,
    matches,
    unmatched,
    errors,
    skipped: walked.skipped,
  };
}

/** File sizes worth storing while hashing: sizes of content not in the store yet, when of one file type. */
function ingestTypesBySize(targets: MatchTargets): Map<number, FileType> {
  const types = new Map<number, FileType | null>();
  const add = (size: number, type: FileType) => {
    const t = types.get(size);
    if (t === undefined) types.set(size, type);
    else if (t !== type) types.set(size, null);
  };
  for (const t of targets.bySha1.values()) if (!t.local) add(t.size, t.type);
  for (const [key] of targets.byCrc) add(Number(key.slice(key.indexOf(':') + 1)), 'rom');
  const out = new Map<number, FileType>();
  for (const [size, t] of types) if (t) out.set(size, t);
  return out;
}
