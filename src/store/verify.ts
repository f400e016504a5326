// `trove verify`: re-hash every blob in the local store, then make this device's record (local_blob)
// agree with what is really there, as git-annex fsck does. Every problem names the sha1 and the path.
// - A blob that fails its check is moved out of the store into <library>/bad/<type>/ (never deleted:
//   nothing is lost, the bytes stay for whoever wants to look) and its row removed, so the content
//   counts as not here: `download` fetches it again, `add` of the original stores it again.
// - A row whose blob is missing is removed.
// - A good blob no row records (drop or add interrupted between their steps, a row removed by hand)
//   is adopted when the catalogue has that content under that type; otherwise it is reported as
//   unused and left where it is.
// Which of these applies is decided by planBlobActions (pure); verifyStore does the I/O.
// Verify holds the library lock shared only (it runs for minutes), so a drop or a download may change
// the store meanwhile. Every action is re-checked against the present first — the blob's file (its
// inode, size and mtime when it was hashed) and its row — and anything that changed is left alone and
// reported as such: a blob a drop freed on purpose is not "bad", and is not worth an exit 4.
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Library, LibraryPaths } from './library.js';
import { SHA1_RE } from './ids.js';
import { fsyncDir } from './atomic-fs.js';
import { isFileType, type FileType } from './blob/blob-key.js';
import { verifyBlobFile } from './blob/blob-reader.js';
import { markLocal, unmarkLocal } from './repo/files.js';
import pLimit from './limit.js';

export interface VerifyProblem {
  sha1: string;
  type: string;
  path: string;
  problem: string;
  /**
   * What verify did about it. `quarantined`: the blob was moved to `movedTo`; `forgotten`: its blob
   * is missing and the row is gone; `not-moved`: moving it failed (`error`); the row is gone all the
   * same (the bytes there are not the content) and the next verify tries again.
   */
  action: 'quarantined' | 'forgotten' | 'not-moved';
  movedTo?: string;
  error?: string;
}

export interface UnrecordedBlob {
  sha1: string;
  type: string;
  path: string;
  storedBytes: number;
}

export interface VerifyReport {
  checked: number;
  bytes: number;
  bad: VerifyProblem[];
  /** Good blobs on disk that no row recorded, whose content the catalogue has under that type: recorded now. */
  adopted: UnrecordedBlob[];
  /** Good blobs on disk that no row records and nothing can use as they are: left in place. */
  unused: (UnrecordedBlob & { reason: string })[];
  /** Where bad blobs are moved: <library>/bad. */
  quarantineDir: string;
  /**
   * Blobs or rows that another trove process changed while verify ran (a drop freed them, a download
   * renamed them into place): not judged, nothing done to them; the next verify looks again.
   */
  changedMeanwhile: { sha1: string; type: string; path: string }[];
}

/** Where verify moves blobs that failed their check. */
export function quarantineDir(paths: LibraryPaths): string {
  return path.join(paths.dir, 'bad');
}

interface DiskBlob {
  sha1: string;
  type: FileType;
  path: string;
}

async function listBlobs(storeDir: string): Promise<DiskBlob[]> {
  const out: DiskBlob[] = [];
  for (const type of await fs.readdir(storeDir).catch(() => [] as string[])) {
    if (!isFileType(type)) continue;
    for (const prefix of await fs.readdir(path.join(storeDir, type)).catch(() => [] as string[])) {
      for (const name of await fs.readdir(path.join(storeDir, type, prefix)).catch(() => [] as string[])) {
        const sha1 = name.replace(/\.zst$/, '');
        if (name.endsWith('.zst') && SHA1_RE.test(sha1)) out.push({ sha1, type, path: path.join(storeDir, type, prefix, name) });
      }
    }
  }
  return out.sort((a, b) => (a.sha1 < b.sha1 ? -1 : a.sha1 > b.sha1 ? 1 : a.type < b.type ? -1 : 1));
}

export interface CheckedBlob {
  sha1: string;
  type: string;
  /** undefined: it verified; else why not. */
  problem?: string;
}

