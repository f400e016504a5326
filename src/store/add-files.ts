// `trove add`: ingest files into one release's file set. Plan first (expand folders, check every path
// and name), then ingest blobs, then record them: this device's local_blob rows (state.db) commit
// first, then the catalogue (collection.db) in one transaction. On any failure the catalogue is
// unchanged, the local_blob rows are put back as they were and the blobs this run created are
// removed again. collection.db and state.db are separate WAL databases, which SQLite never commits
// together; in this order a crash between the two commits leaves rows that truthfully record blobs
// on disk that the catalogue does not name yet (the next add of those files finds them; nothing
// names content that is nowhere).
//
// Content the catalogue already knows keeps its file type: its blob (`<type>/…/<sha1>.zst`, the same
// key locally and on the remote) is reused, never written a second time under the type of the new
// file set. A file set's type says what the set is (its ROMs, its manual); `file.type` says where the
// content's blob lives.
import fs from 'node:fs/promises';
import path from 'node:path';
import pLimit from './limit.js';
import { TroveError, withContext } from './errors.js';
import { assertSafeName } from './archive-name.js';
import { isWithin, realPath } from './real-path.js';
import { pathPrefixConflict } from './name-conflicts.js';
import { nfc } from './unicode-name.js';
import { followSymlink, type SkippedPath } from './catalog/scan-walk.js';
import type { Library } from './library.js';
import { ingestFile, statSource, syncBlobDirs, type IngestResult, type SourceIdentity } from './blob/blob-writer.js';
import type { FileType } from './blob/blob-key.js';
import { regionOf, titleOf } from './release-name.js';
import { upsertSystem } from './repo/systems.js';
import { upsertTitle } from './repo/titles.js';
import { upsertRelease } from './repo/releases.js';
import { nextPosition, setMember, upsertFileSet } from './repo/file-sets.js';
import { upsertFile } from './repo/files.js';
import { knownContent, recordLocalBlobs, undoIngest, type LocalBlobUndo } from './repo/local-blobs.js';
import { queueUpload } from './repo/file-sync-log.js';

export interface AddRequest {
  paths: string[];
  system: string;
  release: string;
  title?: string;
  region?: string;
  type: FileType;
  fileSet?: string;
  concurrency?: number;
  /** A remote is configured: queue each file for upload (file_sync_log UploadPending). */
  queueUploads?: boolean;
}

export interface PlannedFile {
  source: string;
  /** Name inside the file set: relative path under a given folder, or the file's base name. */
  name: string;
  /** Size and mtime when planned: the ingest refuses the file if it changed since. */
  seen?: SourceIdentity;
}

export interface AddReport {
  system: string;
  release: string;
  releaseId: string;
  fileSet: string;
  fileSetId: string;
  files: { name: string; sha1: string; size: number; result: 'added' | 'changed' | 'unchanged'; stored: boolean }[];
  bytesIn: number;
  bytesStored: number;
  /** Not added: symlinked folders and dangling symlinks inside a given folder, anything in the library folder. */
  skipped: SkippedPath[];
}

/**
 * Expand folders (recursively, sorted) into files with their archive names; check every name.
 * Inside a given folder, as in `trove scan`: symlinked files are followed, symlinked folders and
 * dangling symlinks are skipped (listed), and so is the library folder (by its real path, so a
 * symlinked path to it is caught too) — trove never stores its own databases and blobs as content.
 * A path given by name that is a symlink is followed; a file given by name is read wherever it is.
 */
export async function planAdd(paths: string[], opts: { library?: string } = {}): Promise<{ files: PlannedFile[]; skipped: SkippedPath[] }> {
  const planned: PlannedFile[] = [];
  const skipped: SkippedPath[] = [];
  const library = opts.library === undefined ? undefined : realPath(opts.library);
  const inLibrary = (real: string) => library !== undefined && isWithin(real, library);
  const walk = async (dir: string, real: string, prefix: string) => {
    if (inLibrary(real)) {
      skipped.push({ path: dir, reason: 'library' });
      return;
    }
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (err) {
      throw new TroveError('BAD_INPUT', `cannot read folder ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err, details: { path: dir } });
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = path.join(dir, e.name);
      const name = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(full, path.join(real, e.name), name);
      else if (e.isSymbolicLink()) {
        const link = followSymlink(full, inLibrary);
        if ('skip' in link) skipped.push(link.skip);
        else planned.push({ source: full, name });
      } else planned.push({ source: full, name });
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = await fs.stat(p);
    } catch (err) {
      throw new TroveError('BAD_INPUT', `cannot read ${p}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err, details: { path: p } });
    }
    if (st.isDirectory()) await walk(p, realPath(p), '');
    else planned.push({ source: p, name: path.basename(p) }); // named by the user: read, wherever it is
  }
  const seen = new Map<string, string>();
  for (const f of planned) {
    assertSafeName(f.name, `name of ${f.source}:`);
    const prev = seen.get(f.name);
    if (prev) throw new TroveError('BAD_INPUT', `${prev} and ${f.source} would both be named ${JSON.stringify(f.name)} in the file set`);
    seen.set(f.name, f.source);
  }
  const conflict = pathPrefixConflict(seen.keys());
  if (conflict) throw prefixConflictError(conflict, seen.get(conflict[0])!, seen.get(conflict[1])!);
  // Stat every file (a few at a time: a network share answers each after a round trip); the first
  // that is missing or not a regular file, in plan order, is the error.
  const limit = pLimit(16);
  const stats = await Promise.allSettled(planned.map((f) => limit(() => statSource(f.source))));
  stats.forEach((s, i) => {
    if (s.status === 'rejected') throw s.reason;
    planned[i]!.seen = { size: Number(s.value.size), mtimeNs: s.value.mtimeNs };
  });
  if (!planned.length) {
    const why = skipped.length ? ` (skipped: ${skipped.slice(0, 5).map((k) => `${k.path}, ${k.reason}`).join('; ')}${skipped.length > 5 ? '; …' : ''})` : '';
    throw new TroveError('BAD_INPUT', `nothing to add: ${paths.join(', ')} holds no files${why}`, { details: { skipped } });
  }
  return { files: planned, skipped };
}

