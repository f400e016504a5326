// `trove prune-blobs`: delete remote blobs nothing references any more. Gather (list the type folders,
// read the catalogue's and the retained snapshots' references and the log), plan (gc-plan.ts, pure),
// then — unless a dry run — apply: settle deletions an earlier run left unfinished, mark every victim
// DeletionPending in one transaction, re-read the snapshot references (a snapshot pushed since the
// plan may reference a victim now: its deletion is called off), then delete one object at a time
// (s3rver's batch delete fails), each DeletionInProgress → DeletionCompleted | DeletionFailed.
// Crash safety: on start DeletionInProgress goes back to DeletionPending; a pending row whose object
// is gone from the listing is completed without another request; deleting an absent key succeeds.
// Staging files older than the grace period (fs remotes: `.trove-tmp/`, left by killed uploads or by
// uploads whose local blob failed its check) are deleted too; they have no log rows.
import PQueue from 'p-queue';
import { FILE_SET_TYPES } from '../../store/blob/blob-key.js';
import { TroveError, withContext } from '../../store/errors.js';
import type { Library } from '../../store/library.js';
import { isReferencedFile, referencedFiles } from '../../store/repo/files.js';
import type { Remote } from '../remote/remote.js';
import { blobsReferencedBySnapshots } from '../snapshot/blob-references.js';
import { crashPoint } from '../snapshot/crash-point.js';
import { DEFAULT_GRACE_MS, parseBlobKey, planGc, type GcInputs, type GcItem, type GcPlan, type ListedObject, type StagingFile } from './gc-plan.js';
import { decide } from './retry-policy.js';
import { withRunnerLock } from '../../store/runner-lock.js';
import { logError, logNote } from './log-error.js';
import { applyEvent, getSyncEntry, markForDeletion, recoverDeletions, syncStatesBySha1 } from './sync-log.js';
import { DEFAULT_CONCURRENCY, sleepMs, type ItemFailure, type TransferOptions } from './transfer-options.js';
import { WriteBatch } from './write-batch.js';
import pLimit from '../../store/limit.js';

export interface GcOptions extends TransferOptions {
  dryRun?: boolean;
  /** Keep unreferenced blobs written less than this long ago. @default DEFAULT_GRACE_MS (24 h) */
  graceMs?: number;
  /** Also delete blobs the sync log has no row for. */
  includeUnknown?: boolean;
  now?: () => number;
}

export interface GcReport {
  dryRun: boolean;
  graceMs: number;
  plan: GcPlan;
  deleted: GcItem[];
  bytesFreed: number;
  /** Planned deletions called off because the catalogue or a new snapshot references the blob now. */
  calledOff: (GcItem & { reason: string })[];
  failed: ItemFailure[];
  /** Staging files deleted (older than the grace period), their bytes, and those that could not be. */
  stagingDeleted: StagingFile[];
  stagingBytesFreed: number;
  stagingFailed: { key: string; code: string; message: string }[];
  stoppedBy?: { code: string; message: string };
}

const STAT_CONCURRENCY = 8;

/** The remote's staging files with their modification times (few: one stat each). */
async function listStaging(remote: Remote): Promise<StagingFile[]> {
  const prefix = remote.features.stagingPrefix;
  if (!prefix) return [];
  const limit = pLimit(STAT_CONCURRENCY);
  const listed = await remote.list(prefix);
  const out = await Promise.all(
    listed.map((e) =>
      limit(async (): Promise<StagingFile | undefined> => {
        const st = await remote.stat(e.key);
        return st ? { key: e.key, size: st.size, modifiedAt: st.lastModified ?? null } : undefined; // renamed into place meanwhile
      }),
    ),
  );
  return out.filter((f): f is StagingFile => f !== undefined);
}

async function listBlobs(remote: Remote): Promise<ListedObject[]> {
  const out: ListedObject[] = [];
  for (const type of FILE_SET_TYPES) out.push(...(await remote.list(`${type}/`)));
  return out;
}

