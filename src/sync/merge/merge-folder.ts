// Where a pending merge keeps its input copies (base.db, remote.db, origin.json): `tmp/merge-<id>/`
// inside the library. state.db stores the folder relative to the library, so a moved or copied library
// finds its own copies; rows written by older versions hold an absolute path, accepted only when it is
// inside this library. A folder outside the library is never read, written or deleted: a library moved
// or copied with such a row uses its own `tmp/merge-<id>/` when the copies are there, and otherwise the
// pending merge is lost (apply refuses and says so; discard forgets the row and deletes nothing).
import fs from 'node:fs';
import path from 'node:path';
import type { LibraryPaths } from '../../store/library.js';

/** The value stored in pending_merge.dir for a new merge: relative to the library folder. */
export function storedMergeDir(id: string): string {
  return `tmp/merge-${id}`;
}

export type MergeFolder =
  /** `dir`: the folder inside this library's tmp/, holding both input copies. */
  | { ok: true; dir: string }
  /** `dir`: a folder inside this library's tmp/ to clean up, if any; `reason`: for the user. */
  | { ok: false; dir: string | undefined; reason: string };

function inside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function hasInputs(dir: string): boolean {
  return ['base.db', 'remote.db'].every((f) => fs.statSync(path.join(dir, f), { throwIfNoEntry: false })?.isFile() === true);
}

/** Resolve a pending merge's folder (as stored in state.db) within `paths`; pure apart from stat calls. */
export function resolveMergeFolder(paths: LibraryPaths, m: { id: string; dir: string }): MergeFolder {
  // The folder that merge's own library made for it (ids are uuidv7: no separators, nothing to escape).
  const own = /^[0-9A-Za-z-]+$/.test(m.id) ? path.join(paths.tmpDir, `merge-${m.id}`) : undefined;
  const stored = path.resolve(paths.dir, m.dir);
  let dir: string | undefined;
  let why = '';
  if (inside(paths.tmpDir, stored)) dir = stored;
  else if (own) {
    // An older row's absolute path into the library's previous location (moved) or into the original
    // (this library is a copy): the copies that moved or were copied along are this library's own.
    dir = own;
    why = ` (recorded in ${m.dir}, outside this library: was the library moved or copied?)`;
  } else return { ok: false, dir: undefined, reason: `its folder ${m.dir} is outside this library ${paths.dir}` };
  if (!hasInputs(dir)) {
    return { ok: false, dir, reason: `its input copies (base.db, remote.db) are missing from ${dir}${why}` };
  }
  return { ok: true, dir };
}
