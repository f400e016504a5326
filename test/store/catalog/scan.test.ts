import { createHash } from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateCollection, type GeneratedRelease } from '../../../fixtures/collection.js';
import { datFromCollection, writeDat, type FixtureDat } from '../../../fixtures/dat-writer.js';
import { importDats } from '../../../src/store/catalog/dat-import.js';
import { scanFolders } from '../../../src/store/catalog/scan.js';
import { buildReport } from '../../../src/store/catalog/report.js';
import { Library } from '../../../src/store/library.js';
import { blobPath } from '../../../src/store/blob/blob-key.js';
import { exportTarget } from '../../../src/store/export.js';
import { resolveRelease } from '../../../src/store/repo/resolve.js';
import { tempDir } from '../../helpers/cli.js';
import { sabotageCommit } from '../../helpers/sabotage-commit.js';

let dir: string;
let lib: Library;
let releases: GeneratedRelease[];
let dat: FixtureDat;
const files = () => path.join(dir, 'files');

beforeEach(async () => {
  dir = tempDir();
  lib = Library.init(path.join(dir, 'lib')).library;
  releases = await generateCollection(files(), { systems: 1, titlesPerSystem: 5, regionsPerTitle: 2, manuals: false, boxArt: false, romBytes: [200, 4000] });
  dat = await datFromCollection(releases, { crcOnlyEvery: 4 });
  await writeDat(path.join(dir, 'sys.dat'), dat, 'logiqx');
  await importDats(lib, [path.join(dir, 'sys.dat')]);
});
afterEach(() => {
  lib.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const romFiles = () => releases.flatMap((r) => r.fileSets.flatMap((s) => s.files));
const count = (sql: string, ...params: unknown[]) => lib.db.prepare(sql).pluck().get(...params) as number;

/** Every file under `root`, relative. */
function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}

describe('scanFolders', () => {
  it('stores files matching by sha1 and, flagged weaker, by crc32 + size; lists the rest untouched', async () => {
    fs.writeFileSync(path.join(files(), 'stray.bin'), 'not in any DAT');
    const r = await scanFolders(lib, [files()]);
    expect(r.files).toBe(11);
    expect(r.matched).toEqual({ sha1: 8, crc32: 2 });
    expect(r.stored).toBe(10);
    expect(r.unmatched).toEqual([path.join(files(), 'stray.bin')]);
    expect(r.errors).toEqual([]);
    const weak = r.matches.filter((m) => m.kind === 'crc32');
    expect(weak.map((m) => m.roms)).toEqual([[path.basename(weak[0]!.path)], [path.basename(weak[1]!.path)]]);
    for (const f of romFiles()) {
      expect(fs.existsSync(blobPath(lib.paths.storeDir, 'rom', f.sha1))).toBe(true);
      expect(count('SELECT count(*) FROM state.local_blob WHERE sha1 = ?', f.sha1)).toBe(1);
    }
    // The crc32-only roms now have their sha1 recorded and are members of their file sets.
    expect(count('SELECT count(*) FROM dat_rom WHERE matched_sha1 IS NOT NULL')).toBe(2);
    expect(count('SELECT count(*) FROM file_set_file')).toBe(10);
    expect(fs.readFileSync(path.join(files(), 'stray.bin'), 'utf8')).toBe('not in any DAT');
    const report = buildReport(lib.db);
    expect(report.systems[0]).toMatchObject({ releases: { total: 10, complete: 10, partial: 0, missing: 0 }, files: { total: 10, have: 10, missing: 0, weak: 2 } });
    expect(report.unmatchedAnySystem).toBe(1);
  });

  it('queues what it stores for upload when asked (a remote is set), as add does; not otherwise (QA2-E F10)', async () => {
    const r = await scanFolders(lib, [files()], { queueUploads: true });
    expect(r.stored).toBe(10);
    expect(count("SELECT count(*) FROM file_sync_log WHERE state = 'UploadPending'")).toBe(10);
  });

  it('queues nothing without a remote', async () => {
    await scanFolders(lib, [files()]);
    expect(count('SELECT count(*) FROM file_sync_log')).toBe(0);
  });

  it('rescans unchanged files from the cache, and rehashes a file changed in place with its mtime kept', async () => {
    const first = await scanFolders(lib, [files()]);
    expect(first).toMatchObject({ cached: 0, hashed: 10 });
    const second = await scanFolders(lib, [files()]);
    expect(second).toMatchObject({ cached: 10, hashed: 0, stored: 0, matched: { sha1: 10, crc32: 0 } });

    const victim = romFiles()[0]!.path;
    const st = fs.statSync(victim);
    const bytes = fs.readFileSync(victim);
    bytes[0] = bytes[0]! ^ 0xff;
    fs.writeFileSync(victim, bytes);
    fs.utimesSync(victim, st.atime, st.mtime); // same size, same mtime: only the fingerprint can tell
    const third = await scanFolders(lib, [files()]);
    expect(third).toMatchObject({ cached: 9, hashed: 1 });
    expect(third.unmatched).toEqual([victim]);
  });

  it('stores a file while hashing only when its size can match, and removes the blob when its content does not', async () => {
    const target = romFiles()[0]!;
    const impostor = path.join(dir, 'impostor');
    fs.mkdirSync(impostor);
    fs.writeFileSync(path.join(impostor, 'same-size.bin'), Buffer.alloc(target.size, 7));
    const before = tree(lib.paths.storeDir);
    const r = await scanFolders(lib, [impostor]);
    expect(r).toMatchObject({ unmatched: [path.join(impostor, 'same-size.bin')], stored: 0, errors: [] });
    expect(tree(lib.paths.storeDir)).toEqual(before);
    expect(tree(lib.paths.tmpDir)).toEqual([]);
  });

  it('forgets cache rows of files that are gone', async () => {
    await scanFolders(lib, [files()]);
    const gone = romFiles()[1]!.path;
    fs.rmSync(gone);
    await scanFolders(lib, [files()]);
    expect(count('SELECT count(*) FROM state.scan_file WHERE path = ?', gone)).toBe(0);
    expect(count('SELECT count(*) FROM state.scan_file')).toBe(9);
  });

  it('with --system matches only that system and counts unmatched files against it', async () => {
    const other = path.join(dir, 'other.dat');
    await writeDat(other, { name: 'Other System', games: [{ name: 'Nothing (USA)', roms: [{ name: 'n.bin', size: 1, crc32: '00000001', md5: null, sha1: '5'.repeat(40) }] }] }, 'clrmamepro');
    await importDats(lib, [other]);
    const r = await scanFolders(lib, [files()], { system: 'Other System' });
    expect(r.matched).toEqual({ sha1: 0, crc32: 0 });
    expect(r.unmatched).toHaveLength(10);
    const report = buildReport(lib.db);
    expect(report.systems.find((s) => s.name === 'Other System')?.unmatched).toBe(10);
    expect(report.unmatchedAnySystem).toBe(0);
  });

  it('writes nothing but blobs under store/ and the databases, whatever the rom names say', async () => {
    const evilDir = path.join(dir, 'evil');
    fs.mkdirSync(evilDir);
    const names = ['../../escaped.bin', '/tmp/absolute-escape.bin', 'back\\slash\\..\\..\\x.bin', 'ctl\u0001\u001b.bin'];
    const games = names.map((name, i) => {
      const content = Buffer.from(`evil content ${i}`);
      fs.writeFileSync(path.join(evilDir, `plain${i}.bin`), content);
      return { name: `Evil ${i} (USA)`, roms: [{ name, size: content.length, crc32: null, md5: null, sha1: createHash('sha1').update(content).digest('hex') as string | null }] };
    });
    games[0]!.roms[0]!.crc32 = zlib.crc32(Buffer.from('evil content 0')).toString(16).padStart(8, '0') as unknown as null;
    games[0]!.roms[0]!.sha1 = null; // this one can only match by crc32
    await writeDat(path.join(dir, 'evil.dat'), { name: 'Evil System', games }, 'clrmamepro'); // XML cannot carry control characters
    await importDats(lib, [path.join(dir, 'evil.dat')]);
    const dirBefore = tree(dir);
    const libBefore = new Set(tree(lib.paths.dir));
    const r = await scanFolders(lib, [evilDir]);
    expect(r.matched).toEqual({ sha1: 3, crc32: 1 });
    const created = tree(lib.paths.dir).filter((p) => !libBefore.has(p));
    expect(created.length).toBeGreaterThan(0);
    for (const p of created) expect(p).toMatch(/^store\/rom\/[0-9a-f]{2}\/[0-9a-f]{40}\.zst$|^(collection|state)\.db(-wal|-shm)?$/);
    const libRel = path.relative(dir, lib.paths.dir);
    expect(tree(dir).filter((p) => !p.startsWith(libRel + '/'))).toEqual(dirBefore.filter((p) => !p.startsWith(libRel + '/')));
    for (const base of [lib.paths.dir, lib.paths.storeDir, lib.paths.tmpDir, path.join(lib.paths.storeDir, 'rom', 'ab'), evilDir, process.cwd()]) {
      for (const n of names) expect(fs.existsSync(path.resolve(base, n))).toBe(false);
    }
    // Export refuses every one of them before writing anything.
    const out = path.join(dir, 'deep', 'out');
    fs.mkdirSync(out, { recursive: true });
    for (let i = 0; i < names.length; i++) {
      await expect(exportTarget(lib, resolveRelease(lib.db, `Evil ${i} (USA)`), out)).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    }
    expect(tree(path.join(dir, 'deep'))).toEqual([]);
    for (const base of [out, path.join(dir, 'deep'), dir]) for (const n of names) expect(fs.existsSync(path.resolve(base, n))).toBe(false);
    // The names are stored as given.
    expect((lib.db.prepare("SELECT name FROM file_set_file ORDER BY name").pluck().all() as string[]).filter((n) => names.includes(n)).sort()).toEqual([...names].sort());
  });

  it("stores and records nothing when the catalogue's commit fails after the local rows committed", async () => {
    const before = { local: count('SELECT count(*) FROM state.local_blob'), members: count('SELECT count(*) FROM file_set_file') };
    sabotageCommit(lib.db, 'file_set_file'); // scan adds the crc32-only matches as members
    await expect(scanFolders(lib, [files()])).rejects.toThrow(/FOREIGN KEY/);
    expect(count('SELECT count(*) FROM state.local_blob')).toBe(before.local);
    expect(count('SELECT count(*) FROM file_set_file')).toBe(before.members);
    expect(fs.existsSync(lib.paths.storeDir) ? tree(lib.paths.storeDir) : []).toEqual([]);
  });

  it("stores and records nothing when the local rows' commit fails (the catalogue never commits)", async () => {
    const before = count('SELECT count(*) FROM dat_rom WHERE matched_sha1 IS NOT NULL');
    sabotageCommit(lib.state, 'local_blob');
    await expect(scanFolders(lib, [files()])).rejects.toThrow(/cannot record the blobs/);
    expect(count('SELECT count(*) FROM state.local_blob')).toBe(0);
    expect(count('SELECT count(*) FROM dat_rom WHERE matched_sha1 IS NOT NULL')).toBe(before);
    expect(count('SELECT count(*) FROM state.scan_file')).toBe(0);
    expect(fs.existsSync(lib.paths.storeDir) ? tree(lib.paths.storeDir) : []).toEqual([]);
  });
});