async function snapshotSha1s(remote: Remote, lib: Library): Promise<Set<string>> {
  const out = new Set<string>();
  for (const key of await blobsReferencedBySnapshots(remote, lib.state)) {
    const b = parseBlobKey(key);
    if (b) out.add(b.sha1);
  }
  return out;
}

/** Gather and plan. Modification times are fetched (one stat each) only for blobs nothing references. */
export async function planRemoteGc(lib: Library, remote: Remote, opts: GcOptions = {}): Promise<GcPlan> {
  const listing = await listBlobs(remote);
  const inputs: GcInputs = {
    listing,
    catalogue: new Set(referencedFiles(lib.db).map((r) => r[1])),
    snapshots: await snapshotSha1s(remote, lib),
    log: syncStatesBySha1(lib.db),
    now: (opts.now ?? Date.now)(),
    graceMs: opts.graceMs ?? DEFAULT_GRACE_MS,
    includeUnknown: opts.includeUnknown,
    staging: await listStaging(remote),
  };
  const first = planGc(inputs);
  const ageUnknown = first.keep.filter((k) => k.reason === 'age unknown');
  if (!ageUnknown.length) return first;
  const limit = pLimit(STAT_CONCURRENCY);
  const modified = new Map<string, string | null>();
  await Promise.all(ageUnknown.map((k) => limit(async () => modified.set(k.key, (await remote.stat(k.key))?.lastModified ?? null))));
  return planGc({ ...inputs, listing: listing.map((o) => (modified.has(o.key) ? { ...o, modifiedAt: modified.get(o.key) } : o)) });
}

/** The row's object is gone: walk an unfinished deletion to DeletionCompleted. */
function completeGone(lib: Library, sha1: string): void {
  const state = getSyncEntry(lib.db, sha1)?.state;
  if (state === 'DeletionFailed') applyEvent(lib.db, sha1, 'requeue');
  applyEvent(lib.db, sha1, 'start');
  applyEvent(lib.db, sha1, 'succeed');
}

const UNFINISHED = new Set(['DeletionPending', 'DeletionFailed']);

function settle(lib: Library, plan: GcPlan): void {
  lib.db.transaction(() => {
    for (const s of plan.settle) {
      // Another process may have moved the row since the plan (queue.lock keeps `trove upload`
      // out, not every writer of the log): no unfinished deletion any more, nothing to settle.
      if (!UNFINISHED.has(getSyncEntry(lib.db, s.sha1)?.state ?? '')) continue;
      if (s.action === 'cancel') applyEvent(lib.db, s.sha1, 'cancel');
      else {
        completeGone(lib, s.sha1);
        if (s.action === 'reupload') applyEvent(lib.db, s.sha1, 'reupload', logNote('the remote copy was deleted while something still references it: upload it again'));
      }
    }
  }).immediate();
}

export async function runRemoteGc(lib: Library, remote: Remote, opts: GcOptions = {}): Promise<GcReport> {
  if (opts.dryRun) return runRemoteGcLocked(lib, remote, opts);
  // One queue runner at a time: its recovery would take a running upload's or clean-up's rows (runner-lock.ts).
  return withRunnerLock(lib.paths.dir, 'prune-blobs', () => runRemoteGcLocked(lib, remote, opts));
}

