// `trove export`: write a release's or file set's files under their archive names into a folder,
// all or nothing.
// 1. Every name is checked, and every destination, before anything is written: a destination that is
//    a folder (or anything but a regular file), or whose parent is a file, is refused naming it. A
//    file already there with the same content is left alone; one with other content is refused
//    unless `overwrite` (igir, rsync and cp -n likewise write over a user's file only when asked).
// 2. Every file is decompressed to a temp file beside its destination and verified.
// 3. Only then are they renamed into place. A file being replaced is first hard-linked aside (so that
//    its name holds the old file until the rename of the new one replaces it atomically: a crash at
//    any point leaves the old file or the new one under the name, never neither); where the file
//    system has no hard links (FAT/exFAT SD cards) it is renamed aside instead, leaving a short window.
//    If any rename fails, every step is undone (old files back, new ones removed) and the error names
//    the file. The files set aside are removed only once every rename succeeded.
// A crash leaves hidden `.export.<pid>.*.tmp` temps (up to a whole file each) and `.export-old.<pid>.*.tmp`
// files in the destination folders. The next export into a folder removes those of processes that no
// longer run — the temps always, the set-aside files only where they are still hard-linked to the
// destination (a second name of a file that is there), never the only copy of a user's file.
import { createHash } from 'node:crypto';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fromErrnoError, isErrnoError, TroveError } from './errors.js';
import { safeJoin } from './archive-name.js';
import { isWithin, realPath } from './real-path.js';
import { pathPrefixConflict } from './name-conflicts.js';
import { fsyncDir, tempName, writeAll } from './atomic-fs.js';
import { isProcessAlive, removeStaleTempsIn } from './stale-temps.js';
import type { Library } from './library.js';
import { makeDir } from './make-dir.js';
import { printable } from './printable.js';
import { blobPath } from './blob/blob-key.js';
import { readBlobFile } from './blob/blob-reader.js';
import { listFiles, listFileSets, type FileEntry } from './repo/catalog-queries.js';
import { getLocalBlob } from './repo/local-blobs.js';
import type { Target } from './repo/resolve.js';

export interface ExportedFile {
  name: string;
  sha1: string;
  size: number;
  path: string;
  /** written: a new file; replaced: a file with other content was there (overwrite); unchanged: the same content was already there. */
  result: 'written' | 'replaced' | 'unchanged';
}

export interface ExportOptions {
  /** Replace files already at a destination with other content (default: refuse them). */
  overwrite?: boolean;
}

/** Where each file goes. A release with several file sets gets one subfolder per file set. */
export function planExport(files: FileEntry[], destDir: string, perFileSetFolders: boolean): { file: FileEntry; dest: string }[] {
  const plan = files.map((file) => ({
    file,
    dest: perFileSetFolders ? safeJoin(path.join(safeJoin(destDir, file.file_set), '.'), file.name) : safeJoin(destDir, file.name),
  }));
  const seen = new Set<string>();
  for (const p of plan) {
    if (seen.has(p.dest)) throw new TroveError('BAD_INPUT', `two files would be written to ${p.dest}`);
    seen.add(p.dest);
  }
  const conflict = pathPrefixConflict(seen, path.sep);
  if (conflict) {
    throw new TroveError(
      'BAD_INPUT',
      `cannot export both ${printable(conflict[0])} and ${printable(conflict[1])}: the first would have to be a file and a folder (two members of the file set are named so); nothing was written`,
      { details: { paths: conflict } },
    );
  }
  return plan;
}

/**
 * Refuse a destination inside the library folder (by real paths: a symlink to it counts), before
 * anything is written: an export there could replace the live collection.db or a blob.
 */
export function refuseLibraryDestinations(libraryDir: string, destDir: string, plan: { dest: string }[]): void {
  const library = realPath(libraryDir);
  const inside = [destDir, ...plan.map((p) => p.dest)].find((d) => isWithin(realPath(d), library));
  if (inside !== undefined) {
    throw new TroveError('BAD_INPUT', `cannot export into ${printable(inside)}: it is inside the library folder ${printable(libraryDir)}; nothing was written`, {
      details: { path: inside, library: libraryDir },
    });
  }
}

/** What is at a destination now. */
export type DestinationState = 'absent' | 'same' | 'different';

