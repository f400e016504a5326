// Which remote blobs `trove prune-blobs` may delete, decided on plain data (restic `prune`, git-annex
// `unused`): a blob goes only when nothing can still want it. Pure and table-tested; the worker
// (gc-worker.ts) gathers the inputs, shows the plan, and applies it.
//
// A listed blob is KEPT when any of these hold:
//   - the current catalogue references its sha1 (a file_set_file member, or a DAT rom matched to it);
//   - a retained snapshot's file list references its sha1 (any type folder: matched by sha1, not key);
//   - its log row says an upload is queued or running (UploadPending / UploadInProgress): a device
//     means to (re)write it, and its catalogue reference may arrive with that device's next push;
//   - the log has no row for it at all (unless `includeUnknown`): the shared history never heard of
//     it, so it most likely belongs to a device that uploaded but has not pushed its catalogue yet;
//   - it was written within the grace period (default 24 h), or its age is unknown (a backend that
//     reports no modification time) while a grace period is set: another device may have uploaded it
//     and not pushed the snapshot that references it yet.
// Everything under a type folder that is not `<type>/<sha1[0:2]>/<sha1>.zst` is left alone, and keys
// outside the type folders (metadata/, trove-check/) are never even candidates.
//
// Staging files (fs remotes: `.trove-tmp/`, where writes wait before they are renamed into place)
// are their own list: one older than the grace period was left by an upload that was killed or
// failed its check, and is deleted; a younger one (or one of unknown age) may belong to an upload
// running right now on another device, and is kept.
import { FILE_SET_TYPES } from '../../store/blob/blob-key.js';
import { TroveError } from '../../store/errors.js';
import type { SyncState } from './sync-state.js';

/** @default 24 hours. */
export const DEFAULT_GRACE_MS = 24 * 60 * 60 * 1000;

export interface ListedObject {
  key: string;
  size: number;
  /** The object's last modification (remote clock), when known. The worker stats unreferenced blobs only. */
  modifiedAt?: string | null;
}

/** A file in the remote's staging folder (a write not yet renamed into place). */
export interface StagingFile {
  key: string;
  size: number;
  modifiedAt?: string | null;
}

export interface GcInputs {
  /** Every object under the type folders (`rom/`, `disc/`, …). */
  listing: readonly ListedObject[];
  /** SHA1s the current collection.db references. */
  catalogue: ReadonlySet<string>;
  /** SHA1s some retained snapshot references. */
  snapshots: ReadonlySet<string>;
  /** file_sync_log rows by sha1. */
  log: ReadonlyMap<string, SyncState>;
  now: number;
  graceMs: number;
  /** Also delete blobs the log has no row for (still subject to references and grace). */
  includeUnknown?: boolean;
  /** The remote's staging files, when it stages writes (fs). */
  staging?: readonly StagingFile[];
}

export type KeepReason = 'upload queued' | 'not in the sync log' | 'within grace period' | 'age unknown';

export interface GcItem {
  key: string;
  sha1: string;
  type: string;
  size: number;
  /** The log row's state before this run; null when the log does not know the blob. */
  state: SyncState | null;
}

/** A log row left in DeletionPending / DeletionFailed by an earlier run that this run will not delete. */
export interface GcSettle {
  sha1: string;
  /**
   * cancel: the object is still listed and is wanted again (referenced, or recent): back to UploadCompleted.
   * complete: the object is gone and nothing wants it (an earlier run deleted it, then crashed).
   * reupload: the object is gone but the catalogue or a snapshot wants it: the content must go up again.
   */
  action: 'cancel' | 'complete' | 'reupload';
}

export interface GcPlan {
  delete: GcItem[];
  /** Unreferenced blobs kept anyway, and why. */
  keep: (GcItem & { reason: KeepReason })[];
  /** Listed blobs kept because they are referenced. */
  referenced: { catalogue: number; snapshotsOnly: number };
  /** Keys under a type folder that are not trove blobs: never touched. */
  foreign: string[];
  settle: GcSettle[];
  /** Staging files: older than the grace period (left by interrupted uploads), or kept, and why. */
  staging: { delete: StagingFile[]; keep: (StagingFile & { reason: 'within grace period' | 'age unknown' })[] };
}

const TYPES = new Set<string>(FILE_SET_TYPES);
const BLOB_RE = /^([a-z_]+)\/([0-9a-f]{2})\/([0-9a-f]{40})\.zst$/;

