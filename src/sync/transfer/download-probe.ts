// A download request planned against what the remote holds now, not only against this device's copy
// of the log. The log travels with the catalogue, so it is as old as this device's last pull: a file
// another device uploaded since (its row still UploadPending here), or put back after a clean-up
// deleted it (DeletionCompleted here), is on the remote although the log says otherwise. Such files
// (worthAskingRemote: a row in any state but UploadCompleted) are looked up on the remote — one stat
// each, or one listing of their type's folder when that is cheaper (remoteSizes) — and fetched when
// there; what a download fetches is verified by SHA1 and size as always, so the object needs no
// vouching by the log. Files with no row (DAT roms nobody owns) are not asked about. The log itself
// is not changed: it is the uploading device's record, and it arrives with that device's next push.
import type { Library } from '../../store/library.js';
import type { Remote } from '../remote/remote.js';
import { planDownloads, unavailableReason, worthAskingRemote, type UnavailableReason } from './download-plan.js';
import { remoteSizes } from './remote-sizes.js';
import type { SyncState } from './sync-state.js';
import type { TargetFile } from './transfer-targets.js';

export interface UnavailableFile {
  sha1: string;
  type: string;
  /** This device's log row for it (null: no row). */
  state: SyncState | null;
  reason: UnavailableReason;
}

export interface CheckedDownloadPlan {
  fetch: { sha1: string; type: string; size: number }[];
  alreadyLocal: number;
  /** Available from nowhere: not here, and not on the remote (asked, where worth asking). */
  unavailable: UnavailableFile[];
  /** How many files the log did not call uploaded were looked up on the remote, and how many were there. */
  asked: number;
  found: number;
  /** Remote (stored) sizes of the files found, for the worker (not asked again). */
  sizes: Map<string, number>;
}

export async function planDownloadsChecked(lib: Library, remote: Remote, files: TargetFile[], concurrency: number): Promise<CheckedDownloadPlan> {
  const plan = planDownloads(files);
  const bySha1 = new Map(files.map((f) => [f.sha1, f]));
  const ask = plan.unavailable.filter((u) => worthAskingRemote(bySha1.get(u.sha1)?.syncState));
  const countOfType = lib.db.prepare('SELECT count(*) FROM file WHERE type = ?').pluck();
  const sizes = ask.length ? await remoteSizes(remote, ask, concurrency, (type) => Number(countOfType.get(type))) : new Map<string, number>();
  const fetch = [...plan.fetch];
  const unavailable: UnavailableFile[] = [];
  for (const u of plan.unavailable) {
    const f = bySha1.get(u.sha1);
    if (sizes.has(u.sha1) && f) fetch.push({ sha1: u.sha1, type: u.type, size: f.size });
    else unavailable.push({ sha1: u.sha1, type: u.type, state: f?.syncState ?? null, reason: unavailableReason(f?.syncState) });
  }
  return { fetch, alreadyLocal: plan.alreadyLocal, unavailable, asked: ask.length, found: sizes.size, sizes };
}
