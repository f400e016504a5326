// An fs remote's root must exist: trove never creates it behind the user's back. A root on a NAS
// that is not mounted would otherwise be created on the local disk under the mount point, uploads
// would land there, and `drop` would then free the only other copies (git-annex's directory
// special remote likewise refuses a missing directory). `trove remote set fs root=… --create` is the
// one place that makes it.
import fs from 'node:fs/promises';
import { TroveError } from '../../store/errors.js';
import { makeDir } from '../../store/make-dir.js';
import { printable } from '../../store/printable.js';

/** Throws REMOTE_UNAVAILABLE when `root` does not exist, REMOTE_CONFIG when it is not a folder. */
export async function checkFsRoot(root: string): Promise<void> {
  let st;
  try {
    st = await fs.stat(root);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new TroveError('REMOTE_UNAVAILABLE', `the fs remote's folder ${printable(root)} does not exist (not mounted?); nothing was read or written there (mount it, or make it with \`trove remote set fs root=… --create\`)`, { details: { root } });
    }
    throw new TroveError('REMOTE_UNAVAILABLE', `the fs remote's folder ${printable(root)} cannot be reached: ${(err as Error).message}`, { cause: err, details: { root } });
  }
  if (!st.isDirectory()) throw new TroveError('REMOTE_CONFIG', `the fs remote's root ${printable(root)} is a file, not a folder`, { details: { root } });
}

/**
 * For `trove remote set fs`: the root must exist, unless `create` asks to make it (mkdir -p).
 * Resolves to whether it was created.
 */
export async function prepareFsRoot(root: string, create: boolean): Promise<boolean> {
  try {
    await checkFsRoot(root);
    return false;
  } catch (err) {
    if (!create || !(err instanceof TroveError) || err.code !== 'REMOTE_UNAVAILABLE' || err.details.root !== root) throw err;
  }
  try {
    await makeDir(root);
  } catch (err) {
    throw new TroveError('REMOTE_CONFIG', `cannot create the fs remote's folder ${printable(root)}: ${(err as Error).message}`, { cause: err });
  }
  return true;
}
