// Publishing the local database as a new snapshot: take it, upload the database blob and the file list
// under their content hashes, then (and only then) write the manifest, and move this device's base.
// A crash before the manifest leaves only unreferenced content-addressed objects, reused next time.
import { uuidv7, nowIso } from '../../store/ids.js';
import type { Library } from '../../store/library.js';
import type { Remote } from '../remote/remote.js';
import { crashPoint } from './crash-point.js';
import { noteOwnWrite } from './device-claim.js';
import { sameStamp, stampOf } from './fingerprint.js';
import { fileListKey, MANIFEST_FORMAT, type SnapshotManifest } from './manifest.js';
import { loadChunkIndex, uploadChunked } from './chunked-db.js';
import { cacheManifest, writeManifest } from './manifest-store.js';
import { uploadIfAbsent } from './remote-content.js';
import { takeSnapshot } from './snapshot-writer.js';
import { getBase, setBase } from './sync-state.js';

export interface Published {
  manifest: SnapshotManifest;
  uploadedBytes: number;
}

/** Chunks the parents' databases use: on the remote already, so not uploaded again. */
async function knownChunks(lib: Library, remote: Remote, parents: string[]): Promise<Map<string, number>> {
  const known = new Map<string, number>();
  for (const id of parents) {
    const row = lib.state.prepare('SELECT json FROM snapshot_manifest_cache WHERE id = ?').get(id) as { json: string } | undefined;
    if (!row) continue;
    const m = JSON.parse(row.json) as SnapshotManifest;
    if (m.database.format !== 'chunks') continue;
    for (const e of await loadChunkIndex(remote, m.database, `snapshot ${id}`)) known.set(e.sha1, e.compressedSize);
  }
  return known;
}

export async function publishLocal(lib: Library, remote: Remote, parents: string[]): Promise<Published> {
  const device = lib.device();
  const base = getBase(lib.state);
  const copyAtMs = Date.now();
  const snap = await takeSnapshot(lib);
  try {
    const fileList = {
      key: fileListKey(snap.fileList.sha1),
      sha1: snap.fileList.sha1,
      size: snap.fileList.size,
      compressed_size: snap.fileList.compressedSize,
      count: snap.fileList.count,
    };
    let uploadedBytes = await uploadIfAbsent(remote, fileList, snap.fileList.path);
    const known = await knownChunks(lib, remote, parents);
    const chunked = await uploadChunked(remote, snap.database.path, known);
    const database = chunked.ref;
    uploadedBytes += chunked.uploadedBytes;
    await crashPoint('after-snapshot-blob');
    const manifest: SnapshotManifest = {
      format: MANIFEST_FORMAT,
      id: uuidv7(),
      parents,
      device: { id: device.id, name: device.name },
      device_base: base?.snapshotId ?? null,
      created_at: nowIso(),
      schema_version: snap.schemaVersion,
      database,
      file_list: fileList,
      row_counts: snap.rowCounts,
    };
    noteOwnWrite(lib.state, manifest.id); // first: a crash after the write must not make it look like another library's
    await writeManifest(remote, manifest);
    await crashPoint('after-manifest'); // the next run recognises it (local-changes.ts, detectLocalChangesIn)
    cacheManifest(lib.state, manifest);
    // The live file still matches the copy if its stamp has not moved since the copy was taken.
    const now = await stampOf(lib.paths.collectionDb);
    const stamp = snap.liveStamp && sameStamp(now, snap.liveStamp) ? snap.liveStamp : undefined;
    setBase(lib.state, { snapshotId: manifest.id, dbSha1: database.sha1, fingerprint: database.sha1, stamp, confirmedAtMs: copyAtMs });
    return { manifest, uploadedBytes };
  } finally {
    await snap.cleanup();
  }
}

/** A snapshot with the same content as `of` and other parents (uniting several heads): no upload. */
export async function publishJoin(lib: Library, remote: Remote, of: SnapshotManifest, parents: string[]): Promise<SnapshotManifest> {
  const device = lib.device();
  const manifest: SnapshotManifest = {
    ...of,
    id: uuidv7(),
    parents,
    device: { id: device.id, name: device.name },
    device_base: getBase(lib.state)?.snapshotId ?? null,
    created_at: nowIso(),
  };
  noteOwnWrite(lib.state, manifest.id);
  await writeManifest(remote, manifest);
  cacheManifest(lib.state, manifest);
  return manifest;
}
