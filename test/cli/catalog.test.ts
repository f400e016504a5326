// End to end through the built CLI: trove dat import / dat list / scan / report (+ --fixdat).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCollection, type GeneratedRelease } from '../../fixtures/collection.js';
import { datFromCollection, writeDat } from '../../fixtures/dat-writer.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { ATARI, NES, SNES } from '../store/catalog/real-dats.js';

let dir: string;
let library: string;
/** A small library of its own for scan / report / export, so those runs do not carry the real DATs. */
let small: string;
let releases: GeneratedRelease[];
const trove = (...args: string[]) => runCli(['--library', library, ...args]);
const json = async (...args: string[]) => {
  const r = await trove(...args, '--json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

beforeAll(async () => {
  dir = tempDir();
  library = path.join(dir, 'lib');
  expect((await runCli(['init', '--library', library])).code).toBe(0);
  small = path.join(dir, 'small');
  expect((await runCli(['init', '--library', small])).code).toBe(0);
  releases = await generateCollection(path.join(dir, 'files'), { systems: 1, titlesPerSystem: 3, regionsPerTitle: 2, manuals: false, boxArt: false, romBytes: [100, 2000] });
  // Its own system name: the generator's first system is SNES, which the real SNES DAT also feeds.
  await writeDat(path.join(dir, 'gen.dat'), { ...(await datFromCollection(releases, { crcOnlyEvery: 3 })), name: 'Generated System' }, 'clrmamepro');
  await writeDat(path.join(dir, 'other.dat'), { name: 'Other System', games: [{ name: 'Other (USA)', roms: [{ name: 'o.bin', size: 3, crc32: '00000003', md5: null, sha1: '3'.repeat(40) }] }] }, 'logiqx');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('trove dat import', () => {
  it('imports the three real DATs and reports their counts', async () => {
    const out = await json('dat', 'import', NES, SNES, ATARI);
    expect(out.imports.map((i: { system: string; games: number; releases: number }) => [i.system, i.games, i.releases])).toEqual([
      ['Nintendo - Nintendo Entertainment System', 14132, 7053],
      ['Nintendo - Super Nintendo Entertainment System', 4110, 4110],
      ['Atari - 2600', 905, 898],
    ]);
    expect(out.imports[0].duplicates).toHaveLength(7047);
    // Every count in the summary is of game entries, on the first import as on the next.
    expect(out.imports[2]).toMatchObject({ addedGames: 905, unchanged: 0 });
    expect(out.imports[2].added).toHaveLength(898);
    const text = await trove('dat', 'import', ATARI);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('905 games (898 releases), 905 roms; games: 0 added, 0 changed, 0 removed, 905 unchanged');
    expect(text.stdout).toContain('duplicate');
    const list = await json('dat', 'list');
    expect(list.sources).toHaveLength(3);
  });

  it('refuses a malformed DAT with file and line, exit 1, nothing imported', async () => {
    const bad = path.join(dir, 'broken.dat');
    fs.writeFileSync(bad, '<?xml version="1.0"?>\n<datafile>\n<header><name>Broken</name></header>\n<game name="a">\n<rom name="r" size="1" crc="00000000"/>\n</datafile>\n');
    const r = await trove('dat', 'import', bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:6: broken XML`));
    const list = await json('dat', 'list');
    expect(list.sources.map((s: { name: string }) => s.name)).not.toContain('Broken');
  });
});

describe('trove scan and trove report', () => {
  const trove = (...args: string[]) => runCli(['--library', small, ...args]);
  const json = async (...args: string[]) => {
    const r = await trove(...args, '--json');
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };

  it('scans generated files against their DAT, reports, and writes a fixdat igir/RomVault can read', async () => {
    const system = 'Generated System';
    await json('dat', 'import', path.join(dir, 'gen.dat'), path.join(dir, 'other.dat'));
    const before = await json('report', '--system', system);
    expect(before.systems[0]).toMatchObject({ releases: { total: 6, missing: 6 }, files: { total: 6, have: 0, missing: 6 } });

    const firstHalf = releases.slice(0, 3).map((r) => path.dirname(r.fileSets[0]!.files[0]!.path));
    fs.writeFileSync(path.join(firstHalf[0]!, 'stray.txt'), 'stray');
    const scan = await json('scan', ...firstHalf, '--system', system);
    expect(scan.matched.sha1 + scan.matched.crc32).toBe(3);
    expect(scan.unmatched).toEqual([path.join(firstHalf[0]!, 'stray.txt')]);
    const again = await trove('scan', ...firstHalf, '--system', system);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('4 unchanged since the last scan');

    const report = await trove('report', '--system', system, '--missing');
    expect(report.code).toBe(0);
    expect(report.stdout).toContain('releases: 3 complete, 0 partial, 3 missing of 6');
    expect(report.stdout).toContain('unmatched scanned files: 1');
    for (const r of releases.slice(3)) expect(report.stdout).toContain(`missing ${system} › ${r.release}`);

    const fixdat = path.join(dir, 'fix.dat');
    const fx = await json('report', '--system', system, '--fixdat', fixdat);
    expect(fx.fixdats[0]).toMatchObject({ path: fixdat, games: 3, roms: 3 });
    // The fixdat is itself a DAT trove can import: a round trip through the Logiqx reader.
    const back = await json('dat', 'import', fixdat, '--system', 'Fixdat check', '--dry-run');
    expect(back.imports[0].added.sort()).toEqual(releases.slice(3).map((r) => r.release).sort());

    const several = await trove('report', '--fixdat', path.join(dir, 'all.dat'));
    expect(several.code).toBe(2);
    const folder = path.join(dir, 'fixdats');
    fs.mkdirSync(folder);
    expect((await trove('report', '--fixdat', folder)).code).toBe(0);
    expect(fs.readdirSync(folder).sort()).toEqual(['Generated System (fixdat).dat', 'Other System (fixdat).dat']);
  });

  it('export of a release whose rom name climbs out is refused and writes nothing', async () => {
    const evil = path.join(dir, 'evil.dat');
    const content = Buffer.from('evil');
    const sha1 = (await import('node:crypto')).createHash('sha1').update(content).digest('hex');
    await writeDat(evil, { name: 'Evil', games: [{ name: 'Evil (USA)', roms: [{ name: '../../../escaped.bin', size: 4, crc32: null, md5: null, sha1 }] }] }, 'logiqx');
    await json('dat', 'import', evil);
    fs.mkdirSync(path.join(dir, 'evilfiles'));
    fs.writeFileSync(path.join(dir, 'evilfiles', 'e.bin'), content);
    expect((await json('scan', path.join(dir, 'evilfiles'), '--system', 'Evil')).matched.sha1).toBe(1);
    const out = path.join(dir, 'a', 'b', 'out');
    fs.mkdirSync(out, { recursive: true });
    const r = await trove('export', 'Evil (USA)', out);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("'..' segment");
    expect(fs.existsSync(path.resolve(out, '../../../escaped.bin'))).toBe(false);
    expect(fs.readdirSync(out)).toEqual([]);
  });
});
