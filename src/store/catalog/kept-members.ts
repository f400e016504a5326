// Members an import would drop from a ROM file set but that hold stored content: they are never
// dropped. The DAT defines its file set ("rom", "rom 2", …), so such a member moves to a sibling file
// set of the same release, "<name> (not in DAT)", which no DAT feeds: the content stays referenced
// (show, export, download, and prune-blobs see it) and the report's DAT numbers stay the DAT's.
// Pure: from the planned members and the catalogue's current rows.
import { nameId } from '../ids.js';
import type { CatalogState, CurrentFileSet, CurrentMember } from './catalog-state.js';

export interface KeptMember {
  /** The member's name in the DAT's file set, and its content. */
  name: string;
  sha1: string;
  /** Where it goes: the release's "… (not in DAT)" file set, under this name (its own, or "x (2).bin" when that is taken). */
  movedTo: string;
  movedToId: string;
  movedAs: string;
  position: number;
  /** Why it is kept: where its content is stored. */
  reason: string;
}

/** The file set that holds stored members the DAT of file set `fileSetName` does not list. */
export function notInDatFileSetName(fileSetName: string): string {
  return `${fileSetName} (not in DAT)`;
}

function reasonOf(m: CurrentMember): string {
  if (m.local && m.cloud) return 'its content is stored on this device and uploaded';
  return m.local ? 'its content is stored on this device' : 'its content is uploaded to the remote';
}

/** "name (n).ext" — the nth name for a different content under one name. */
function numbered(name: string, n: number): string {
  const dot = name.lastIndexOf('.');
  const slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
  return dot > slash + 1 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}

/**
 * Current members of `current` that the planned file set no longer holds (dropped, or its name
 * re-pointed to other content), whose content is stored, and whose sha1 the planned set does not keep
 * under another name.
 */
export function planKeptMembers(
  state: CatalogState,
  current: CurrentFileSet,
  planned: { name: string; sha1: string }[],
): KeptMember[] {
  const plannedPairs = new Set(planned.map((m) => `${m.name}\u0000${m.sha1}`));
  const plannedSha1s = new Set(planned.map((m) => m.sha1));
  const dropped = current.members.filter((m) => m.available && !plannedPairs.has(`${m.name}\u0000${m.sha1}`) && !plannedSha1s.has(m.sha1));
  if (!dropped.length) return [];
  const movedTo = notInDatFileSetName(current.name);
  const movedToId = nameId('file_set', current.releaseId, 'rom', movedTo);
  const target = state.fileSets.get(movedToId);
  const byName = new Map((target?.members ?? []).map((m) => [m.name, m.sha1]));
  const held = new Set(byName.values());
  let position = Math.max(-1, ...(target?.members ?? []).map((m) => m.position)) + 1;
  const out: KeptMember[] = [];
  for (const m of dropped) {
    if (held.has(m.sha1)) continue; // already kept there (an earlier import): still referenced
    let movedAs = m.name;
    for (let n = 2; byName.has(movedAs); n++) movedAs = numbered(m.name, n);
    byName.set(movedAs, m.sha1);
    held.add(m.sha1);
    out.push({ name: m.name, sha1: m.sha1, movedTo, movedToId, movedAs, position: position++, reason: reasonOf(m) });
  }
  return out;
}
