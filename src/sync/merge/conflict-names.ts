// Names of the copies a merge keeps beside a winner ("game (conflict 0193ab12).bin"): the tag is the
// device that made the losing version. A second copy from the same device on the same name is numbered
// ("game (conflict 0193ab12 2).bin"), the way Dropbox and Syncthing number their conflicting copies, so
// a name is never taken twice. Pure: the caller says which names are taken in the merged result, and
// candidates are tried in a fixed order, so two devices merging the same heads choose the same names.
import { deviceTag } from '../../store/ids.js';

/** "Name (conflict 0193ab12)", or with n ≥ 2 "Name (conflict 0193ab12 n)"; for archive names the tag goes before the extension. */
export function conflictName(name: string, device: string, isFileName: boolean, n = 1): string {
  const tag = ` (conflict ${deviceTag(device)}${n > 1 ? ` ${n}` : ''})`;
  const dot = name.lastIndexOf('.');
  if (isFileName && dot > 0 && dot > name.lastIndexOf('/') && name.length - dot <= 6) return name.slice(0, dot) + tag + name.slice(dot);
  return name + tag;
}

export type NameVerdict = 'free' | 'taken' | 'same';

/**
 * The first conflict name for `name` that `verdict` says is free, or that already holds this very
 * version ('same': nothing to add). Returns the name and whether it is already there.
 */
export function freeConflictName(name: string, device: string, isFileName: boolean, verdict: (candidate: string) => NameVerdict): { name: string; existing: boolean } {
  for (let n = 1; ; n++) {
    const candidate = conflictName(name, device, isFileName, n);
    const v = verdict(candidate);
    if (v !== 'taken') return { name: candidate, existing: v === 'same' };
  }
}
