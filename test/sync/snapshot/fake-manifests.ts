// Plain manifests for the pure plan tests: ids ordered by a counter, content refs derived from the id.
import { createHash } from 'node:crypto';
import { uuidv7 } from '../../../src/store/ids.js';
import { databaseKey, fileListKey, MANIFEST_FORMAT, type SnapshotManifest } from '../../../src/sync/snapshot/manifest.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
export const DEVICES: Record<string, string> = {
  A: '01a00000-0000-7000-8000-00000000000a',
  B: '01a00000-0000-7000-8000-00000000000b',
  C: '01a00000-0000-7000-8000-00000000000c',
};

/** Snapshot ids S1, S2, … with creation order = number. */
export function sid(n: number): string {
  return fixedId(n);
}

const ids = new Map<number, string>();
function fixedId(n: number): string {
  let id = ids.get(n);
  if (!id) {
    id = uuidv7(T0 + n * 1000);
    ids.set(n, id);
  }
  return id;
}

export function manifest(n: number, parents: number[], device: keyof typeof DEVICES = 'A'): SnapshotManifest {
  const sha1 = createHash('sha1').update(`db${n}`).digest('hex');
  const listSha1 = createHash('sha1').update(`list${n}`).digest('hex');
  return {
    format: MANIFEST_FORMAT,
    id: sid(n),
    parents: parents.map(sid),
    device: { id: DEVICES[device]!, name: device },
    device_base: parents.length ? sid(parents[0]!) : null,
    created_at: new Date(T0 + n * 1000).toISOString(),
    schema_version: 1,
    database: { key: databaseKey(sha1), sha1, size: 1000, compressed_size: 100 },
    file_list: { key: fileListKey(listSha1), sha1: listSha1, size: 10, compressed_size: 10, count: 0 },
    row_counts: { release: n },
  };
}
