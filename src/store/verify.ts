// `trove verify`: re-hash every blob in the local store. Every problem names the sha1 and the path.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Library } from './library.js';
import { SHA1_RE } from './ids.js';
import { isFileType } from './blob/blob-key.js';
import { verifyBlobFile } from './blob/blob-reader.js';
import pLimit from './limit.js';

export interface VerifyProblem {
  sha1: string;
  path: string;
  problem: string;
}

export interface VerifyReport {
  checked: number;
  bytes: number;
  bad: VerifyProblem[];
}

async function listBlobs(storeDir: string): Promise<{ sha1: string; type: string; path: string }[]> {
  const out: { sha1: string; type: string; path: string }[] = [];
  for (const type of await fs.readdir(storeDir).catch(() => [] as string[])) {
    if (!isFileType(type)) continue;
    for (const prefix of await fs.readdir(path.join(storeDir, type)).catch(() => [] as string[])) {
      for (const name of await fs.readdir(path.join(storeDir, type, prefix)).catch(() => [] as string[])) {
        const sha1 = name.replace(/\.zst$/, '');
        if (name.endsWith('.zst') && SHA1_RE.test(sha1)) out.push({ sha1, type, path: path.join(storeDir, type, prefix, name) });
      }
    }
  }
  return out.sort((a, b) => (a.sha1 < b.sha1 ? -1 : 1));
}

export async function verifyStore(lib: Library, onProgress?: (done: number, total: number) => void): Promise<VerifyReport> {
  const blobs = await listBlobs(lib.paths.storeDir);
  const sizes = new Map((lib.db.prepare('SELECT sha1, size FROM file').all() as { sha1: string; size: number }[]).map((r) => [r.sha1, r.size]));
  const bad: VerifyProblem[] = [];
  let bytes = 0;
  let done = 0;
  const limit = pLimit(2);
  await Promise.all(
    blobs.map((b) =>
      limit(async () => {
        try {
          // Read `bytes` only after the await: `bytes += await …` would add to the value from before
          // it, losing what the other verification added meanwhile.
          const n = await verifyBlobFile(b.path, { sha1: b.sha1, size: sizes.get(b.sha1) }, `blob ${b.sha1}`);
          bytes += n;
        } catch (err) {
          bad.push({ sha1: b.sha1, path: b.path, problem: (err as Error).message });
        }
        onProgress?.(++done, blobs.length);
      }),
    ),
  );
  // Blobs this device believes it holds but that are gone from disk.
  const onDisk = new Set(blobs.map((b) => b.sha1));
  for (const row of lib.db.prepare('SELECT sha1, type FROM state.local_blob').all() as { sha1: string; type: string }[]) {
    if (!onDisk.has(row.sha1)) bad.push({ sha1: row.sha1, path: path.join(lib.paths.storeDir, row.type), problem: 'missing from the store' });
  }
  bad.sort((a, b) => (a.sha1 < b.sha1 ? -1 : 1));
  return { checked: blobs.length, bytes, bad };
}
