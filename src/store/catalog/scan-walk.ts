// Find the files a scan looks at: every regular file under the given folders (recursively, symlinked
// files followed, symlinked folders not — no loops), sorted, with size and nanosecond mtime.
import fs from 'node:fs';
import path from 'node:path';
import { TroveError } from '../errors.js';

export interface FoundFile {
  path: string;
  size: number;
  mtimeNs: bigint;
}

export function walkScanDirs(dirs: string[], skipUnder: string[] = []): { roots: string[]; files: FoundFile[] } {
  const files: FoundFile[] = [];
  const skip = skipUnder.map((d) => path.resolve(d));
  const roots: string[] = [];
  const visit = (p: string, st: fs.BigIntStats) => {
    if (st.isFile()) files.push({ path: p, size: Number(st.size), mtimeNs: st.mtimeNs });
  };
  const walk = (dir: string) => {
    if (skip.some((s) => dir === s || dir.startsWith(s + path.sep))) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      throw new TroveError('BAD_INPUT', `cannot read folder ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err, details: { path: dir } });
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile() || e.isSymbolicLink()) {
        try {
          visit(full, fs.statSync(full, { bigint: true }));
        } catch {
          // a dangling symlink or a file removed meanwhile: nothing to scan
        }
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
    if (st.isDirectory()) walk(abs);
    else visit(abs, st);
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const unique = files.filter((f, i) => i === 0 || files[i - 1]!.path !== f.path);
  return { roots, files: unique };
}
