import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';

/**
 * Make the entries of `dir` unmovable and undeletable (chattr +i as root, who ignores permissions;
 * mode 0555 otherwise). Returns the undo, or undefined when that is not possible here.
 */
export function lockFolder(dir: string): (() => void) | undefined {
  if (process.getuid?.() === 0) {
    if (spawnSync('chattr', ['+i', dir]).status !== 0) return undefined;
    return () => execFileSync('chattr', ['-i', dir]);
  }
  fs.chmodSync(dir, 0o555);
  return () => fs.chmodSync(dir, 0o755);
}
