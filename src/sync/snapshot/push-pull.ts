// `trove sync push` and `trove sync pull`: load the history, detect local changes, plan (pure), then
// carry the plan out. Every outcome, refusals included, goes to database_sync_log.
import { TroveError } from '../../store/errors.js';
import type { Library } from '../../store/library.js';
import type { Remote } from '../remote/remote.js';
import { installSnapshot } from './install.js';
import { detectLocalChangesIn } from './local-changes.js';
import { claimDeviceId, writeOwnBaseMarker, type DeviceIdChange } from './device-claim.js';
import type { History } from './history.js';
import { loadHistory } from './manifest-store.js';
import type { SnapshotManifest } from './manifest.js';
import { publishJoin, publishLocal } from './publish.js';
import { recoverPendingReplace } from './replace-db.js';
import { getBase, getMergedParents, logSync, setBaseSnapshotId } from './sync-state.js';
import type { Side } from '../merge/merge-types.js';
import type { StartedMerge } from '../merge/merge-session.js';
import { mergeHeadsIntoLocal, startPullMerge, type MergeStep } from './pull-merge.js';
import { baseLost, planPull, planPush, type PullPlan, type PushPlan, type Resolution } from './sync-plan.js';
import { onlyUploadRecordsChanged } from './bookkeeping-only.js';

export interface PushResult {
  plan: PushPlan;
  snapshot?: SnapshotManifest;
  uploadedBytes: number;
  heads: string[];
  /** Another library wrote under this library's device id, so this one took a new id first. */
  deviceIdChange?: DeviceIdChange;
}

/** Before a push or pull: take a new device id if another library writes under this one's; say so. */
async function claimDeviceIdFor(lib: Library, remote: Remote, history: History, direction: 'push' | 'pull', baseBefore: string | null, onNotice?: (message: string) => void): Promise<DeviceIdChange | undefined> {
  const change = await claimDeviceId(lib, remote, history, baseBefore);
  if (!change) return undefined;
  const message = change.message;
  logSync(lib.state, { direction, snapshotId: null, baseBefore, baseAfter: baseBefore, heads: history.heads.map((h) => h.id), conflict: false, resolution: null, outcome: 'ok', message });
  onNotice?.(message);
  return change;
}

export async function syncPush(lib: Library, remote: Remote, opts: { force?: boolean; onNotice?: (message: string) => void } = {}): Promise<PushResult> {
  await recoverPendingReplace(lib.paths, lib.state);
  const history = await loadHistory(remote, lib.state);
  const local = await detectLocalChangesIn(lib, history);
  const baseBefore = getBase(lib.state)?.snapshotId ?? null;
  const deviceIdChange = await claimDeviceIdFor(lib, remote, history, 'push', baseBefore, opts.onNotice);
  const heads = history.heads.map((h) => h.id);
  const mergedParents = getMergedParents(lib.state);
  const plan = planPush({ history, base: baseBefore, localChanges: local.changed, mergedParents, localFingerprint: local.fingerprint }, opts);
  const entry = { direction: 'push' as const, baseBefore, heads, conflict: heads.length > 1, resolution: opts.force ? 'force' : mergedParents ? 'merge' : null };
  if (plan.kind === 'refuse') {
    logSync(lib.state, { ...entry, snapshotId: null, baseAfter: baseBefore, conflict: true, outcome: 'refused', message: plan.reason });
    throw new TroveError('CONFLICT', `push refused: ${plan.reason}; ${plan.hint}`, { details: { heads, base: baseBefore } });
  }
  if (plan.kind === 'up-to-date') {
    logSync(lib.state, { ...entry, snapshotId: null, baseAfter: baseBefore, outcome: 'up-to-date', message: plan.reason });
    return { plan, uploadedBytes: 0, heads, deviceIdChange };
  }
  try {
    const { manifest, uploadedBytes } = await publishLocal(lib, remote, plan.parents);
    logSync(lib.state, { ...entry, snapshotId: manifest.id, baseAfter: manifest.id, conflict: plan.newHead, outcome: 'ok', message: plan.reason });
    return { plan, snapshot: manifest, uploadedBytes, heads: [...heads.filter((h) => !plan.parents.includes(h)), manifest.id], deviceIdChange };
  } catch (err) {
    logSync(lib.state, { ...entry, snapshotId: null, baseAfter: baseBefore, outcome: 'failed', message: (err as Error).message });
    throw err;
  }
}

export interface PullResult {
  plan: PullPlan;
  /** The snapshot now installed or pushed (for keep-local), if anything changed. */
  snapshot?: SnapshotManifest;
  backupId?: string;
  heads: string[];
  /** --resolve merge: each head merged, with its conflicts and their resolutions. */
  merged?: MergeStep[];
  /** --resolve merge with apply: false: the pending merge recorded for `trove merge`. */
  pendingMerge?: StartedMerge & { head: SnapshotManifest; base: string | null };
  /** Another library wrote under this library's device id, so this one took a new id first. */
  deviceIdChange?: DeviceIdChange;
}

export interface PullOptions {
  resolve?: Resolution;
  head?: string;
  /** --resolve merge: send every conflict to this side instead of its default. */
  prefer?: Side;
  /** --resolve merge: false records a pending merge to resolve clash by clash (default true). */
  apply?: boolean;
  /** Told when this library had to take a new device id (see device-claim.ts) before pulling. */
  onNotice?: (message: string) => void;
}

