// Reading the history from the remote: one listing of metadata/snapshots/ and one of metadata/pruned/,
// then only the manifests this device has not seen before (manifests are immutable, so state.db's
// snapshot_manifest_cache keeps each forever; rows for ids no longer listed are dropped).
import type Database from 'better-sqlite3';
import { TroveError } from '../../store/errors.js';
import { nowIso, uuidv7 } from '../../store/ids.js';
import pLimit from '../../store/limit.js';
import type { Remote } from '../remote/remote.js';
import { readMetadataObject } from './bounded-read.js';
import { buildHistory, type History } from './history.js';
import {
  BASES_PREFIX,
  idFromKey,
  isSnapshotId,
  manifestKey,
  parseManifest,
  PRUNED_PREFIX,
  prunedKey,
  serializeManifest,
  SNAPSHOTS_PREFIX,
  type SnapshotManifest,
} from './manifest.js';

export interface LoadedHistory extends History {
  /** Manifests fetched from the remote this time (the rest came from the cache). */
  fetched: number;
}

/** The ids under `prefix`, each with its object's size (so a giant is refused before it is read). */
async function listIds(remote: Remote, prefix: string): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const e of await remote.list(prefix)) {
    const id = idFromKey(e.key, prefix);
    if (id !== undefined) ids.set(id, e.size);
  }
  return ids;
}

/** Every manifest on the remote, validated. Throws CORRUPT_SNAPSHOT on a bad manifest or a missing parent. */
export async function loadHistory(remote: Remote, state: Database.Database, opts: { allowMissingParents?: boolean } = {}): Promise<LoadedHistory> {
  // Snapshots first, tombstones second: prune writes a tombstone before deleting a manifest, so any
  // manifest gone from the first listing has its tombstone in the second.
  const listed = await listIds(remote, SNAPSHOTS_PREFIX);
  const prunedIds = await listIds(remote, PRUNED_PREFIX);
  const cached = new Map<string, string>();
  for (const r of state.prepare('SELECT id, json FROM snapshot_manifest_cache').all() as { id: string; json: string }[]) cached.set(r.id, r.json);
  const manifests: SnapshotManifest[] = [];
  const toFetch: string[] = [];
  for (const id of listed.keys()) {
    if (prunedIds.has(id)) continue;
    const json = cached.get(id);
    if (json !== undefined) manifests.push(parseManifest(json, manifestKey(id)));
    else toFetch.push(id);
  }
  const pruned = new Map<string, string[]>();
  const tombstonesToFetch: string[] = [];
  for (const id of prunedIds.keys()) {
    const json = cached.get(`pruned:${id}`);
    if (json !== undefined) pruned.set(id, JSON.parse(json) as string[]);
    else tombstonesToFetch.push(id);
  }
  const limit = pLimit(8);
  const [fetchedManifests, fetchedTombstones] = await Promise.all([
    Promise.all(
      toFetch.map((id) =>
        limit(async () => {
          const key = manifestKey(id);
          let bytes: Buffer;
          try {
            bytes = await readMetadataObject(remote, key, 'manifest', listed.get(id));
          } catch (err) {
            if (err instanceof TroveError && err.code === 'NOT_FOUND') {
              throw new TroveError('REMOTE_UNAVAILABLE', `${key} vanished while the history was being read (a prune running elsewhere?); try again`, { cause: err });
            }
            throw err;
          }
          return parseManifest(bytes, key);
        }),
      ),
    ),
    Promise.all(
      tombstonesToFetch.map((id) =>
        limit(async () => [id, parseTombstone(await readMetadataObject(remote, prunedKey(id), 'tombstone', prunedIds.get(id)), prunedKey(id))] as const),
      ),
    ),
  ]);
  for (const [id, parents] of fetchedTombstones) pruned.set(id, parents);
  const insert = state.prepare('INSERT OR REPLACE INTO snapshot_manifest_cache (id, json, cached_at) VALUES (?, ?, ?)');
  state.transaction(() => {
    const now = nowIso();
    for (const m of fetchedManifests) insert.run(m.id, JSON.stringify(m), now);
    for (const [id, parents] of fetchedTombstones) insert.run(`pruned:${id}`, JSON.stringify(parents), now);
    const del = state.prepare('DELETE FROM snapshot_manifest_cache WHERE id = ?');
    for (const id of cached.keys()) {
      const gone = id.startsWith('pruned:') ? !prunedIds.has(id.slice('pruned:'.length)) : !listed.has(id) || prunedIds.has(id);
      if (gone) del.run(id);
    }
  })();
  manifests.push(...fetchedManifests);
  const history = buildHistory(manifests, pruned);
  if (history.cycle.length) {
    throw new TroveError(
      'CORRUPT_SNAPSHOT',
      `the snapshot history on ${remote.description} has a parent cycle: ${history.cycle.join(' → ')} (${manifestKey(history.cycle[0]!)} and the others name each other as parents, which no push writes); the heads cannot be computed — remove the damaged or forged manifests`,
      { details: { cycle: history.cycle, keys: history.cycle.slice(0, -1).map(manifestKey) } },
    );
  }
  if (!opts.allowMissingParents && history.missingParents.length) {
    const { child, parent } = history.missingParents[0]!;
    throw new TroveError(
      'CORRUPT_SNAPSHOT',
      `manifest ${manifestKey(child)} names parent ${parent}, which is neither on ${remote.description} nor recorded as pruned: the history is damaged`,
      { details: { key: manifestKey(child), parent } },
    );
  }
  return { ...history, fetched: fetchedManifests.length };
}

