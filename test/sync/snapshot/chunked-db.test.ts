import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateBigCatalog } from '../../../fixtures/big-catalog.js';
import { decodeChunkIndex, encodeChunkIndex } from '../../../src/sync/snapshot/chunk-index.js';
import { chunkBytesFor, loadChunkIndex } from '../../../src/sync/snapshot/chunked-db.js';
import { chunkKey } from '../../../src/sync/snapshot/manifest.js';
import type { ReadOptions } from '../../../src/sync/remote/remote.js';
import { syncPull, syncPush } from '../../../src/sync/snapshot/push-pull.js';
import { tempDir } from '../../helpers/cli.js';
import { makeDevice, remoteSpec } from './helpers.js';

const root = tempDir();
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('chunk index', () => {
  it('round-trips and rejects damage', () => {
    const entries = [
      { sha1: 'a'.repeat(40), compressedSize: 123 },
      { sha1: 'b'.repeat(40), compressedSize: 70000 },
    ];
    const bytes = encodeChunkIndex(65536, entries);
    expect(decodeChunkIndex(bytes, 'x')).toEqual({ chunkBytes: 65536, entries });
    expect(() => decodeChunkIndex(bytes.subarray(0, bytes.length - 1), 'x')).toThrow(/truncated/);
    expect(() => decodeChunkIndex(Buffer.from('nope\n'), 'x')).toThrow(/not a trove chunk index/);
  });
});

describe('chunked snapshots', () => {
  it('a push after editing 10 releases of 20k uploads under 10% of a full snapshot, and pulls rebuild it exactly', async () => {
    const spec = remoteSpec('fs', root);
    const a = makeDevice(root, 'big/alpha', spec);
    generateBigCatalog(a.dir, { releases: 20_000 });
    const b = makeDevice(root, 'big/beta', spec);
    const full = await a.with((lib, remote) => syncPush(lib, remote));
    expect(full.snapshot!.database.format).toBe('chunks');
    await b.with((lib, remote) => syncPull(lib, remote));
    const edited = await a.with(async (lib, remote) => {
      const spread = lib.db.prepare('SELECT id FROM release ORDER BY id LIMIT 1 OFFSET ?');
      const ids = Array.from({ length: 10 }, (_, i) => spread.get(i * 1999) as { id: string });
      for (const { id } of ids) lib.db.prepare("UPDATE release SET name = name || ' [edited]', updated_at = '2026-06-01T00:00:00.000Z' WHERE id = ?").run(id);
      return syncPush(lib, remote);
    });
    expect(edited.uploadedBytes).toBeGreaterThan(0);
    expect(edited.uploadedBytes / full.uploadedBytes).toBeLessThan(0.1);
    // B reuses the chunks it already has in collection.db: it downloads only the changed ones.
    const chunkReads: string[] = [];
    await b.with(async (lib, remote) => {
      // Chunks are fetched by `read` with their recorded size (bounded); count `readAll` too.
      const counting = new Proxy(remote, {
        get: (target, prop, receiver) =>
          prop === 'readAll' || prop === 'read'
            ? (key: string, opts?: ReadOptions) => {
                if (key.startsWith('metadata/chunks/')) chunkReads.push(key);
                return prop === 'read' ? target.read(key, opts) : target.readAll(key);
              }
            : Reflect.get(target, prop, receiver),
      });
      expect((await syncPull(lib, counting)).plan.kind).toBe('fast-forward');
    });
    const total = Math.ceil(edited.snapshot!.database.size / edited.snapshot!.database.chunk_bytes!);
    expect(chunkReads.length).toBeGreaterThan(0);
    expect(chunkReads.length / total).toBeLessThan(0.1);
    await b.with((lib) => expect((lib.db.prepare("SELECT count(*) AS n FROM release WHERE name LIKE '%[edited]'").get() as { n: number }).n).toBe(10));
  });

  it('replaces a chunk left damaged by an interrupted upload instead of trusting it', async () => {
    const spec = remoteSpec('fs', root);
    const a = makeDevice(root, 'damaged/alpha', spec);
    generateBigCatalog(a.dir, { releases: 300 });
    const first = await a.with((lib, remote) => syncPush(lib, remote));
    const entries = await a.with((lib, remote) => loadChunkIndex(remote, first.snapshot!.database, 'test'));
    const victim = path.join(spec.options.root!, ...chunkKey(entries[0]!.sha1).split('/'));
    fs.truncateSync(victim, 10);
    // A second device pushing the same content (no parent chunks known) must repair it.
    const c = makeDevice(root, 'damaged/gamma', spec);
    fs.copyFileSync(path.join(a.dir, 'collection.db'), path.join(c.dir, 'collection.db'));
    await c.with(async (lib, remote) => {
      await expect(syncPush(lib, remote)).rejects.toThrow(/push refused/); // its base is null: the remote has a head
      return syncPush(lib, remote, { force: true });
    });
    expect(fs.statSync(victim).size).toBeGreaterThan(10);
    const d = makeDevice(root, 'damaged/delta', spec);
    await d.with(async (lib, remote) => expect((await syncPull(lib, remote, { resolve: 'cloud' })).plan.kind).toBe('take-cloud'));
  });
});

describe('chunk size', () => {
  it.each([
    [0, 64 * 1024],
    [30 * 1024 * 1024, 64 * 1024],
    [128 * 1024 * 1024 - 1, 64 * 1024],
    [128 * 1024 * 1024, 256 * 1024],
    [4 * 1024 * 1024 * 1024, 256 * 1024],
  ])('a database of %i bytes is cut into chunks of %i', (size, chunk) => {
    expect(chunkBytesFor(size)).toBe(chunk);
    expect(chunk % 65536).toBe(0); // page-aligned for every SQLite page size
  });
});