export async function syncPull(lib: Library, remote: Remote, opts: PullOptions = {}): Promise<PullResult> {
  await recoverPendingReplace(lib.paths, lib.state);
  const history = await loadHistory(remote, lib.state);
  const local = await detectLocalChangesIn(lib, history);
  const baseBefore = getBase(lib.state)?.snapshotId ?? null;
  const deviceIdChange = await claimDeviceIdFor(lib, remote, history, 'pull', baseBefore, opts.onNotice);
  const heads = history.heads.map((h) => h.id);
  const input = { history, base: baseBefore, localChanges: local.changed, mergedParents: getMergedParents(lib.state), localFingerprint: local.fingerprint };
  let plan = planPull(input, opts);
  // Only upload records changed here (bookkeeping-only.ts): merge the one newer head in, no question to ask.
  if (plan.kind === 'conflict' && !opts.resolve && heads.length === 1 && local.changed && !baseLost(input) && (await onlyUploadRecordsChanged(lib, remote, history, baseBefore))) {
    const merge = planPull(input, { resolve: 'merge' });
    if (merge.kind === 'merge') plan = { ...merge, reason: `only upload records changed here since ${baseBefore!.slice(0, 13)} (file_sync_log), so the newer head ${heads[0]!.slice(0, 13)} was merged in` };
  }
  const entry = { direction: 'pull' as const, baseBefore, heads, conflict: plan.kind !== 'up-to-date' && plan.kind !== 'fast-forward', resolution: opts.resolve ?? null };
  const log = (outcome: 'ok' | 'up-to-date' | 'refused' | 'failed', message: string, snapshotId: string | null, baseAfter: string | null) =>
    logSync(lib.state, { ...entry, snapshotId, baseAfter, outcome, message });
  switch (plan.kind) {
    case 'up-to-date':
      log('up-to-date', plan.reason, null, baseBefore);
      return { plan, heads, deviceIdChange };
    case 'conflict':
      log('refused', plan.reason, null, baseBefore);
      throw new TroveError('CONFLICT', `conflict: ${plan.reason}; ${plan.hint}`, { details: { heads, base: baseBefore } });
  }
  try {
    // Like git refusing a pull while MERGE_HEAD exists: whatever this pull would do (another merge,
    // taking the cloud, keeping local), the pending merge was planned against the database it replaces.
    if (lib.state.prepare('SELECT 1 FROM pending_merge').get()) {
      throw new TroveError('CONFLICT', 'a merge is already pending: finish it with `trove merge --apply` or drop it with `trove merge --discard`, then pull again');
    }
    if (plan.kind === 'merge') {
      if (opts.apply === false) {
        const pending = await startPullMerge(lib, remote, history, plan.heads, plan.parents, { prefer: opts.prefer });
        log('ok', `${plan.reason}: merge ${pending.id} pending with ${pending.conflicts.length} conflict(s)`, null, baseBefore);
        return { plan, heads, pendingMerge: pending, deviceIdChange };
      }
      const { steps, backup } = await mergeHeadsIntoLocal(lib, remote, history, plan.heads, {
        prefer: opts.prefer,
        expectFingerprint: local.method === 'busy' ? undefined : local.fingerprint,
        // Recorded with the replacement: if the push fails or the process dies, `trove sync push` names them.
        parents: plan.parents,
      });
      const { manifest } = await publishLocal(lib, remote, plan.parents);
      const conflicts = steps.reduce((n, st) => n + st.conflicts.length, 0);
      log('ok', `${plan.reason}: ${conflicts} conflict(s) resolved, pushed with parents ${plan.parents.join(', ')}`, manifest.id, manifest.id);
      return { plan, snapshot: manifest, backupId: backup.id, heads: [manifest.id], merged: steps, deviceIdChange };
    }
    if (plan.kind === 'keep-local') {
      const { manifest } = await publishLocal(lib, remote, plan.parents);
      log('ok', plan.reason, manifest.id, manifest.id);
      return { plan, snapshot: manifest, heads: [manifest.id], deviceIdChange };
    }
    const target = history.byId.get(plan.target)!;
    const { backup } = await installSnapshot(lib, remote, target, {
      keepBase: false,
      reason: plan.kind === 'fast-forward' ? `pull ${target.id}` : `pull --resolve cloud ${target.id}`,
      expectFingerprint: local.method === 'busy' ? undefined : local.fingerprint,
    });
    let installed = target;
    if (plan.kind === 'take-cloud' && plan.join.length > 1) {
      installed = await publishJoin(lib, remote, target, plan.join);
      setBaseSnapshotId(lib.state, installed.id);
    } else {
      await writeOwnBaseMarker(lib, remote, installed.id);
    }
    log('ok', plan.reason, installed.id, installed.id);
    return { plan, snapshot: installed, backupId: backup.id, heads: plan.kind === 'take-cloud' && plan.join.length > 1 ? [installed.id] : heads, deviceIdChange };
  } catch (err) {
    log('failed', (err as Error).message, null, getBase(lib.state)?.snapshotId ?? null);
    throw err;
  }
}
