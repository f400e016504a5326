// The snapshot history as a graph over plain manifests: heads, ancestry, what a device is behind by.
// Pure: built from a listing, so every rule that depends on it is testable with plain data.
import type { SnapshotManifest } from './manifest.js';

export interface History {
  byId: ReadonlyMap<string, SnapshotManifest>;
  /** Snapshots no other snapshot names as a parent, oldest first (UUIDv7 order). */
  heads: SnapshotManifest[];
  /**
   * Snapshots prune removed on purpose (tombstones), with their parents: a parent in here is not
   * "missing", and ancestry and heads are computed through them as if they were still present.
   */
  pruned: ReadonlyMap<string, readonly string[]>;
  /** Parent ids that are neither present nor pruned: a damaged history. */
  missingParents: { child: string; parent: string }[];
  /** Snapshots that are their own ancestors (a damaged or forged history), in parent order; empty when none. */
  cycle: string[];
}

/**
 * A chain of parents that comes back to where it started, or [] (depth-first, iterative). Such a
 * history has no sound heads: every snapshot the cycle reaches looks "named as a parent", so a cycle
 * that names the real head hides it from every device.
 */
export function findParentCycle(parentsOf: (id: string) => readonly string[] | undefined, ids: Iterable<string>): string[] {
  const state = new Map<string, 1 | 2>(); // 1: on the current path, 2: done
  for (const start of ids) {
    if (state.has(start)) continue;
    const path: string[] = [];
    const stack: { id: string; next: number }[] = [{ id: start, next: 0 }];
    state.set(start, 1);
    path.push(start);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const parents = parentsOf(top.id) ?? [];
      if (top.next < parents.length) {
        const p = parents[top.next++]!;
        const st = state.get(p);
        if (st === 1) return [...path.slice(path.indexOf(p)), p];
        if (st === undefined && parentsOf(p) !== undefined) {
          state.set(p, 1);
          path.push(p);
          stack.push({ id: p, next: 0 });
        }
      } else {
        state.set(top.id, 2);
        path.pop();
        stack.pop();
      }
    }
  }
  return [];
}

export function buildHistory(manifests: readonly SnapshotManifest[], pruned: ReadonlyMap<string, readonly string[]> = new Map()): History {
  const byId = new Map<string, SnapshotManifest>();
  for (const m of manifests) if (!pruned.has(m.id)) byId.set(m.id, m);
  const named = new Set<string>();
  const missingParents: { child: string; parent: string }[] = [];
  for (const m of byId.values()) {
    for (const p of m.parents) {
      named.add(p);
      if (!byId.has(p) && !pruned.has(p)) missingParents.push({ child: m.id, parent: p });
    }
  }
  for (const parents of pruned.values()) for (const p of parents) named.add(p);
  const heads = [...byId.values()].filter((m) => !named.has(m.id)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const cycle = findParentCycle((id) => byId.get(id)?.parents ?? pruned.get(id), [...byId.keys()].sort());
  return { byId, heads, pruned, missingParents, cycle };
}

/** `id` and every snapshot it descends from that is still present (walking through pruned ones). */
export function ancestorsOf(history: History, id: string): Set<string> {
  const seen = new Set<string>();
  const visited = new Set<string>();
  const stack = [id];
  while (stack.length) {
    const cur = stack.pop()!;
    if (visited.has(cur)) continue;
    visited.add(cur);
    const m = history.byId.get(cur);
    if (m) {
      seen.add(cur);
      stack.push(...m.parents);
    } else {
      stack.push(...(history.pruned.get(cur) ?? []));
    }
  }
  return seen;
}

/**
 * True when `target` is `from` or in its ancestry, present or pruned on purpose (a tombstone keeps the
 * chain): the content of `target` is part of what `from` was built on.
 */
export function reaches(history: History, from: string, target: string): boolean {
  const visited = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const cur = stack.pop()!;
    if (cur === target) return true;
    if (visited.has(cur)) continue;
    visited.add(cur);
    stack.push(...(history.byId.get(cur)?.parents ?? history.pruned.get(cur) ?? []));
  }
  return false;
}

/**
 * This device's own snapshot that a crash kept it from recording as its base: pushed by `deviceId`,
 * descending from the recorded base (the push named it as parent), with exactly the content collection.db
 * has now (`fingerprint`). The newest such snapshot, or undefined.
 */
export function ownUnrecordedSnapshot(history: History, deviceId: string, base: string | null, fingerprint: string | undefined): SnapshotManifest | undefined {
  if (!fingerprint) return undefined;
  let best: SnapshotManifest | undefined;
  for (const m of history.byId.values()) {
    if (m.device.id !== deviceId || m.id === base || m.database.sha1 !== fingerprint) continue;
    if (base !== null && !reaches(history, m.id, base)) continue;
    if (!best || m.id > best.id) best = m;
  }
  return best;
}

/** True when `descendant` is `ancestor` or has it in its (present) ancestry. */
export function descendsFrom(history: History, descendant: string, ancestor: string): boolean {
  return ancestorsOf(history, descendant).has(ancestor);
}

/** Snapshots reachable from the heads that the base does not already contain. */
export function behindCount(history: History, base: string | null): number {
  const mine = base ? ancestorsOf(history, base) : new Set<string>();
  const theirs = new Set<string>();
  for (const h of history.heads) for (const id of ancestorsOf(history, h.id)) theirs.add(id);
  let n = 0;
  for (const id of theirs) if (!mine.has(id)) n++;
  return n;
}

/** Each device's newest pushed snapshot (its base right after that push). */
export function latestByDevice(history: History): Map<string, SnapshotManifest> {
  const out = new Map<string, SnapshotManifest>();
  for (const m of history.byId.values()) {
    const cur = out.get(m.device.id);
    if (!cur || cur.id < m.id) out.set(m.device.id, m);
  }
  return out;
}

/** Newest head first by id (UUIDv7: creation time), the default pick when several heads exist. */
export function newestHead(history: History): SnapshotManifest | undefined {
  return history.heads[history.heads.length - 1];
}

/**
 * The common ancestor to merge `head` against when `mine` (this device's base, then the heads already
 * merged into the local database) is the other side: the newest snapshot (UUIDv7 order) both reach.
 * Null when they share nothing still present (a pruned base, a device that never synced): the caller
 * merges against an empty catalogue then.
 */
export function mergeBaseOf(history: History, head: string, mine: readonly string[]): string | null {
  const theirs = ancestorsOf(history, head);
  const ours = new Set<string>();
  for (const id of mine) for (const a of ancestorsOf(history, id)) ours.add(a);
  let best: string | null = null;
  for (const id of theirs) if (ours.has(id) && (best === null || id > best)) best = id;
  return best;
}
