// A hostile remote: someone with write access to the bucket plants giant objects where trove keeps
// its metadata. Manifests, tombstones and base markers over 1 MiB are refused (CORRUPT_SNAPSHOT naming
// the key) before a byte of them is read; a chunk index, chunk or file list replaced by a giant is
// read no further than its recorded size. The fs remote uses sparse files (hundreds of MB listed,
// no disk used); one case runs against s3rver with a real 3 MB object.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TroveError } from '../../../src/store/errors.js';
import { uuidv7 } from '../../../src/store/ids.js';
import type { ReadOptions, Remote } from '../../../src/sync/remote/remote.js';
import { METADATA_MAX_BYTES, readDeclaredObject, readMetadataObject, recordedBytes, storedBound } from '../../../src/sync/snapshot/bounded-read.js';
import { chunkKey, fileListKey, manifestKey, prunedKey, type SnapshotManifest } from '../../../src/sync/snapshot/manifest.js';
import { listBaseMarkers } from '../../../src/sync/snapshot/manifest-store.js';
import { syncPull, syncPush } from '../../../src/sync/snapshot/push-pull.js';
import { syncStatus } from '../../../src/sync/snapshot/status.js';
import { blobsReferencedBySnapshots } from '../../../src/sync/snapshot/blob-references.js';
import { decodeChunkIndex } from '../../../src/sync/snapshot/chunk-index.js';
import { decompress } from '@mongodb-js/zstd';
import { tempDir } from '../../helpers/cli.js';
import { startS3rver, type S3Server } from '../../helpers/s3rver.js';
import { addRelease, makeDevice, remoteSpec, type Device } from './helpers.js';