async function runRemoteGcLocked(lib: Library, remote: Remote, opts: GcOptions): Promise<GcReport> {
  const db = lib.db;
  if (!opts.dryRun) recoverDeletions(db);
  const plan = await planRemoteGc(lib, remote, opts);
  const report: GcReport = {
    dryRun: !!opts.dryRun,
    graceMs: opts.graceMs ?? DEFAULT_GRACE_MS,
    plan,
    deleted: [],
    bytesFreed: 0,
    calledOff: [],
    failed: [],
    stagingDeleted: [],
    stagingBytesFreed: 0,
    stagingFailed: [],
  };
  if (opts.dryRun) return report;
  settle(lib, plan);
  await deleteStaging(remote, plan.staging.delete, report);
  if (!plan.delete.length) return report;
  // A victim queued for upload since the plan (another process) is not marked, and not deleted.
  const marked = db.transaction(() => plan.delete.filter((d) => markForDeletion(db, d.sha1, d.type))).immediate();

  await crashPoint('before-blob-deletes');
  // Re-check just before deleting: a snapshot pushed since the plan may reference a victim now.
  const snapshotsNow = await snapshotSha1s(remote, lib);
  const callOff = (d: GcItem, reason: string) => {
    applyEvent(db, d.sha1, 'cancel');
    report.calledOff.push({ ...d, reason });
  };
  const victims: GcItem[] = [];
  for (const d of marked) {
    if (snapshotsNow.has(d.sha1)) callOff(d, 'referenced by a snapshot pushed since the plan');
    else victims.push(d);
  }

  const sleep = opts.sleep ?? sleepMs;
  const queue = new PQueue({ concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY });
  const log = new WriteBatch(db);
  const record = (sha1: string, event: Parameters<typeof applyEvent>[2], error?: Parameters<typeof applyEvent>[3]) => log.add(() => applyEvent(db, sha1, event, error));
  let stopped = false;
  const deleteOne = async (d: GcItem) => {
    for (let attempt = 1; ; attempt++) {
      if (stopped) return; // stays DeletionPending for the next run
      // The catalogue may have gained a reference (another trove process on this library).
      if (attempt === 1 && isReferencedFile(db, d.sha1)) {
        log.flush();
        callOff(d, 'referenced by the catalogue again');
        return;
      }
      record(d.sha1, 'start');
      try {
        await remote.delete(d.key);
        await crashPoint('after-blob-delete');
        record(d.sha1, 'succeed');
        report.deleted.push(d);
        report.bytesFreed += d.size;
        return;
      } catch (raw) {
        const err = raw instanceof TroveError ? raw : withContext(`delete ${d.key}`, raw);
        const decision = decide(err.code, attempt, opts, opts.random);
        if (decision.action === 'retry' && !stopped) {
          record(d.sha1, 'retry', logError('delete', d.key, err));
          await sleep(decision.delayMs);
          continue;
        }
        record(d.sha1, 'fail', logError('delete', d.key, err));
        report.failed.push({ sha1: d.sha1, key: d.key, code: err.code, message: err.message });
        if (decision.action === 'stop-run' && !stopped) {
          stopped = true;
          report.stoppedBy = { code: err.code, message: err.message };
          queue.clear();
        }
        return;
      }
    }
  };
  // Tasks dropped by queue.clear() never settle, so wait for idleness, not for every task's promise.
  const bugs: unknown[] = [];
  for (const d of victims) queue.add(() => deleteOne(d)).catch((err) => bugs.push(err));
  try {
    await queue.onIdle();
  } finally {
    log.flush();
  }
  if (bugs.length) throw bugs[0];
  report.deleted.sort((a, b) => (a.key < b.key ? -1 : 1));
  return report;
}

/**
 * Delete stale staging files one at a time. A failure is reported and the rest go on: nothing
 * depends on them, and the next run tries again. (An upload that is somehow still writing one
 * fails its rename and is retried by its device: never a partial object under a blob key.)
 */
async function deleteStaging(remote: Remote, files: StagingFile[], report: GcReport): Promise<void> {
  for (const f of files) {
    try {
      await remote.delete(f.key);
      report.stagingDeleted.push(f);
      report.stagingBytesFreed += f.size;
    } catch (raw) {
      const err = raw instanceof TroveError ? raw : withContext(`delete ${f.key}`, raw);
      report.stagingFailed.push({ key: f.key, code: err.code, message: err.message });
    }
  }
}