/** "a" and "a/b" in one file set: naming both (and the files they would come from). */
function prefixConflictError([file, inside]: [string, string], fileSource?: string, insideSource?: string, fileSet?: string): TroveError {
  const what = (name: string, source?: string) => `${JSON.stringify(name)}${source ? ` (${source})` : fileSet ? ' (already in the file set)' : ''}`;
  return new TroveError(
    'BAD_INPUT',
    `${what(file, fileSource)} and ${what(inside, insideSource)} cannot both be in ${fileSet ?? 'the file set'}: ${JSON.stringify(file)} would have to be a file and a folder on export; nothing was added`,
    { details: { names: [file, inside] } },
  );
}

export async function addFiles(lib: Library, req: AddRequest): Promise<AddReport> {
  if (!req.system.trim()) throw new TroveError('BAD_INPUT', '--system must not be empty');
  if (!req.release.trim()) throw new TroveError('BAD_INPUT', '--release must not be empty');
  const { files: planned, skipped } = await planAdd(req.paths, { library: lib.paths.dir });
  const limit = pLimit(req.concurrency ?? 8);
  const results: IngestResult[] = new Array(planned.length);
  const created: string[] = [];
  const known = (sha1: string) => knownContent(lib.db, sha1);
  // Set once the local_blob rows committed: what undoes them.
  let recorded: LocalBlobUndo | undefined;
  try {
    // allSettled, not all: every ingest must have finished before a failure cleans up after them.
    const settled = await Promise.allSettled(
      planned.map((f, i) =>
        limit(async () => {
          const r = await ingestFile(lib.paths, f.source, req.type, { syncDir: false, expect: f.seen, known });
          if (r.created) created.push(r.blobPath);
          results[i] = r;
        }),
      ),
    );
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    // One fsync per blob folder makes every rename durable before the catalogue names the blobs.
    await syncBlobDirs(created.map((p) => path.dirname(p)));
    return lib.db.transaction(() => {
      // Names in NFC (src/store/unicode-name.ts); an existing row in another form is found and kept.
      const releaseName = nfc(req.release.trim());
      const system = upsertSystem(lib.db, nfc(req.system.trim()));
      const titleName = nfc(req.title?.trim() || titleOf(releaseName));
      const title = upsertTitle(lib.db, titleName);
      const release = upsertRelease(lib.db, {
        systemId: system.id,
        name: releaseName,
        titleId: title.id,
        region: req.region ?? regionOf(releaseName),
      });
      const fileSet = upsertFileSet(lib.db, release.id, req.type, req.fileSet?.trim() || req.type);
      const members = lib.db.prepare('SELECT name FROM file_set_file WHERE file_set_id = ?').pluck().all(fileSet.id) as string[];
      const clash = pathPrefixConflict([...members, ...planned.map((f) => f.name)]);
      if (clash) {
        const source = (name: string) => planned.find((f) => f.name === name)?.source;
        throw prefixConflictError(clash, source(clash[0]), source(clash[1]), `${release.name} › ${fileSet.name}`);
      }
      const files: AddReport['files'] = [];
      let position = nextPosition(lib.db, fileSet.id);
      const takePosition = () => position++;
      planned.forEach((f, i) => {
        const r = results[i]!;
        upsertFile(lib.db, { sha1: r.sha1, size: r.size, crc32: r.crc32, md5: r.md5, type: r.type });
        if (req.queueUploads) queueUpload(lib.db, r.sha1, r.type);
        files.push({ name: f.name, sha1: r.sha1, size: r.size, result: setMember(lib.db, fileSet.id, f.name, r.sha1, takePosition), stored: r.created });
      });
      // The device-local rows commit now, on state.db's own connection, before this transaction's
      // COMMIT: if they fail, the catalogue rolls back untouched; if the catalogue's commit fails,
      // the catch below puts them back.
      try {
        recorded = recordLocalBlobs(
          lib.state,
          lib.paths.storeDir,
          results.map((r) => ({ sha1: r.sha1, type: r.type, size: r.size, storedBytes: r.storedBytes })),
        );
      } catch (err) {
        throw withContext(`cannot record the blobs in ${lib.paths.stateDb}`, err);
      }
      return {
        system: system.name,
        release: release.name,
        releaseId: release.id,
        fileSet: fileSet.name,
        fileSetId: fileSet.id,
        files,
        skipped,
        bytesIn: results.reduce((a, r) => a + r.size, 0),
        bytesStored: results.reduce((a, r) => a + (r.created ? r.storedBytes : 0), 0),
      };
    })();
  } catch (err) {
    await undoIngest(lib.state, recorded, created);
    throw err instanceof TroveError ? err : withContext(`cannot record the files in ${lib.paths.collectionDb}`, err);
  }
}