/** The type and sha1 of a blob key, or undefined for anything that is not exactly a blob key. */
export function parseBlobKey(key: string): { type: string; sha1: string } | undefined {
  const m = BLOB_RE.exec(key);
  if (!m || !TYPES.has(m[1]!) || m[3]!.slice(0, 2) !== m[2]) return undefined;
  return { type: m[1]!, sha1: m[3]! };
}

const IN_FLIGHT_UPLOAD = new Set<SyncState>(['UploadPending', 'UploadInProgress']);
// InProgress only in a dry run: a real run sends it back to Pending first (crash recovery).
const UNFINISHED_DELETION = new Set<SyncState>(['DeletionPending', 'DeletionInProgress', 'DeletionFailed']);

export function planGc(inp: GcInputs): GcPlan {
  const plan: GcPlan = { delete: [], keep: [], referenced: { catalogue: 0, snapshotsOnly: 0 }, foreign: [], settle: [], staging: { delete: [], keep: [] } };
  for (const f of inp.staging ?? []) {
    const reason = graceReason(f.modifiedAt, inp.now, inp.graceMs);
    if (reason === 'within grace period' || reason === 'age unknown') plan.staging.keep.push({ ...f, reason });
    else plan.staging.delete.push(f);
  }
  const listedSha1s = new Set<string>();
  const settled = new Set<string>();
  for (const o of inp.listing) {
    const blob = parseBlobKey(o.key);
    if (!blob) {
      if (TYPES.has(o.key.split('/')[0]!)) plan.foreign.push(o.key);
      continue;
    }
    listedSha1s.add(blob.sha1);
    const state = inp.log.get(blob.sha1) ?? null;
    const item: GcItem = { key: o.key, sha1: blob.sha1, type: blob.type, size: o.size, state };
    let wanted = true;
    if (inp.catalogue.has(blob.sha1)) plan.referenced.catalogue++;
    else if (inp.snapshots.has(blob.sha1)) plan.referenced.snapshotsOnly++;
    else if (state && IN_FLIGHT_UPLOAD.has(state)) plan.keep.push({ ...item, reason: 'upload queued' });
    else if (!state && !inp.includeUnknown) plan.keep.push({ ...item, reason: 'not in the sync log' });
    else {
      const reason = graceReason(o.modifiedAt, inp.now, inp.graceMs);
      if (reason) plan.keep.push({ ...item, reason });
      else {
        plan.delete.push(item);
        wanted = false;
      }
    }
    if (wanted && state && UNFINISHED_DELETION.has(state) && !settled.has(blob.sha1)) {
      settled.add(blob.sha1);
      plan.settle.push({ sha1: blob.sha1, action: 'cancel' });
    }
  }
  // Unfinished deletions whose object is no longer listed at all.
  for (const [sha1, state] of [...inp.log].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (!UNFINISHED_DELETION.has(state) || listedSha1s.has(sha1)) continue;
    const wanted = inp.catalogue.has(sha1) || inp.snapshots.has(sha1);
    plan.settle.push({ sha1, action: wanted ? 'reupload' : 'complete' });
  }
  return plan;
}

function graceReason(modifiedAt: string | null | undefined, now: number, graceMs: number): KeepReason | undefined {
  if (graceMs <= 0) return undefined;
  const t = modifiedAt ? Date.parse(modifiedAt) : NaN;
  if (Number.isNaN(t)) return 'age unknown';
  return now - t < graceMs ? 'within grace period' : undefined;
}

/** A grace period for people: 24h, 30m, none. */
export function formatGrace(ms: number): string {
  if (ms === 0) return 'none';
  for (const [unit, n] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000]] as const) if (ms % n === 0) return `${ms / n}${unit}`;
  return `${ms / 1000}s`;
}

/** `--grace` / TROVE_GC_GRACE: a whole number with a unit (s, m, h, d), or 0. */
export function parseGrace(text: string): number {
  const m = /^\s*(\d+)\s*([smhd]?)\s*$/.exec(text);
  if (!m || (m[2] === '' && m[1] !== '0')) throw new TroveError('BAD_INPUT', `grace period ${JSON.stringify(text)}: expected a number with a unit, like 30m, 24h or 7d (or 0)`);
  const unit = { '': 0, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}
