import { describe, expect, it } from 'vitest';
import { chunkIndexBytes, encodeChunkIndex } from '../../../src/sync/snapshot/chunk-index.js';
import { chunkIndexKey, manifestKey, parseManifest, serializeManifest } from '../../../src/sync/snapshot/manifest.js';
import { manifest } from './fake-manifests.js';

const good = manifest(2, [1]);
const key = manifestKey(good.id);
const withField = (patch: Record<string, unknown>) => JSON.stringify({ ...good, ...patch });

/** A chunked database reference of `size` bytes in 64 KiB chunks whose index declares `indexSize` bytes. */
function chunked(size: number, indexSize: number) {
  const indexSha1 = 'ab'.repeat(20);
  return { format: 'chunks', key: chunkIndexKey(indexSha1), sha1: 'cd'.repeat(20), size, compressed_size: 1000, chunk_bytes: 65536, index: { sha1: indexSha1, size: indexSize, compressed_size: 100 } };
}

describe('parseManifest', () => {
  it('takes a chunked database whose index is exactly as long as its size and chunk size make it', () => {
    const database = chunked(300_000, chunkIndexBytes(65536, 300_000));
    const entries = Array.from({ length: 5 }, () => ({ sha1: '00'.repeat(20), compressedSize: 1 }));
    expect(encodeChunkIndex(65536, entries).length).toBe(database.index.size); // ceil(300,000 / 65,536) = 5 chunks
    expect(parseManifest(withField({ database }), key).database).toEqual(database);
  });
  it('round-trips a manifest', () => {
    expect(parseManifest(serializeManifest(good), key)).toEqual(good);
  });
  const bad: [string, string, RegExp][] = [
    ['not JSON', '{"id": ', /not JSON/],
    ['an empty object', '{}', /format/],
    ['an id that does not match its key', withField({ id: manifest(3, []).id }), /does not match its key/],
    ['a parent that is not a snapshot id', withField({ parents: ['x'] }), /parents/],
    ['itself as parent', withField({ parents: [good.id] }), /parents/],
    ['a blob key that is not the content address of its sha1', withField({ database: { ...good.database, key: 'rom/aa/evil.zst' } }), /content address/],
    ['a negative size', withField({ database: { ...good.database, size: -1 } }), /database.size/],
    ['a non-integer schema version', withField({ schema_version: 1.5 }), /schema_version/],
    ['a bad date', withField({ created_at: 'yesterday' }), /created_at/],
    ['a chunk index larger than its database needs (a forged index of 1 TB)', withField({ database: chunked(300_000, 1e12) }), /database.index.size 1000000000000 is not the \d+ bytes/],
    ['a chunk index one entry short', withField({ database: chunked(300_000, chunkIndexBytes(65536, 300_000) - 24) }), /database.index.size/],
  ];
  for (const [what, text, msg] of bad) {
    it(`rejects ${what}, naming the key`, () => {
      expect(() => parseManifest(text, key)).toThrow(msg);
      expect(() => parseManifest(text, key)).toThrow(key);
    });
  }
});