const root = tempDir('trove-bounded-');
let s3: S3Server;
beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => {
  await s3?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

/** The real remote, counting the bytes each key handed over through read/readAll. */
function counting(remote: Remote): { remote: Remote; bytes: Map<string, number> } {
  const bytes = new Map<string, number>();
  const add = (key: string, n: number) => bytes.set(key, (bytes.get(key) ?? 0) + n);
  const wrapped = new Proxy(remote, {
    get(target, prop, receiver) {
      if (prop === 'read') {
        return async function* (key: string, opts?: ReadOptions) {
          for await (const c of target.read(key, opts)) {
            add(key, c.length);
            yield c;
          }
        };
      }
      if (prop === 'readAll') {
        return async (key: string) => {
          const b = await target.readAll(key);
          add(key, b.length);
          return b;
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
  return { remote: wrapped, bytes };
}

/** A file of `size` bytes at `key` under an fs remote's root, sparse (no disk used). */
function plantSparse(device: Device, key: string, size: number, head = Buffer.alloc(0)): void {
  const file = path.join(device.spec.options.root!, key);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, head);
  fs.truncateSync(file, size);
}

async function rejection(p: Promise<unknown>): Promise<TroveError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TroveError);
  return err as TroveError;
}

/** Two devices on a fresh fs remote; A has pushed one snapshot. */
async function pushedPair(name: string): Promise<{ a: Device; b: Device; manifest: SnapshotManifest }> {
  const spec = remoteSpec('fs', root);
  const a = makeDevice(root, `${name}/a`, spec);
  const b = makeDevice(root, `${name}/b`, spec);
  const pushed = await a.with(async (lib, remote) => {
    for (let i = 0; i < 30; i++) addRelease(lib, `Game ${i} (USA)`);
    return syncPush(lib, remote);
  });
  return { a, b, manifest: pushed.snapshot! };
}

describe('metadata objects (no recorded size): refused over 1 MiB before they are read', () => {
  it('a planted 400 MB manifest: sync status fails CORRUPT_SNAPSHOT naming it, and not a byte of it is read', async () => {
    const { b } = await pushedPair('manifest');
    const key = manifestKey(uuidv7());
    plantSparse(b, key, 400_000_000, Buffer.from('{"format":1,"pad":"'));
    await b.with(async (lib, remote) => {
      const c = counting(remote);
      const err = await rejection(syncStatus(lib, c.remote));
      expect(err.code).toBe('CORRUPT_SNAPSHOT');
      expect(err.message).toContain(key);
      expect(err.message).toMatch(/400000000 bytes, more than any trove writes \(limit 1048576\)/);
      expect(err.details.key).toBe(key);
      expect(c.bytes.get(key) ?? 0).toBe(0);
    });
  });

  it('a manifest just over the limit is refused; one just under is read (and judged on its content)', async () => {
    const { b } = await pushedPair('manifest-edge');
    const over = manifestKey(uuidv7());
    plantSparse(b, over, METADATA_MAX_BYTES + 1);
    await b.with(async (_lib, remote) => {
      const err = await rejection(readMetadataObject(remote, over, 'manifest'));
      expect(err.code).toBe('CORRUPT_SNAPSHOT');
      fs.truncateSync(path.join(b.spec.options.root!, over), METADATA_MAX_BYTES);
      expect((await readMetadataObject(remote, over, 'manifest')).length).toBe(METADATA_MAX_BYTES);
    });
  });

  it('a planted giant tombstone, and a giant base marker, are refused the same way', async () => {
    const { a, b, manifest } = await pushedPair('tombstone');
    const tomb = prunedKey(uuidv7());
    plantSparse(b, tomb, 50_000_000);
    await b.with(async (lib, remote) => {
      const c = counting(remote);
      const err = await rejection(syncPull(lib, c.remote));
      expect(err.code).toBe('CORRUPT_SNAPSHOT');
      expect(err.message).toContain(`tombstone ${tomb}`);
      expect(c.bytes.get(tomb) ?? 0).toBe(0);
    });
    fs.rmSync(path.join(b.spec.options.root!, tomb));
    const marker = `metadata/bases/${'d'.repeat(8)}/${uuidv7()}.json`;
    plantSparse(a, marker, 50_000_000);
    await a.with(async (_lib, remote) => {
      const c = counting(remote);
      const err = await rejection(listBaseMarkers(c.remote));
      expect(err.code).toBe('CORRUPT_SNAPSHOT');
      expect(err.message).toContain(`base marker ${marker}`);
      expect(c.bytes.get(marker) ?? 0).toBe(0);
    });
    void manifest;
  });

  it('on s3 (s3rver), the size from the listing refuses a planted 3 MB manifest unread', async () => {
    const spec = remoteSpec('s3', root, s3);
    const a = makeDevice(root, 's3/a', spec);
    const b = makeDevice(root, 's3/b', spec);
    await a.with(async (lib, remote) => {
      addRelease(lib, 'Game (USA)');
      await syncPush(lib, remote);
    });
    const key = manifestKey(uuidv7());
    await a.with((_lib, remote) => remote.write(key, Buffer.alloc(3 * 1024 * 1024, 0x41)));
    await b.with(async (lib, remote) => {
      const c = counting(remote);
      const err = await rejection(syncStatus(lib, c.remote));
      expect(err.code).toBe('CORRUPT_SNAPSHOT');
      expect(err.message).toContain(key);
      expect(err.message).toContain('3145728 bytes');
      expect(c.bytes.get(key) ?? 0).toBe(0);
    });
  });
});

describe('objects with a recorded size: never read past it', () => {
  it('a chunk index replaced by 300 MB: the pull fails CORRUPT_SNAPSHOT naming it, after reading only the recorded bytes', async () => {
    const { b, manifest } = await pushedPair('index');
    expect(manifest.database.format).toBe('chunks');
    const key = manifest.database.key;
    const recorded = manifest.database.index!.compressed_size;
    plantSparse(b, key, 300_000_000, Buffer.from('garbage, not a zstd frame'));
    await b.with(async (lib, remote) => {
      const c = counting(remote);
      const err = await rejection(syncPull(lib, c.remote));
      expect(err.code).toBe('CORRUPT_SNAPSHOT');
      expect(err.message).toContain(key);
      expect(err.message).toMatch(/300000000 bytes .*recorded: damaged or replaced \(not read\)/);
      expect(c.bytes.get(key)).toBe(recorded);
    });
  });

  it('a chunk replaced by 100 MB: the pull fails CORRUPT_SNAPSHOT naming it, after reading only its recorded bytes', async () => {
    const { b, manifest } = await pushedPair('chunk');
    const indexFile = path.join(b.spec.options.root!, manifest.database.key);
    const { entries } = decodeChunkIndex(Buffer.from(await decompress(fs.readFileSync(indexFile))), 'index');
    const key = chunkKey(entries[0]!.sha1);
    plantSparse(b, key, 100_000_000);
    await b.with(async (lib, remote) => {
      const c = counting(remote);
      const err = await rejection(syncPull(lib, c.remote));
      expect(err.code).toBe('CORRUPT_SNAPSHOT');
      expect(err.message).toContain(key);
      expect(c.bytes.get(key)).toBe(entries[0]!.compressedSize);
    });
  });

  it('a file list replaced by 200 MB: reading the lists (prune-blobs, drop) stops one read past its recorded size', async () => {
    const { b, manifest } = await pushedPair('file-list');
    const key = fileListKey(manifest.file_list.sha1);
    expect(key).toBe(manifest.file_list.key);
    const real = fs.readFileSync(path.join(b.spec.options.root!, key));
    plantSparse(b, key, 200_000_000, real); // the real list, then 200 MB of zeros
    await b.with(async (lib, remote) => {
      const c = counting(remote);
      const err = await rejection(blobsReferencedBySnapshots(c.remote, lib.state));
      expect(err.code).toBe('CORRUPT_BLOB');
      expect(err.message).toMatch(/larger than the \d+ bytes recorded for it/);
      expect(err.message).toContain(key);
      const bound = storedBound(manifest.file_list.compressed_size, manifest.file_list.size);
      expect(c.bytes.get(key)!).toBeLessThanOrEqual(bound + 1024 * 1024);
    });
  });
});

describe('bounded-read helpers', () => {
  it('readDeclaredObject reads exactly the recorded range, and takes the same content stored in another size', async () => {
    const spec = remoteSpec('fs', root);
    const d = makeDevice(root, 'helpers', spec);
    await d.with(async (_lib, remote) => {
      await remote.write('k', Buffer.from('0123456789'));
      const c = counting(remote);
      // Recorded 4: the first 4 bytes are handed over and accepted by the decoder.
      expect((await readDeclaredObject(c.remote, 'k', { recorded: 4, plain: 4 }, 'k', async (raw) => raw)).toString()).toBe('0123');
      expect(c.bytes.get('k')).toBe(4);
      // The decoder refuses the recorded range: the real size (within bounds) is tried once.
      let calls = 0;
      const got = await readDeclaredObject(c.remote, 'k', { recorded: 4, plain: 10 }, 'k', async (raw) => {
        calls++;
        if (raw.length !== 10) throw new TroveError('CHECKSUM_MISMATCH', 'short');
        return raw;
      });
      expect(got.toString()).toBe('0123456789');
      expect(calls).toBe(2);
      // Recorded longer than the object, which does not verify in its real size either: the
      // decoder's verdict, not a remote error.
      const verify = async (raw: Buffer) => {
        if (raw.length !== 20) throw new TroveError('CHECKSUM_MISMATCH', `got ${raw.length} bytes`);
        return raw;
      };
      const short = await rejection(readDeclaredObject(c.remote, 'k', { recorded: 20, plain: 20 }, 'k', verify));
      expect(short.code).toBe('CHECKSUM_MISMATCH');
      expect(short.message).toBe('got 10 bytes');
    });
  });

  it('readDeclaredObject refuses a recorded size no zstd encoding of the content takes, before reading a byte', async () => {
    const spec = remoteSpec('fs', root);
    const d = makeDevice(root, 'forged', spec);
    await d.with(async (_lib, remote) => {
      await remote.write('k', Buffer.alloc(1024 * 1024));
      const c = counting(remote);
      // A forged chunk index entry: 4 GB recorded for a 64 KiB chunk.
      const err = await rejection(readDeclaredObject(c.remote, 'k', { recorded: 4_000_000_000, plain: 65536 }, 'chunk', async (raw) => raw));
      expect(err.code).toBe('CORRUPT_SNAPSHOT');
      expect(err.message).toMatch(/chunk: k is recorded as 4000000000 bytes for 65536 bytes of content, more than any zstd encoding takes: not read/);
      expect(c.bytes.get('k') ?? 0).toBe(0);
      // At the bound itself it is read.
      const bound = storedBound(0, 65536);
      expect((await readDeclaredObject(c.remote, 'k', { recorded: bound, plain: 65536 }, 'chunk', async (raw) => raw)).length).toBe(bound);
    });
  });

  it('recordedBytes stops a stream past the bound', async () => {
    async function* source() {
      for (let i = 0; i < 1000; i++) yield Buffer.alloc(64 * 1024);
    }
    let seen = 0;
    const ref = { key: 'x', size: 10, compressed_size: 10 };
    const err = await rejection(
      (async () => {
        for await (const c of recordedBytes(source(), ref, 'x')) seen += c.length;
      })(),
    );
    expect(err.code).toBe('CORRUPT_BLOB');
    expect(seen).toBeLessThanOrEqual(storedBound(10, 10));
  });
});