export type BlobAction =
  | { kind: 'quarantine'; sha1: string; type: string; problem: string; forgetRow: boolean }
  | { kind: 'forget'; sha1: string; type: string }
  | { kind: 'adopt'; sha1: string; type: string }
  | { kind: 'unused'; sha1: string; type: string; reason: string };

/**
 * What to do, from what is on disk (checked), what local_blob records (sha1 → type) and the
 * catalogue's file types (sha1 → type). Blobs that verified and are recorded need nothing.
 */
export function planBlobActions(checked: CheckedBlob[], rows: Map<string, string>, fileTypes: Map<string, string>): BlobAction[] {
  const actions: BlobAction[] = [];
  const onDisk = new Set(checked.map((b) => `${b.type}/${b.sha1}`));
  for (const b of checked) {
    const recorded = rows.get(b.sha1) === b.type;
    if (b.problem !== undefined) {
      actions.push({ kind: 'quarantine', sha1: b.sha1, type: b.type, problem: b.problem, forgetRow: recorded });
      continue;
    }
    if (recorded) continue;
    const rowType = rows.get(b.sha1);
    const fileType = fileTypes.get(b.sha1);
    if (rowType !== undefined) actions.push({ kind: 'unused', sha1: b.sha1, type: b.type, reason: `this device records the content under ${rowType}/, not ${b.type}/` });
    else if (fileType === undefined) actions.push({ kind: 'unused', sha1: b.sha1, type: b.type, reason: 'no file in the catalogue has this content' });
    else if (fileType !== b.type) actions.push({ kind: 'unused', sha1: b.sha1, type: b.type, reason: `the catalogue stores this content as ${fileType}, not ${b.type}` });
    else actions.push({ kind: 'adopt', sha1: b.sha1, type: b.type });
  }
  for (const [sha1, type] of rows) if (!onDisk.has(`${type}/${sha1}`)) actions.push({ kind: 'forget', sha1, type });
  return actions.sort((a, b) => (a.sha1 < b.sha1 ? -1 : a.sha1 > b.sha1 ? 1 : 0));
}

/** Move a bad blob into the quarantine folder under a name that takes nothing's place. */
async function quarantine(paths: LibraryPaths, blob: { sha1: string; type: string; path: string }): Promise<string> {
  const dir = path.join(quarantineDir(paths), blob.type);
  await fs.mkdir(dir, { recursive: true });
  let dest = path.join(dir, `${blob.sha1}.zst`);
  for (let n = 2; fsSync.existsSync(dest); n++) dest = path.join(dir, `${blob.sha1}.${n}.zst`);
  try {
    await fs.rename(blob.path, dest);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    // store/ on another file system than the library (a mount): copy, make it durable, then delete.
    const tmp = `${dest}.partial`;
    try {
      await fs.copyFile(blob.path, tmp, fsSync.constants.COPYFILE_EXCL);
      const h = await fs.open(tmp, 'r+');
      try {
        await h.sync();
      } finally {
        await h.close();
      }
      await fs.rename(tmp, dest);
      await fsyncDir(dir); // the copy is durable before the original goes
    } catch (copyErr) {
      await fs.rm(tmp, { force: true });
      throw copyErr;
    }
    try {
      await fs.unlink(blob.path);
    } catch (unlinkErr) {
      await fs.rm(dest, { force: true }); // the original stays where it was: one copy, not two
      throw unlinkErr;
    }
  }
  await fsyncDir(dir);
  await fsyncDir(path.dirname(blob.path));
  return dest;
}

/** Which file is at `p` now (inode, size, mtime), or undefined when there is none. */
function identity(p: string): string | undefined {
  const st = fsSync.statSync(p, { throwIfNoEntry: false, bigint: true });
  return st ? `${st.ino}:${st.size}:${st.mtimeNs}` : undefined;
}

