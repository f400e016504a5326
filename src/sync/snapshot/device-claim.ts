// One device id, one library. A library folder copied to a second machine (to seed it without
// downloading every blob again) carries state.db, and with it the device id. Two libraries writing
// under one id confuse everything keyed by it: prune keeps only the newest push and the newest base
// marker of each device, so one copy's base is deleted, and its next merge runs against an empty
// ancestor and brings back what the other machine deleted.
//
// A copy is byte-identical to its original, so this is detected on the remote: before a library
// writes a manifest or a base marker, it records that object's UUIDv7 in state.db
// (`sync.last-own-write`). A manifest by this device id, or a base marker under its prefix, newer
// than that record was written by another library with the same id. The library that sees one takes
// a new id (the other keeps the old one; which is "the copy" does not matter), and writes a base
// marker under the new id at once so that prune keeps its base. git-annex asks the user to run
// `git annex reinit` after copying a repository; trove does it, and says so.
import type Database from 'better-sqlite3';
import { uuidv7 } from '../../store/ids.js';
import type { Library } from '../../store/library.js';
import type { Remote } from '../remote/remote.js';
import type { History } from './history.js';
import { writeBaseMarker } from './manifest-store.js';
import { BASES_PREFIX } from './manifest.js';

export const LAST_OWN_WRITE_SETTING = 'sync.last-own-write';

export interface ForeignWrite {
  kind: 'snapshot' | 'base marker';
  /** The snapshot id, or the marker's UUIDv7. */
  id: string;
  /** The name the other library gave (snapshots carry one; markers do not). */
  deviceName?: string;
}

export interface DeviceIdChange {
  from: string;
  to: string;
  /** What showed that another library writes under `from`. */
  evidence: ForeignWrite[];
  /** The same, in one sentence for people. */
  message: string;
}

export function lastOwnWrite(state: Database.Database): string | undefined {
  const row = state.prepare('SELECT value FROM setting WHERE key = ?').get(LAST_OWN_WRITE_SETTING) as { value: string } | undefined;
  return row?.value;
}

/** Write a base marker as this library's own (recorded first, so a crash cannot make it look foreign). */
export async function writeOwnBaseMarker(lib: Library, remote: Remote, base: string): Promise<void> {
  const markerId = uuidv7();
  noteOwnWrite(lib.state, markerId);
  await writeBaseMarker(remote, lib.device().id, base, markerId);
}

/** Record, before writing it, that the object with this UUIDv7 is this library's own (kept as a maximum). */
export function noteOwnWrite(state: Database.Database, id: string): void {
  state
    .prepare(
      `INSERT INTO setting (key, value) VALUES (?, ?)
       ON CONFLICT(key) DO UPDATE SET value = excluded.value WHERE excluded.value > setting.value`,
    )
    .run(LAST_OWN_WRITE_SETTING, id);
}

/** Pure: writes under `deviceId` newer than this library's last own write. None without a record. */
export function foreignWrites(history: History, markerIds: readonly string[], deviceId: string, lastOwn: string | undefined): ForeignWrite[] {
  if (lastOwn === undefined) return [];
  const out: ForeignWrite[] = [];
  for (const m of history.byId.values()) {
    if (m.device.id === deviceId && m.id > lastOwn) out.push({ kind: 'snapshot', id: m.id, deviceName: m.device.name });
  }
  for (const id of markerIds) if (id > lastOwn) out.push({ kind: 'base marker', id });
  return out.sort((a, b) => (a.id < b.id ? -1 : 1));
}

function markerPrefix(deviceId: string): string {
  return `${BASES_PREFIX}${deviceId}/`;
}

/** The UUIDv7s of the base markers under `deviceId` (one listing). */
export async function listOwnMarkerIds(remote: Remote, deviceId: string): Promise<string[]> {
  const prefix = markerPrefix(deviceId);
  return (await remote.list(prefix))
    .map((e) => e.key.slice(prefix.length))
    .filter((rest) => rest.endsWith('.json') && !rest.includes('/'))
    .map((rest) => rest.slice(0, -'.json'.length));
}

/** What another library has written under this library's device id (no listing without a record). */
export async function detectSharedDeviceId(lib: Library, remote: Remote, history: History): Promise<ForeignWrite[]> {
  const lastOwn = lastOwnWrite(lib.state);
  if (lastOwn === undefined) return [];
  const id = lib.device().id;
  return foreignWrites(history, await listOwnMarkerIds(remote, id), id, lastOwn);
}

/**
 * Before a push or pull: if another library writes under this device id, give this library a new
 * one, and record its base under it. Returns the change, or undefined when the id is this library's alone.
 */
export async function claimDeviceId(
  lib: Library,
  remote: Remote,
  history: History,
  base: string | null,
): Promise<DeviceIdChange | undefined> {
  const evidence = await detectSharedDeviceId(lib, remote, history);
  if (!evidence.length) return undefined;
  const from = lib.device().id;
  const to = lib.resetDeviceId();
  if (base) await writeOwnBaseMarker(lib, remote, base);
  return { from, to, evidence, message: describeDeviceIdChange({ from, to, evidence }) };
}

/** One line for people: what happened to the device id, and why. */
export function describeDeviceIdChange(c: Omit<DeviceIdChange, 'message'>): string {
  const first = c.evidence[0]!;
  const what = first.kind === 'snapshot' ? `snapshot ${first.id}${first.deviceName ? ` (by "${first.deviceName}")` : ''}` : `base marker ${first.id}`;
  const more = c.evidence.length > 1 ? ` and ${c.evidence.length - 1} more` : '';
  return (
    `another library uses this device id ${c.from} (a copy of this library folder?): ${what}${more} on the remote is not this library's. ` +
    `This library now has its own device id ${c.to}.`
  );
}
