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
import type { MergeState } from './delete-conflicts.js';
import type { Conflict } from './merge-types.js';
import { other, type RowContext } from './row-merge.js';
import { conflictName } from './unique-conflicts.js';

export function keepBothMembers(state: MergeState, conflicts: readonly Conflict[], ctx: RowContext): void {
  const s = state.get('file_set_file');
  if (!s) return;
  for (const c of conflicts) {
    if (c.kind !== 'field' || c.table !== 'file_set_file' || c.field !== 'file_sha1') continue;
    const loserSide = other(c.resolution);
    const loser = (loserSide === 'local' ? s.local : s.remote).get(c.key);
    if (!loser || loser.file_sha1 === null || loser.file_sha1 === undefined) continue;
    // Not into a file set, or onto a file, that the merge deletes.
    if (state.get('file_set')?.outcome.get(String(loser.file_set_id)) === null) continue;
    if (state.get('file')?.outcome.get(String(loser.file_sha1)) === null) continue;
    const device = (loserSide === 'local' ? ctx.localDevice : ctx.remoteDevice) || c.key;
    const name = conflictName(String(loser.name), device, true);
    const key = nameId('file_set_file', String(loser.file_set_id), name);
    if (s.outcome.get(key)) continue; // already there (an earlier merge kept this very copy)
    s.outcome.set(key, { ...loser, [s.spec.key]: key, name });
    c.defaultReason += `; the other file is kept as "${name}"`;
  }
}