export async function verifyStore(lib: Library, onProgress?: (done: number, total: number) => void): Promise<VerifyReport> {
  const blobs = await listBlobs(lib.paths.storeDir);
  const files = lib.db.prepare('SELECT sha1, size, type FROM file').all() as { sha1: string; size: number; type: string }[];
  const sizes = new Map(files.map((r) => [r.sha1, r.size]));
  const fileTypes = new Map(files.map((r) => [r.sha1, r.type]));
  const rowList = lib.state.prepare('SELECT sha1, type, size FROM local_blob').all() as { sha1: string; type: string; size: number }[];
  const rows = new Map(rowList.map((r) => [r.sha1, r.type]));
  const rowSizes = new Map(rowList.map((r) => [r.sha1, r.size]));
  const checked: CheckedBlob[] = [];
  const statAtCheck = new Map<string, string | undefined>();
  let bytes = 0;
  let done = 0;
  const limit = pLimit(2);
  await Promise.all(
    blobs.map((b) =>
      limit(async () => {
        statAtCheck.set(b.path, identity(b.path));
        try {
          // Read `bytes` only after the await: `bytes += await …` would add to the value from before
          // it, losing what the other verification added meanwhile.
          const n = await verifyBlobFile(b.path, { sha1: b.sha1, size: sizes.get(b.sha1) ?? rowSizes.get(b.sha1) }, `blob ${b.sha1}`);
          bytes += n;
          checked.push({ sha1: b.sha1, type: b.type });
        } catch (err) {
          checked.push({ sha1: b.sha1, type: b.type, problem: (err as Error).message });
        }
        onProgress?.(++done, blobs.length);
      }),
    ),
  );
  const report: VerifyReport = { checked: blobs.length, bytes, bad: [], adopted: [], unused: [], quarantineDir: quarantineDir(lib.paths), changedMeanwhile: [] };
  const pathOf = new Map(blobs.map((b) => [`${b.type}/${b.sha1}`, b.path]));
  const rowNow = (sha1: string) => (lib.state.prepare('SELECT type FROM local_blob WHERE sha1 = ?').get(sha1) as { type: string } | undefined)?.type;
  for (const a of planBlobActions(checked, rows, fileTypes)) {
    const p = pathOf.get(`${a.type}/${a.sha1}`) ?? path.join(lib.paths.storeDir, a.type, a.sha1.slice(0, 2), `${a.sha1}.zst`);
    // The present, against what the plan was made from: the file as hashed, the row as read.
    const fileChanged = a.kind === 'forget' ? fsSync.existsSync(p) : identity(p) !== statAtCheck.get(p) || statAtCheck.get(p) === undefined;
    const rowChanged = rowNow(a.sha1) !== rows.get(a.sha1);
    if (fileChanged || rowChanged) {
      report.changedMeanwhile.push({ sha1: a.sha1, type: a.type, path: p });
      continue;
    }
    if (a.kind === 'quarantine') {
      const problem: VerifyProblem = { sha1: a.sha1, type: a.type, path: p, problem: a.problem, action: 'quarantined' };
      try {
        problem.movedTo = await quarantine(lib.paths, { sha1: a.sha1, type: a.type, path: p });
      } catch (err) {
        problem.action = 'not-moved';
        problem.error = `cannot move it to ${report.quarantineDir}: ${(err as Error).message}`;
      }
      // The row goes even if the move failed: what is at the path is not the content.
      if (a.forgetRow) unmarkLocal(lib.state, 'main', a.sha1);
      report.bad.push(problem);
    } else if (a.kind === 'forget') {
      unmarkLocal(lib.state, 'main', a.sha1);
      report.bad.push({ sha1: a.sha1, type: a.type, path: p, problem: 'missing from the store', action: 'forgotten' });
    } else {
      const storedBytes = fsSync.statSync(p, { throwIfNoEntry: false })?.size ?? 0;
      if (a.kind === 'adopt') {
        markLocal(lib.state, 'main', { sha1: a.sha1, type: a.type as FileType, size: sizes.get(a.sha1)!, storedBytes });
        report.adopted.push({ sha1: a.sha1, type: a.type, path: p, storedBytes });
      } else report.unused.push({ sha1: a.sha1, type: a.type, path: p, storedBytes, reason: a.reason });
    }
  }
  return report;
}