async function sha1OfFile(file: string): Promise<string> {
  const h = createHash('sha1');
  for await (const chunk of fsSync.createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Check every destination before anything is written. Throws one error naming every destination
 * that cannot be written (a folder there, a parent that is a file, something not a regular file);
 * otherwise says, per destination, whether a file is there and whether it holds the same content.
 */
export async function inspectDestinations(plan: { file: FileEntry; dest: string }[]): Promise<DestinationState[]> {
  const problems: string[] = [];
  const folderOk = new Map<string, boolean>();
  /** Whether `dir` is a folder or can be made one: its nearest existing ancestor is a folder. */
  const checkFolder = async (dir: string): Promise<boolean> => {
    const known = folderOk.get(dir);
    if (known !== undefined) return known;
    const st = await fs.stat(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined; // ENOTDIR: an ancestor is a file, found further up
      throw err;
    });
    let ok: boolean;
    if (st) {
      ok = st.isDirectory();
      if (!ok) problems.push(`${printable(dir)} is a file, not a folder`);
    } else {
      ok = path.dirname(dir) === dir ? false : await checkFolder(path.dirname(dir));
    }
    folderOk.set(dir, ok);
    return ok;
  };
  const states: DestinationState[] = [];
  for (const { file, dest } of plan) {
    states.push('absent');
    if (!(await checkFolder(path.dirname(dest)))) continue;
    const st = await fs.lstat(dest).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (!st) continue;
    if (st.isDirectory()) problems.push(`${printable(dest)} is a folder`);
    else if (!st.isFile()) problems.push(`${printable(dest)} exists and is not a regular file`);
    else states[states.length - 1] = st.size === file.size && (await sha1OfFile(dest)) === file.sha1 ? 'same' : 'different';
  }
  if (problems.length) {
    throw new TroveError('BAD_INPUT', `cannot export there, nothing was written: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`, {
      details: { problems },
    });
  }
  return states;
}

interface Step {
  temp: string;
  dest: string;
  /** A file found at `dest` may be replaced (it was there at inspection and `overwrite` was given). */
  mayReplace: boolean;
  /** Where the file that was at `dest` was moved, until the export succeeded. */
  aside?: string;
  /** `aside` is a hard link (the old file kept its name until replaced), not a rename. */
  linked?: boolean;
  renamed: boolean;
  /** The renamed file's identity, to tell when a later name is the same file (case-insensitive file systems). */
  dev?: number;
  ino?: number;
}

/** Undo the renames done so far, newest first: new files removed, old files put back. Best effort. */
async function rollBack(steps: Step[]): Promise<void> {
  for (const s of [...steps].reverse()) {
    if (s.aside && (s.renamed || !s.linked)) await fs.rename(s.aside, s.dest).catch(() => undefined); // the old file back, atomically
    else if (s.renamed) await fs.rm(s.dest, { force: true }).catch(() => undefined);
    if (s.aside && s.linked && !s.renamed) await fs.rm(s.aside, { force: true }).catch(() => undefined);
    await fs.rm(s.temp, { force: true }).catch(() => undefined);
  }
}

/** Keep the file at `dest` also as `aside`: a hard link, or (no hard links here) a rename. Returns whether it linked. */
async function linkAside(dest: string, aside: string): Promise<boolean> {
  try {
    await fs.link(dest, aside);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS' && code !== 'EMLINK' && code !== 'EXDEV') throw err;
    await fs.rename(dest, aside);
    return false;
  }
}

const EXPORT_TEMP = /^\.export(-old)?\.\d+\.[0-9a-f]+\.tmp$/;

/**
 * Remove what crashed exports left in `dir`: their temps, and set-aside files that still have another
 * name (the destination). Only names of exports (`.export.<pid>…`, `.export-old.<pid>…`) whose process
 * no longer runs; a set-aside file with no other name may be the only copy of a user's file: kept.
 */
export function removeDeadExportTemps(dir: string, alive: (pid: number) => boolean = isProcessAlive): string[] {
  return removeStaleTempsIn(dir, alive, (name, file) => {
    const m = EXPORT_TEMP.exec(name);
    const st = m ? fsSync.lstatSync(file, { throwIfNoEntry: false }) : undefined;
    if (!st?.isFile()) return false;
    return !m![1] || st.nlink >= 2; // set aside by rename (one name): perhaps the only copy of the user's file
  });
}

export async function exportTarget(lib: Library, target: Target, destDir: string, opts: ExportOptions = {}): Promise<ExportedFile[]> {
  const filter = target.kind === 'release' ? { releaseId: target.id } : { fileSetId: target.id };
  const files = listFiles(lib.db, filter);
  if (!files.length) throw new TroveError('NOT_FOUND', `${target.label} has no files to export`);
  const multi = target.kind === 'release' && listFileSets(lib.db, { releaseId: target.id }).length > 1;
  const plan = planExport(files, path.resolve(destDir), multi);
  refuseLibraryDestinations(lib.paths.dir, destDir, plan);
  const notLocal = files.filter((f) => f.availability !== 'LocalOnly' && f.availability !== 'Synchronized');
  if (notLocal.length) {
    throw new TroveError(
      'NOT_AVAILABLE',
      `${notLocal.length} file(s) of ${target.label} are not in the local store (${notLocal.slice(0, 5).map((f) => `${f.name} ${f.sha1}`).join('; ')}); download them first`,
      { details: { sha1s: notLocal.map((f) => f.sha1) } },
    );
  }
  let states: DestinationState[];
  try {
    states = await inspectDestinations(plan);
  } catch (err) {
    throw isErrnoError(err) ? fromErrnoError(err, `cannot export ${target.label}`) : err;
  }
  const different = plan.filter((_, i) => states[i] === 'different');
  if (different.length && !opts.overwrite) {
    throw new TroveError(
      'ALREADY_EXISTS',
      `${different.length} file(s) already exist with other content, nothing was written: ${different.slice(0, 5).map((p) => printable(p.dest)).join('; ')}${different.length > 5 ? '; …' : ''} (export --overwrite replaces them)`,
      { details: { paths: different.map((p) => p.dest) } },
    );
  }

  for (const dir of new Set(plan.map((p) => path.dirname(p.dest)))) removeDeadExportTemps(dir);
  const madeDirs: string[] = [];
  const steps: Step[] = [];
  let reading: string | undefined;
  try {
    // Write and verify every file that is not already there.
    for (const [i, { file, dest }] of plan.entries()) {
      if (states[i] === 'same') continue;
      const made = await makeDir(path.dirname(dest));
      if (made) madeDirs.push(made);
      const temp = tempName(path.dirname(dest), 'export');
      const h = await fs.open(temp, 'wx', 0o644);
      steps.push({ temp, dest, mayReplace: !!opts.overwrite, renamed: false });
      try {
        // Where this device's blob is: its local_blob row, which a merge that changed file.type
        // does not move (docs/store.md "Where a blob is").
        reading = blobPath(lib.paths.storeDir, getLocalBlob(lib.state, file.sha1)?.type ?? file.type, file.sha1);
        for await (const chunk of readBlobFile(reading, file, `${file.name} (${file.sha1})`)) await writeAll(h, chunk);
        reading = undefined;
        await h.sync();
      } finally {
        await h.close();
      }
    }
    // All verified: rename into place, setting aside what a file replaces until every rename is done.
    for (const s of steps) {
      const there = fsSync.lstatSync(s.dest, { throwIfNoEntry: false });
      // A file this export already put in place answers to this name too: a case- or Unicode-
      // normalisation-insensitive file system (macOS, Windows, exFAT) sees "Readme.txt" and
      // "README.txt" (or NFC and NFD "café") as one name. Writing would replace the first file.
      const earlier = there && steps.find((o) => o.renamed && o.ino === there.ino && o.dev === there.dev);
      if (earlier) {
        throw new TroveError(
          'BAD_INPUT',
          `${printable(earlier.dest)} and ${printable(s.dest)} are the same file on this file system (it does not tell the names apart by case or Unicode form); cannot export both, nothing was written`,
          { details: { paths: [earlier.dest, s.dest] } },
        );
      }
      if (there && !s.mayReplace) throw new TroveError('ALREADY_EXISTS', `${printable(s.dest)} appeared while exporting; nothing was written (export --overwrite replaces it)`);
      if (there?.isFile()) {
        const aside = tempName(path.dirname(s.dest), 'export-old');
        s.aside = aside;
        s.linked = await linkAside(s.dest, aside);
      }
      await fs.rename(s.temp, s.dest); // replaces the old file atomically when it was linked aside
      s.renamed = true;
      const st = fsSync.lstatSync(s.dest);
      s.dev = st.dev;
      s.ino = st.ino;
    }
  } catch (err) {
    await rollBack(steps);
    for (const d of madeDirs.reverse()) await removeEmptyTree(d);
    if (reading !== undefined && (err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new TroveError('NOT_AVAILABLE', `a blob of ${target.label} is missing from the store: ${(err as Error).message} (run \`trove verify\`)`, { cause: err });
    }
    throw isErrnoError(err) ? fromErrnoError(err, `cannot export ${target.label}, nothing was written`) : err;
  }
  for (const dir of new Set(steps.map((s) => path.dirname(s.dest)))) await fsyncDir(dir);
  for (const s of steps) if (s.aside) await fs.rm(s.aside, { force: true }).catch(() => undefined);
  return plan.map(({ file, dest }, i) => ({
    name: file.name,
    sha1: file.sha1,
    size: file.size,
    path: dest,
    result: states[i] === 'same' ? 'unchanged' : states[i] === 'different' ? 'replaced' : 'written',
  }));
}

/** Remove a folder this export created, with the empty folders under it; keep anything with files. */
async function removeEmptyTree(dir: string): Promise<void> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => undefined);
  if (!entries) return;
  for (const e of entries) if (e.isDirectory()) await removeEmptyTree(path.join(dir, e.name));
  await fs.rmdir(dir).catch(() => undefined);
}
