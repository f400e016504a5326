// Temp files left by a process that died. Every temp name carries the pid of the process writing it
// (atomic-fs.ts tempName: `.<hint>.<pid>.<12 hex>.tmp`, ingest-small.ts adds a counter, plus SQLite's -wal/-shm/-journal beside a temp
// database). A process killed mid-write (SIGKILL, power loss) leaves its temps behind — an interrupted
// `add` of a 4 GiB disc image leaves gigabytes — and nothing else would ever remove them. Opening the
// library removes those whose process is gone; a temp of a live process (another trove working on
// this library right now) is never touched.
import fs from 'node:fs';
import path from 'node:path';

// `.<hint>.<pid>.<12 hex>[.<counter>].tmp`: the small-file ingest path numbers its temps (ingest-small.ts).
const TEMP = /^\..+\.(\d+)\.[0-9a-f]+(?:\.[0-9a-z]+)?\.tmp(?:-wal|-shm|-journal)?$/;

/** Whether a process with this pid runs (EPERM: it runs, as another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid a temp name carries, or undefined for names that are not our temps. */
export function tempOwner(name: string): number | undefined {
  const m = TEMP.exec(name);
  return m ? Number(m[1]) : undefined;
}

/**
 * Remove the temps in `dir` (not below it) whose writing process no longer runs; returns their names.
 * `mayRemove` narrows it further (a folder that is not trove's own: export's destination).
 */
export function removeStaleTempsIn(dir: string, alive: (pid: number) => boolean = isProcessAlive, mayRemove: (name: string, file: string) => boolean = () => true): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = tempOwner(name);
    if (pid === undefined || pid === process.pid || alive(pid) || !mayRemove(name, path.join(dir, name))) continue;
    try {
      fs.rmSync(path.join(dir, name), { force: true });
      removed.push(name);
    } catch {
      // A folder by that name, or a permission problem: leave it; it is not in anyone's way.
    }
  }
  return removed;
}
