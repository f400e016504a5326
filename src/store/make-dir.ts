// Create a folder and its missing parents, failing with the real reason. Node's recursive mkdir
// reports ENOENT for the folder it could not create whatever the cause (a read-only file system
// shows as "ENOENT: no such file or directory, mkdir …"): on ENOENT, create the missing folders one
// level at a time, so that the call that fails reports its own errno (EROFS, EACCES, ENOTDIR, …).
import fs from 'node:fs/promises';
import path from 'node:path';

/** mkdir -p: resolves to the first folder created (undefined when all existed), like fs.mkdir. */
export async function makeDir(dir: string): Promise<string | undefined> {
  try {
    return await fs.mkdir(dir, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return makeDirStepwise(path.resolve(dir), err);
  }
}

async function makeDirStepwise(dir: string, original: unknown): Promise<string | undefined> {
  const missing: string[] = [];
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      await fs.stat(d);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      if (path.dirname(d) === d) throw original;
      missing.unshift(d);
    }
  }
  let first: string | undefined;
  for (const d of missing) {
    try {
      await fs.mkdir(d);
      first ??= d;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return first;
}
