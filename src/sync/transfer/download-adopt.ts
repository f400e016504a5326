// Blobs a download run finished but never recorded: adopted (verified, then recorded) instead of
// fetched again.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir } from '../../store/atomic-fs.js';
import { verifyBlobFile } from '../../store/blob/blob-reader.js';
import { blobPath, type FileType } from '../../store/blob/blob-key.js';
import type { Library } from '../../store/library.js';
import { markLocal } from '../../store/repo/files.js';
import { removeDownload, type DownloadItem } from './download-queue.js';

/**
 * Queued items whose blob already sits at its final path without a `local_blob` row: a run was
 * interrupted (killed, a hard quit) between the rename and the batch that records it. Each is
 * verified again (SHA1 and size, as a download is) and, when whole, recorded instead of fetched;
 * a damaged one is left to the download, which renames a verified copy over it. Returns the items
 * still to download and how many were adopted.
 */
export async function adoptFinishedBlobs(lib: Library, items: DownloadItem[]): Promise<{ rest: DownloadItem[]; adopted: number }> {
  const rest: DownloadItem[] = [];
  const found: { item: DownloadItem; stored: number }[] = [];
  for (const i of items) {
    const file = blobPath(lib.paths.storeDir, i.type, i.sha1);
    const st = await fsp.stat(file).catch(() => undefined);
    if (!st?.isFile()) {
      rest.push(i);
      continue;
    }
    try {
      await verifyBlobFile(file, { sha1: i.sha1, size: i.size }, `blob ${i.sha1}`);
      found.push({ item: i, stored: st.size });
    } catch {
      rest.push(i);
    }
  }
  if (!found.length) return { rest, adopted: 0 };
  // The rename may not be durable yet (its directory was never fsynced): make it so before the row.
  await Promise.all([...new Set(found.map((f) => path.dirname(blobPath(lib.paths.storeDir, f.item.type, f.item.sha1))))].map((d) => fsyncDir(d)));
  lib.state.transaction(() => {
    for (const { item, stored } of found) {
      markLocal(lib.state, 'main', { sha1: item.sha1, type: item.type as FileType, size: item.size, storedBytes: stored });
      removeDownload(lib.state, item.sha1);
    }
  })();
  return { rest, adopted: found.length };
}
