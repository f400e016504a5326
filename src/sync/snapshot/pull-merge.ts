// `trove sync pull --resolve merge`: the three-way merge of the local database with the remote head(s).
// Each head is merged in turn (oldest first) against its newest common ancestor with what is already
// merged (for the first: the device's base and the heads of a merge applied here but not pushed yet),
// so every head's changes are in the result and every head becomes a parent of the snapshot pushed
// afterwards: the remote is back to one head. The merged file is built and checked beside (quick_check,
// foreign keys of the rows the merge touched: merge-check.ts) and installed through the single
// replacement path (backup indexed in state.db, atomic rename); the head, which comes from outside,
// gets the full check first. Or, with `apply: false`, the merge is recorded as pending (state.db) so
// that `trove merge --resolve/--apply` or the TUI resolve it clash by clash; its origin (the parents)
// travels with it.
import { tempName } from '../../store/atomic-fs.js';
import { TroveError } from '../../store/errors.js';
import type { Library } from '../../store/library.js';
import { mergeDatabases } from '../merge/merge-databases.js';
import { startMerge, type StartedMerge } from '../merge/merge-session.js';
import { removeDbFiles } from '../merge/merge-apply.js';
import type { Conflict, Side } from '../merge/merge-types.js';
import type { RowAuthors } from '../merge/row-authors.js';
import type { Remote } from '../remote/remote.js';
import type { BackupRecord } from './backups.js';
import { mergeBaseOf, type History } from './history.js';
import { installMergedFile } from './install.js';
import type { SnapshotManifest } from './manifest.js';
import { downloadSnapshotDb, emptyCatalogueDb, type TempDatabase } from './snapshot-file.js';
import { getBase, getMergedParents } from './sync-state.js';

export interface MergeStep {
  head: SnapshotManifest;
  /** The common ancestor used; null: an empty catalogue (no shared snapshot). */
  base: string | null;
  conflicts: Conflict[];
  changes: number;
}

/** Downloads of this run, by snapshot id (a base may serve several steps). */
class Inputs {
  private readonly files = new Map<string, TempDatabase>();
  constructor(
    private readonly lib: Library,
    private readonly remote: Remote,
    private readonly history: History,
  ) {}
  async get(id: string | null, verify: boolean): Promise<TempDatabase> {
    const key = id ?? '(empty)';
    let f = this.files.get(key);
    if (!f) {
      f = id ? await downloadSnapshotDb(this.remote, this.history.byId.get(id)!, this.lib.paths.tmpDir, { verify }) : await emptyCatalogueDb(this.lib.paths.tmpDir);
      this.files.set(key, f);
    }
    return f;
  }
  async cleanup(): Promise<void> {
    for (const f of this.files.values()) await f.cleanup();
  }
}

/**
 * The snapshots whose content collection.db already holds: the base, and the heads of a merge applied
 * here but not pushed yet (`sync.merged-parents`, e.g. after `trove merge --apply` whose push was
 * refused because another head appeared). A follow-up merge takes its common ancestor from these, so it
 * merges only what is new since the head already merged: the conflicts settled then (the user's
 * explicit choices among them) are not raised again, nor flipped back to their default.
 */
export function mergedSnapshots(lib: Library, history: History): string[] {
  const ids = [getBase(lib.state)?.snapshotId, ...(getMergedParents(lib.state) ?? [])];
  return [...new Set(ids.filter((x): x is string => !!x && history.byId.has(x)))];
}

/**
 * Merge every head into collection.db (defaults, or `prefer` for every conflict) and install the
 * result; the base does not move (the caller pushes next). Closes lib.db.
 */
export async function mergeHeadsIntoLocal(
  lib: Library,
  remote: Remote,
  history: History,
  heads: readonly string[],
  opts: { prefer?: Side; expectFingerprint: string | undefined; parents: readonly string[] },
): Promise<{ steps: MergeStep[]; backup: BackupRecord }> {
  const device = lib.device();
  const inputs = new Inputs(lib, remote, history);
  const merged: string[] = [];
  const mine = mergedSnapshots(lib, history);
  const steps: MergeStep[] = [];
  // Who made the rows that earlier steps brought into local (row-authors.ts): a later step that keeps
  // one of them as a losing copy names it after that device, not this one.
  const authors: RowAuthors = new Map();
  let localPath = lib.paths.collectionDb;
  try {
    for (const id of heads) {
      const head = history.byId.get(id)!;
      const baseId = mergeBaseOf(history, id, mine);
      const base = await inputs.get(baseId, false);
      const theirs = await inputs.get(id, true); // verified like a pulled snapshot before its rows are used
      const out = tempName(lib.paths.tmpDir, 'snapshot-merged.db');
      try {
        const r = await mergeDatabases({
          basePath: base.path,
          localPath,
          remotePath: theirs.path,
          localDevice: device.id,
          remoteDevice: head.device.id,
          prefer: opts.prefer,
          localAuthors: authors,
          mergedPath: out,
          tmpDir: lib.paths.tmpDir,
        });
        for (const [k, a] of r.plan.authors ?? []) authors.set(k, a);
        steps.push({ head, base: baseId, conflicts: r.conflicts, changes: Object.values(r.plan.ops).reduce((n, ops) => n + (ops?.length ?? 0), 0) });
      } catch (err) {
        removeDbFiles(out);
        throw err;
      }
      if (localPath !== lib.paths.collectionDb) removeDbFiles(localPath);
      localPath = out;
      mine.push(id);
      merged.push(id);
    }
    lib.db.close();
    const { backup } = await installMergedFile(lib.paths, lib.state, localPath, {
      reason: `pull --resolve merge ${merged.join(', ')}`,
      expectFingerprint: opts.expectFingerprint,
      mergedParents: opts.parents,
    });
    return { steps, backup };
  } catch (err) {
    if (localPath !== lib.paths.collectionDb) removeDbFiles(localPath);
    throw err;
  } finally {
    await inputs.cleanup();
  }
}

/**
 * Record the merge with the (single) head as pending instead of applying it: `trove merge --status /
 * --resolve / --apply` (or the TUI) take over; applying records `parents` for the next push.
 */
export async function startPullMerge(
  lib: Library,
  remote: Remote,
  history: History,
  heads: readonly string[],
  parents: readonly string[],
  opts: { prefer?: Side },
): Promise<StartedMerge & { head: SnapshotManifest; base: string | null }> {
  if (heads.length !== 1) {
    throw new TroveError(
      'NOT_AVAILABLE',
      `the remote has ${heads.length} heads; a merge resolved clash by clash takes one head at a time: run \`trove sync pull --resolve merge\` (defaults, or --prefer local|cloud) to merge them all, or \`--resolve cloud\` / \`--resolve local\``,
    );
  }
  const head = history.byId.get(heads[0]!)!;
  const baseId = mergeBaseOf(history, head.id, mergedSnapshots(lib, history));
  const inputs = new Inputs(lib, remote, history);
  try {
    const base = await inputs.get(baseId, false);
    const theirs = await inputs.get(head.id, true);
    const started = await startMerge(lib.paths, lib.state, {
      basePath: base.path,
      remotePath: theirs.path,
      baseLabel: baseId ? `snapshot ${baseId} (${baseId === getBase(lib.state)?.snapshotId ? 'base' : 'common ancestor'})` : base.label,
      remoteLabel: `snapshot ${head.id} by ${head.device.name} (head)`,
      localDevice: lib.device().id,
      remoteDevice: head.device.id,
      prefer: opts.prefer,
      origin: { parents: [...parents] },
    });
    return { ...started, head, base: baseId };
  } finally {
    await inputs.cleanup();
  }
}