/** A tombstone's parents (prune records them so ancestry and heads survive the deletion). */
function parseTombstone(bytes: Buffer, key: string): string[] {
  let o: unknown;
  try {
    o = JSON.parse(bytes.toString('utf8'));
  } catch {
    o = undefined;
  }
  const parents = (o as { parents?: unknown } | undefined)?.parents;
  if (!Array.isArray(parents) || parents.some((p) => typeof p !== 'string' || !isSnapshotId(p))) {
    throw new TroveError('CORRUPT_SNAPSHOT', `tombstone ${key} is unreadable; the history cannot be computed`, { details: { key } });
  }
  return parents as string[];
}

/** Write a new manifest. Its key is a fresh UUIDv7, so this never replaces anything. */
export async function writeManifest(remote: Remote, m: SnapshotManifest): Promise<void> {
  const key = manifestKey(m.id);
  if (await remote.stat(key)) throw new TroveError('ALREADY_EXISTS', `${key} already exists on ${remote.description}; refusing to overwrite it`);
  await remote.write(key, serializeManifest(m));
}

export function cacheManifest(state: Database.Database, m: SnapshotManifest): void {
  state.prepare('INSERT OR REPLACE INTO snapshot_manifest_cache (id, json, cached_at) VALUES (?, ?, ?)').run(m.id, JSON.stringify(m), nowIso());
}

/** Append a record that `deviceId` is now based on `base` (prune keeps each device's newest). */
export async function writeBaseMarker(remote: Remote, deviceId: string, base: string, markerId: string = uuidv7()): Promise<void> {
  const key = `${BASES_PREFIX}${deviceId}/${markerId}.json`;
  await remote.write(key, Buffer.from(JSON.stringify({ device: deviceId, base, at: nowIso() }) + '\n'));
}

function parseMarker(text: string): { device?: unknown; base?: unknown } | null {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as { device?: unknown; base?: unknown }) : null;
  } catch {
    return null;
  }
}

export interface BaseMarker {
  key: string;
  device: string;
  base: string;
}

/** Every base marker, oldest first (keys are UUIDv7). Throws CORRUPT_SNAPSHOT on a damaged marker. */
export async function listBaseMarkers(remote: Remote): Promise<BaseMarker[]> {
  const entries = (await remote.list(BASES_PREFIX)).filter((e) => e.key.endsWith('.json')).sort((a, b) => (a.key < b.key ? -1 : 1));
  const out: BaseMarker[] = [];
  const limit = pLimit(8);
  await Promise.all(
    entries.map((e) =>
      limit(async () => {
        const text = (await readMetadataObject(remote, e.key, 'base marker', e.size)).toString('utf8');
        const o = parseMarker(text);
        if (!o || typeof o.device !== 'string' || typeof o.base !== 'string') {
          // Refuse rather than guess: a marker we cannot read might protect some device's base.
          throw new TroveError('CORRUPT_SNAPSHOT', `base marker ${e.key} on ${remote.description} is unreadable; delete it if it is damaged`, { details: { key: e.key } });
        }
        out.push({ key: e.key, device: o.device, base: o.base });
      }),
    ),
  );
  return out.sort((a, b) => (a.key < b.key ? -1 : 1));
}
