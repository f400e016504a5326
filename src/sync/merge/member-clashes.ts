// Two devices put different files under one archive name in one file set (both added `game.bin` to
// "Same (USA)", or both replaced it with different versions). A member's id is derived from its file
// set and name, so this is one row with two values of `file_sha1`: a field conflict, whose loser
// would simply vanish from the catalogue (its content then referenced by nothing, and eventually
// removed from the remote by prune-blobs). Nothing is dropped instead: the winner keeps the name and
// the loser's file is kept beside it as "<name> (conflict <device>)<ext>", the way Syncthing and
// Dropbox keep conflicting copies and the way unique-conflicts.ts settles two rows with one name.
// Which side keeps the name is the conflict's resolution (default: the later edit), so choosing the
// other side swaps them and still keeps both.
import { nameId } from '../../store/ids.js';
import { freeConflictName, type NameVerdict } from './conflict-names.js';
import type { MergeState } from './delete-conflicts.js';
import type { Conflict, Row } from './merge-types.js';
import { authorKey, authorOf } from './row-authors.js';
import { other, type RowContext } from './row-merge.js';

export function keepBothMembers(state: MergeState, conflicts: readonly Conflict[], ctx: RowContext): void {
  const s = state.get('file_set_file');
  if (!s) return;
  // The merged members of each file set concerned, by name (the shell loads every member of such a
  // set into the input, merge-inputs.ts, so these are all of them), and every id in use.
  let bySet: Map<string, Map<string, Row>> | undefined;
  const members = (setId: string): Map<string, Row> => {
    if (!bySet) {
      bySet = new Map();
      for (const row of s.outcome.values()) {
        if (!row) continue;
        const id = String(row.file_set_id);
        let m = bySet.get(id);
        if (!m) bySet.set(id, (m = new Map()));
        m.set(String(row.name), row);
      }
    }
    let m = bySet.get(setId);
    if (!m) bySet.set(setId, (m = new Map()));
    return m;
  };
  for (const c of conflicts) {
    if (c.kind !== 'field' || c.table !== 'file_set_file' || c.field !== 'file_sha1') continue;
    const loserSide = other(c.resolution);
    const loser = (loserSide === 'local' ? s.local : s.remote).get(c.key);
    if (!loser || loser.file_sha1 === null || loser.file_sha1 === undefined) continue;
    const setId = String(loser.file_set_id);
    // Not into a file set, or onto a file, that the merge deletes.
    if (state.get('file_set')?.outcome.get(setId) === null) continue;
    if (state.get('file')?.outcome.get(String(loser.file_sha1)) === null) continue;
    const device = authorOf(ctx, s.spec, loserSide, c.key, loser) || c.key;
    const inSet = members(setId);
    // A name is free when no member of the merged set has it and its id is unused; it already holds
    // this copy when a member of that name has the loser's content (an earlier merge kept it).
    const verdict = (name: string): NameVerdict => {
      const there = inSet.get(name);
      if (there) return there.file_sha1 === loser.file_sha1 ? 'same' : 'taken';
      return s.outcome.get(nameId('file_set_file', setId, name)) ? 'taken' : 'free';
    };
    const { name, existing } = freeConflictName(String(loser.name), device, true, verdict);
    c.keptAs = name;
    if (c.resolution === c.defaultSide) c.defaultReason += `; the other file is kept as "${name}"`;
    if (existing) continue;
    const key = nameId('file_set_file', setId, name);
    const row = { ...loser, [s.spec.key]: key, name };
    s.outcome.set(key, row);
    inSet.set(name, row);
    ctx.made?.set(authorKey('file_set_file', key), device);
  }
}
