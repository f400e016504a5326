// Two trove processes scanning into one library at once (QA3 G1, G6): each is a Library handle of its
// own here (its own SQLite connections and locks, as another process has), and the scan's
// afterHashing hook holds one of them at the moment the other must not break it.
import { randomBytes, createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeDat, type FixtureDat } from '../../../fixtures/dat-writer.js';
import { importDats } from '../../../src/store/catalog/dat-import.js';
import { scanFolders } from '../../../src/store/catalog/scan.js';
import { buildReport } from '../../../src/store/catalog/report.js';
import { Library } from '../../../src/store/library.js';
import { verifyStore } from '../../../src/store/verify.js';
import { tempDir } from '../../helpers/cli.js';

let dir: string;
let a: Library;
let b: Library;
const files = () => path.join(dir, 'files');
const N = 6;
const SIZE = 64 * 1024;

function rom(name: string, bytes: Buffer, withSha1 = true) {
  return {
    name,
    size: bytes.length,
    crc32: (zlib.crc32(bytes) >>> 0).toString(16).padStart(8, '0'),
    md5: createHash('md5').update(bytes).digest('hex'),
    sha1: withSha1 ? createHash('sha1').update(bytes).digest('hex') : null,
  };
}

async function importDat(lib: Library, name: string, dat: FixtureDat) {
  const file = path.join(dir, name);
  await writeDat(file, dat, 'logiqx');
  await importDats(lib, [file]);
}

let contents: Buffer[];
beforeEach(async () => {
  dir = tempDir();
  const libDir = path.join(dir, 'lib');
  a = Library.init(libDir).library;
  b = Library.open(libDir);
  fs.mkdirSync(files());
  contents = Array.from({ length: N }, () => randomBytes(SIZE));
  contents.forEach((c, i) => fs.writeFileSync(path.join(files(), `f${i}.bin`), c));
});
afterEach(() => {
  a.close();
  b.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const want = () => buildReport(a.db).systems.find((x) => x.name === 'Want')!;

/** "Want": every file by sha1. "Other": one unrelated rom of the same size, so a scan against it stores every file and removes it again. */
async function wantAndOther(opts: { crcOnly?: boolean } = {}) {
  await importDat(a, 'want.dat', { name: 'Want', games: contents.map((c, i) => ({ name: `Game ${i}`, roms: [rom(`g${i}.bin`, c, !opts.crcOnly)] })) });
  await importDat(a, 'other.dat', { name: 'Other', games: [{ name: 'Unrelated', roms: [rom('u.bin', randomBytes(SIZE))] }] });
}

describe('two scans of one library at once', () => {
  it('a scan does not remove the blobs it stored for nothing once another scan has recorded them', async () => {
    await wantAndOther();
    // A (against Other) has stored every file; before it removes them as unmatched, B (against Want)
    // scans the same files — finding the blobs already stored — and records them.
    let bReport: Awaited<ReturnType<typeof scanFolders>> | undefined;
    const aReport = await scanFolders(a, [files()], {
      system: 'Other',
      afterHashing: async () => {
        bReport = await scanFolders(b, [files()], { system: 'Want' });
      },
    });
    expect(aReport.matches).toHaveLength(0);
    expect(bReport!.errors).toEqual([]);
    expect(bReport!.matched.sha1).toBe(N);
    expect(want().releases.complete).toBe(N);
    const v = await verifyStore(a);
    expect(v.bad).toEqual([]);
    expect(v.checked).toBe(N);
  });

  it('a scan that found blobs another scan then removed records nothing and says so (BUSY), instead of naming blobs that are gone', async () => {
    await wantAndOther();
    // A (against Other) stores every file, then waits; B (against Want) hashes the same files and
    // finds A's blobs; A then removes them as unmatched; only then does B record.
    let release!: () => void;
    const bHashed = new Promise<void>((r) => (release = r));
    let aDone!: Promise<unknown>;
    let resolveAStarted!: () => void;
    const aPaused = new Promise<void>((r) => (resolveAStarted = r));
    aDone = scanFolders(a, [files()], {
      system: 'Other',
      afterHashing: async () => {
        resolveAStarted();
        await bHashed;
      },
    });
    await aPaused;
    const bRun = scanFolders(b, [files()], {
      system: 'Want',
      afterHashing: async () => {
        release();
        await aDone;
      },
    });
    await aDone;
    const err = await bRun.then(
      () => undefined,
      (e: unknown) => e as { code?: string; message?: string },
    );
    expect(err?.code).toBe('BUSY');
    expect(err?.message).toMatch(/was removed from the store by another trove process .*run the command again/);
    // Nothing recorded, nothing claimed: no local_blob row, the report shows nothing held.
    expect(b.state.prepare('SELECT count(*) FROM local_blob').pluck().get()).toBe(0);
    expect(want().releases.complete).toBe(0);
    expect((await verifyStore(a)).bad).toEqual([]);
    // The user runs it again: everything is stored and verifies.
    const again = await scanFolders(b, [files()], { system: 'Want' });
    expect(again.stored).toBe(N);
    expect(want().releases.complete).toBe(N);
    expect((await verifyStore(a)).bad).toEqual([]);
  });

  it('a scan whose crc32-only targets a dat import removed meanwhile reports them instead of failing on a foreign key (G6)', async () => {
    await wantAndOther({ crcOnly: true });
    const r = await scanFolders(a, [files()], {
      system: 'Want',
      afterHashing: async () => {
        // A newer DAT of the same system lists none of those games.
        await importDat(b, 'want2.dat', { name: 'Want', version: '2', games: [{ name: 'Something else', roms: [rom('s.bin', randomBytes(100))] }] });
      },
    });
    expect(r.errors).toHaveLength(N);
    for (const e of r.errors) {
      expect(e.code).toBe('BUSY');
      expect(e.message).toMatch(/removed from the catalogue while this scan ran; not recorded there: run the scan again/);
    }
    expect(r.matches).toHaveLength(0);
    // The blobs stored for those matches are not left behind unrecorded.
    expect(a.state.prepare('SELECT count(*) FROM local_blob').pluck().get()).toBe(0);
    const v = await verifyStore(a);
    expect(v.bad).toEqual([]);
    expect(v.checked).toBe(0);
  });
});
