// What an upload sends, checked as it goes: a good blob streams byte-identical and ends; a damaged
// one throws before its stream ends (so a remote writer never reaches close()); a consumer that
// stops early (the remote failed) leaves nothing hanging.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobKey, blobPath } from '../../../src/store/blob/blob-key.js';
import { readVerifiedBlob, streamVerifiedBlob, type LocalBlob } from '../../../src/sync/transfer/upload-source.js';
import { libraryWithFiles, type Fixture } from './library-fixture.js';

let fx: Fixture;
let big: LocalBlob;
let small: LocalBlob;
beforeAll(async () => {
  fx = await libraryWithFiles({ systems: 1, titlesPerSystem: 1, bigFileBytes: 24 * 1024 * 1024 });
  const rows = fx.lib.db.prepare('SELECT sha1, type, size, stored_bytes AS stored FROM state.local_blob ORDER BY stored_bytes').all() as { sha1: string; type: string; size: number; stored: number }[];
  const as = (r: (typeof rows)[number]): LocalBlob => ({ file: blobPath(fx.lib.paths.storeDir, r.type, r.sha1), key: blobKey(r.type, r.sha1), expected: { sha1: r.sha1, size: r.size } });
  big = as(rows.at(-1)!);
  small = as(rows[0]!);
  expect(rows.at(-1)!.stored).toBeGreaterThan(8 * 1024 * 1024);
});
afterAll(() => fx?.cleanup());

/** A copy of the blob with one byte flipped at `at(size)`. */
function damagedCopy(b: LocalBlob, at: (n: number) => number): LocalBlob {
  const bytes = fs.readFileSync(b.file);
  bytes[at(bytes.length)]! ^= 0xff;
  const file = `${b.file}.damaged`;
  fs.writeFileSync(file, bytes);
  return { ...b, file };
}

async function drain(b: LocalBlob): Promise<{ chunks: Buffer[]; ended: boolean; error?: unknown; counted: number }> {
  const chunks: Buffer[] = [];
  let counted = 0;
  try {
    for await (const c of streamVerifiedBlob(b, (n) => (counted += n))) chunks.push(c);
    return { chunks, ended: true, counted };
  } catch (error) {
    return { chunks, ended: false, error, counted };
  }
}

describe('streamVerifiedBlob', () => {
  it('streams a good blob byte-identical to the file, and ends', async () => {
    const r = await drain(big);
    expect(r.ended).toBe(true);
    expect(Buffer.concat(r.chunks).equals(fs.readFileSync(big.file))).toBe(true);
    expect(r.counted).toBe(fs.statSync(big.file).size);
  });

  it.each([
    ['near its start', (n: number) => 100],
    ['in its last bytes', (n: number) => n - 20],
  ])('a blob damaged %s throws (naming sha1, file and `trove verify`) instead of ending', async (_, at) => {
    const bad = damagedCopy(big, at);
    const r = await drain(bad);
    expect(r.ended).toBe(false);
    const err = r.error as { code: string; message: string };
    expect(['CHECKSUM_MISMATCH', 'CORRUPT_BLOB']).toContain(err.code);
    expect(err.message).toContain(big.expected.sha1);
    expect(err.message).toContain(bad.file);
    expect(err.message).toContain('trove verify');
    fs.rmSync(bad.file);
  });

  it('a consumer that stops after the first chunk (the remote failed) leaves nothing running', async () => {
    for await (const _ of streamVerifiedBlob(big, () => undefined)) break;
    // And the blob can be streamed again at once.
    expect((await drain(big)).ended).toBe(true);
  });
});

describe('readVerifiedBlob', () => {
  it('returns a good blob whole and refuses a damaged one', async () => {
    expect((await readVerifiedBlob(small)).equals(fs.readFileSync(small.file))).toBe(true);
    const bad = damagedCopy(small, (n) => Math.floor(n / 2));
    await expect(readVerifiedBlob(bad)).rejects.toMatchObject({ message: expect.stringContaining('the local copy is damaged and was not uploaded') });
    fs.rmSync(bad.file);
  });
});
