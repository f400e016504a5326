// The remote (stored) size of each object a download wants, in as few requests as the server allows:
// per type, one stat each or one listing of the type's folder (sizeSource). Used by the download
// worker (for items the catalogue has no recorded size for) and by the download probe.
import PQueue from 'p-queue';
import { blobKey, sha1OfBlobKey } from '../../store/blob/blob-key.js';
import type { Remote } from '../remote/remote.js';
import { sizeSource } from './download-plan.js';

/**
 * Remote (stored) sizes of the queued objects; absent objects are missing from the map. Per type,
 * one stat each or one listing of the type's folder, whichever costs fewer requests (sizeSource;
 * `known(type)` is how many files of that type the catalogue has).
 */
export async function remoteSizes(remote: Remote, items: readonly { sha1: string; type: string }[], concurrency: number, known: (type: string) => number): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  const byType = new Map<string, { sha1: string; type: string }[]>();
  for (const i of items) {
    const list = byType.get(i.type);
    if (list) list.push(i);
    else byType.set(i.type, [i]);
  }
  const toStat: { sha1: string; type: string }[] = [];
  for (const [type, wanted] of byType) {
    if (sizeSource(wanted.length, known(type)) === 'stat') {
      toStat.push(...wanted);
      continue;
    }
    const want = new Set(wanted.map((i) => i.sha1));
    for (const e of await remote.list(`${type}/`)) {
      const sha1 = sha1OfBlobKey(e.key);
      if (sha1 && want.has(sha1)) sizes.set(sha1, e.size);
    }
  }
  const q = new PQueue({ concurrency });
  await Promise.all(
    toStat.map((i) =>
      q.add(async () => {
        const st = await remote.stat(blobKey(i.type, i.sha1));
        if (st) sizes.set(i.sha1, st.size);
      }),
    ),
  );
  return sizes;
}
