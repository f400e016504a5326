// Find the files a scan looks at: every regular file under the given folders (recursively, symlinked
// files followed, symlinked folders not — no loops), sorted, with size and nanosecond mtime.
// The library folder is skipped by its real path (a symlinked path to it, or to a folder above it, is
// caught too), and so is a symlinked file whose target is in it. A folder that cannot be read is
// listed as an error and the walk goes on; skipped symlinks and the library are listed as skipped.
import fs from 'node:fs';
import path from 'node:path';
import { TroveError } from '../errors.js';
import { isWithin, realPath } from '../real-path.js';

export interface FoundFile {
  path: string;
  size: number;
  mtimeNs: bigint;
}

export interface SkippedPath {
  path: string;
  reason: 'library' | 'symlinked folder' | 'dangling symlink';
}

export interface WalkError {
  path: string;
  code: string;
  message: string;
}

export interface ScanWalk {
  roots: string[];
  files: FoundFile[];
  skipped: SkippedPath[];
  /** Folders that could not be read: nothing under them was looked at. */
  errors: WalkError[];
}

/**
 * A symlink met inside a walked folder (by `scan` and by `add`): followed to a file — its target's
 * stat — unless it dangles, points at a folder (no loops) or into the library (`inLibrary`, given a
 * real path); then why it is skipped.
 */
export function followSymlink(full: string, inLibrary: (real: string) => boolean): { stat: fs.BigIntStats } | { skip: SkippedPath } {
  let stat: fs.BigIntStats;
  try {
    stat = fs.statSync(full, { bigint: true });
  } catch {
    return { skip: { path: full, reason: 'dangling symlink' } };
  }
  if (stat.isDirectory()) return { skip: { path: full, reason: 'symlinked folder' } };
  if (inLibrary(realPath(full))) return { skip: { path: full, reason: 'library' } };
  return { stat };
}

export function walkScanDirs(dirs: string[], skipUnder: string[] = []): ScanWalk {
  const files: FoundFile[] = [];
  const skip = skipUnder.map((d) => realPath(d));
  const roots: string[] = [];
  const skipped: SkippedPath[] = [];
  const errors: WalkError[] = [];
  const skipReal = (real: string) => skip.some((s) => isWithin(real, s));
  const visit = (p: string, st: fs.BigIntStats) => {
    if (st.isFile()) files.push({ path: p, size: Number(st.size), mtimeNs: st.mtimeNs });
  };
  const walk = (dir: string, real: string) => {
    if (skipReal(real)) {
      skipped.push({ path: dir, reason: 'library' });
      return;
    }
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'IO';
      errors.push({ path: dir, code, message: `cannot read folder ${dir}: ${code}; nothing under it was scanned` });
      return;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full, path.join(real, e.name));
      else if (e.isFile()) {
        try {
          visit(full, fs.statSync(full, { bigint: true }));
        } catch {
          // removed meanwhile: nothing to scan
        }
      } else if (e.isSymbolicLink()) {
        const link = followSymlink(full, skipReal);
        if ('skip' in link) skipped.push(link.skip);
        else visit(full, link.stat);
      }
    }
  };
  for (const d of dirs) {
    const abs = path.resolve(d);
    let st: fs.BigIntStats;
    try {
      st = fs.statSync(abs, { bigint: true });
    } catch (err) {
      throw new TroveError('BAD_INPUT', `cannot scan ${abs}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err, details: { path: abs } });
    }
    roots.push(abs);
    if (st.isDirectory()) walk(abs, realPath(abs));
    else visit(abs, st); // a file named by the user: read, wherever it is
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const unique = files.filter((f, i) => i === 0 || files[i - 1]!.path !== f.path);
  return { roots, files: unique, skipped, errors };
}
