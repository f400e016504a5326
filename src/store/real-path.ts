// Where a path really is: symlinks resolved, so that "is this inside the library?" cannot be fooled by a
// symlinked path to it (or to a parent of it). A path that does not exist yet (an export destination)
// is resolved for its longest existing part, the rest appended.
import fs from 'node:fs';
import path from 'node:path';

export function realPath(p: string): string {
  const abs = path.resolve(p);
  const rest: string[] = [];
  let cur = abs;
  for (;;) {
    try {
      return path.join(fs.realpathSync(cur), ...rest.reverse());
    } catch {
      const parent = path.dirname(cur);
      if (parent === cur) return abs;
      rest.push(path.basename(cur));
      cur = parent;
    }
  }
}

/** Whether `p` is `dir` or inside it (both absolute, already real paths). */
export function isWithin(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}
