// Blob deletion safety, for the transfer queue: the remote blobs (`<type>/<sha1[0:2]>/<sha1>.zst`)
// that some retained snapshot's database still references. Each snapshot carries a compact,
// content-addressed file list (file-list.ts), so this reads a few MB per distinct list instead of
// whole databases; lists are immutable, so a caller may keep the result for the duration of a run.
// A blob absent from the result AND from the local catalogue may be deleted.
import type Database from 'better-sqlite3';
import pLimit from '../../store/limit.js';
import type { Remote } from '../remote/remote.js';
import { decodeFileList } from './file-list.js';
import { loadHistory } from './manifest-store.js';
import { downloadVerifiedBuffer } from './remote-content.js';

export async function blobsReferencedBySnapshots(remote: Remote, state: Database.Database): Promise<Set<string>> {
  const history = await loadHistory(remote, state, { allowMissingParents: true });
  const lists = new Map<string, (typeof history.heads)[number]['file_list']>();
  for (const m of history.byId.values()) lists.set(m.file_list.sha1, m.file_list);
  const out = new Set<string>();
  const limit = pLimit(4);
  await Promise.all(
    [...lists.values()].map((ref) =>
      limit(async () => {
        const label = `file list ${ref.key} on ${remote.description}`;
        for (const key of decodeFileList(await downloadVerifiedBuffer(remote, ref, label), label)) out.add(key);
      }),
    ),
  );
  return out;
}
