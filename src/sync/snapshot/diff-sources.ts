// The diff's side sources backed by snapshot sync: `base` (this device's base snapshot), `head` (the
// remote head; the newest when there are several), snapshot ids and backup ids (unique prefixes match,
// through the side resolver). A snapshot is downloaded and verified (SHA1 and size of every chunk and of
// the whole file) into the library's tmp/; a backup is copied there (the backup itself is never opened,
// so reading it cannot leave -wal/-shm files beside it). `cleanup()` removes the copy.
import fs from 'node:fs';
import { tempName } from '../../store/atomic-fs.js';
import { TroveError } from '../../store/errors.js';
import type { Library } from '../../store/library.js';
import type { ResolvedSide, SideSource } from '../diff/side-resolver.js';
import type { Remote } from '../remote/remote.js';
import { listBackups } from './backups.js';
import { newestHead } from './history.js';
import { loadHistory, type LoadedHistory } from './manifest-store.js';
import { downloadSnapshotDb } from './snapshot-file.js';
import { getBase } from './sync-state.js';

const removeSync = (file: string) => {
  for (const s of ['', '-wal', '-shm', '-journal']) fs.rmSync(`${file}${s}`, { force: true });
};

/** `openRemote` is absent when the library has no remote: then only backups resolve. */
export function snapshotSideSources(lib: Library, openRemote: (() => Remote) | undefined): SideSource[] {
  let remote: Remote | undefined;
  let history: Promise<LoadedHistory> | undefined;
  const getRemote = () => {
    if (!openRemote) throw new TroveError('NOT_FOUND', `snapshots need a remote: none is configured for ${lib.paths.dir} (run \`trove remote set …\`)`);
    return (remote ??= openRemote());
  };
  const getHistory = () => (history ??= loadHistory(getRemote(), lib.state, { allowMissingParents: true }));

  const snapshots: SideSource = {
    kind: 'snapshot',
    names: ['base', 'head'],
    async ids() {
      return openRemote ? [...(await getHistory()).byId.keys()] : [];
    },
    async resolve(ref): Promise<ResolvedSide> {
      const h = await getHistory();
      let id = ref;
      let note = '';
      if (ref === 'base') {
        const base = getBase(lib.state)?.snapshotId;
        if (!base) throw new TroveError('NOT_FOUND', '`base`: this device has no base snapshot yet (it has never pushed or pulled)');
        if (!h.byId.has(base)) throw new TroveError('NOT_FOUND', `\`base\`: snapshot ${base} is no longer on ${getRemote().description}`);
        id = base;
        note = ' (base)';
      } else if (ref === 'head') {
        const head = newestHead(h);
        if (!head) throw new TroveError('NOT_FOUND', `\`head\`: ${getRemote().description} has no snapshot yet`);
        id = head.id;
        note = h.heads.length > 1 ? ` (head, the newest of ${h.heads.length})` : ' (head)';
      }
      const m = h.byId.get(id);
      if (!m) throw new TroveError('NOT_FOUND', `no snapshot ${ref} on ${getRemote().description}`);
      const file = await downloadSnapshotDb(getRemote(), m, lib.paths.tmpDir);
      return { path: file.path, label: `snapshot ${m.id}${note} by ${m.device.name}, ${m.created_at}`, cleanup: () => removeSync(file.path) };
    },
  };

  const backups: SideSource = {
    kind: 'backup',
    ids: () => listBackups(lib.paths, lib.state).map((b) => b.id),
    async resolve(id): Promise<ResolvedSide> {
      const b = listBackups(lib.paths, lib.state).find((x) => x.id === id);
      if (!b) throw new TroveError('NOT_FOUND', `no backup ${id} (see \`trove backups list\`)`);
      const copy = tempName(lib.paths.tmpDir, 'snapshot-backup-copy.db');
      try {
        fs.copyFileSync(b.file, copy);
      } catch (err) {
        removeSync(copy);
        throw new TroveError('NOT_FOUND', `backup ${b.id}: cannot read ${b.file}: ${(err as Error).message}`, { cause: err });
      }
      return { path: copy, label: `backup ${b.id} (${b.reason}, ${b.createdAt})`, cleanup: () => removeSync(copy) };
    },
  };
  return [snapshots, backups];
}
