// `trove export`: write a release's or file set's files under their archive names into a folder.
// Every name is checked before anything is written; every file is decompressed to a temp file beside
// its destination and verified; only when all verified are they renamed into place (all or nothing).
import fs from 'node:fs/promises';
import path from 'node:path';
import { TroveError } from './errors.js';
import { safeJoin } from './archive-name.js';
import { commitTemp, tempName, writeAll } from './atomic-fs.js';
import type { Library } from './library.js';
import { blobPath } from './blob/blob-key.js';
import { readBlobFile } from './blob/blob-reader.js';
import { listFiles, listFileSets, type FileEntry } from './repo/catalog-queries.js';
import type { Target } from './repo/resolve.js';

export interface ExportedFile {
  name: string;
  sha1: string;
  size: number;
  path: string;
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
  return plan;
}

export async function exportTarget(lib: Library, target: Target, destDir: string): Promise<ExportedFile[]> {
  const filter = target.kind === 'release' ? { releaseId: target.id } : { fileSetId: target.id };
  const files = listFiles(lib.db, filter);
  if (!files.length) throw new TroveError('NOT_FOUND', `${target.label} has no files to export`);
  const multi = target.kind === 'release' && listFileSets(lib.db, { releaseId: target.id }).length > 1;
  const plan = planExport(files, destDir, multi);
  const notLocal = files.filter((f) => f.availability !== 'LocalOnly' && f.availability !== 'Synchronized');
  if (notLocal.length) {
    throw new TroveError(
      'NOT_AVAILABLE',
      `${notLocal.length} file(s) of ${target.label} are not in the local store (${notLocal.slice(0, 5).map((f) => `${f.name} ${f.sha1}`).join('; ')}); download them first`,
      { details: { sha1s: notLocal.map((f) => f.sha1) } },
    );
  }
  const temps: { temp: string; dest: string }[] = [];
  try {
    for (const { file, dest } of plan) {
      await fs.mkdir(path.dirname(dest), { recursive: true });
      const temp = tempName(path.dirname(dest), 'export');
      temps.push({ temp, dest });
      const h = await fs.open(temp, 'wx', 0o644);
      try {
        for await (const chunk of readBlobFile(blobPath(lib.paths.storeDir, file.type, file.sha1), file, `${file.name} (${file.sha1})`)) {
          await writeAll(h, chunk);
        }
        await h.sync();
      } finally {
        await h.close();
      }
    }
    for (const t of temps) await commitTemp(t.temp, t.dest);
  } catch (err) {
    await Promise.all(temps.map((t) => fs.rm(t.temp, { force: true })));
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new TroveError('NOT_AVAILABLE', `a blob of ${target.label} is missing from the store: ${(err as Error).message} (run \`trove verify\`)`, { cause: err });
    }
    throw err;
  }
  return plan.map(({ file, dest }) => ({ name: file.name, sha1: file.sha1, size: file.size, path: dest }));
}
