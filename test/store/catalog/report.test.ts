import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateCollection } from '../../../fixtures/collection.js';
import { datFromCollection, writeDat } from '../../../fixtures/dat-writer.js';
import { importDats } from '../../../src/store/catalog/dat-import.js';
import { fixdatText, writeFixdat } from '../../../src/store/catalog/fixdat.js';
import { LogiqxParser } from '../../../src/store/catalog/logiqx-parser.js';
import { buildReport, countedAlternative, releaseStatus, type MissingRelease } from '../../../src/store/catalog/report.js';
import { scanFolders } from '../../../src/store/catalog/scan.js';
import type { DatGame } from '../../../src/store/catalog/dat-model.js';
import { Library } from '../../../src/store/library.js';
import { tempDir } from '../../helpers/cli.js';

describe('releaseStatus', () => {
  it.each([
    [[], 'noFiles'],
    [[{ expected: 0, have: 0 }], 'noFiles'],
    [[{ expected: 2, have: 2 }], 'complete'],
    [[{ expected: 2, have: 1 }], 'partial'],
    [[{ expected: 2, have: 0 }], 'missing'],
    // Alternative dumps under one name: one complete alternative completes the release.
    [[{ expected: 1, have: 1 }, { expected: 1, have: 0 }], 'complete'],
    [[{ expected: 2, have: 1 }, { expected: 1, have: 0 }], 'partial'],
    [[{ expected: 1, have: 0 }, { expected: 1, have: 0 }], 'missing'],
  ])('%j → %s', (sets, status) => expect(releaseStatus(sets)).toBe(status));
});

describe('countedAlternative', () => {
  const a = { expected: 1, have: 0 };
  const b = { expected: 1, have: 1 };
  const c = { expected: 3, have: 2 };
  const d = { expected: 2, have: 2 };
  it.each([
    [[], undefined],
    [[{ expected: 0, have: 0 }], undefined],
    [[a, b], b], // the complete one, wherever it is
    [[c, d], d],
    [[a, c], c], // else the one with most files held
    [[a, { expected: 5, have: 0 }], a], // else the first
  ])('%j → %j', (sets, counted) => expect(countedAlternative(sets)).toBe(counted));
});

function parseXml(text: string): DatGame[] {
  const games: DatGame[] = [];
  const p = new LogiqxParser('fixdat.dat', { header: () => undefined, game: (g) => games.push(g) });
  p.write(text);
  p.end();
  return games;
}

describe('fixdat', () => {
  const missing: MissingRelease[] = [
    {
      system: 'S',
      release: `Tom & Jerry <"Best"> 'Ed' (USA)`,
      status: 'missing',
      roms: [
        { fileSet: 'rom', name: 'a&b <c>.bin', size: 10, crc32: '0000000a', md5: null, sha1: 'a'.repeat(40) },
        { fileSet: 'rom', name: 'tab\there\nnewline.bin', size: 11, crc32: '0000000b', md5: 'b'.repeat(32), sha1: null },
        { fileSet: 'rom 2', name: 'bell\u0007.bin', size: 12, crc32: '0000000c', md5: null, sha1: 'c'.repeat(40) },
      ],
    },
    { system: 'S', release: 'Ctl\u0001 (USA)', status: 'missing', roms: [{ fileSet: 'rom', name: 'x', size: 1, crc32: null, md5: null, sha1: 'd'.repeat(40) }] },
  ];

  it('writes well-formed Logiqx XML that reads back to the same names and digests', () => {
    const { text, games, roms, skipped } = fixdatText('S (fixdat)', missing);
    expect({ games, roms }).toEqual({ games: 1, roms: 2 });
    expect(skipped).toEqual([`${missing[0]!.release} › bell\u0007.bin`, 'Ctl\u0001 (USA)']);
    const back = parseXml(text);
    expect(back.map((g) => g.name)).toEqual([missing[0]!.release]);
    expect(back[0]!.roms.map((r) => [r.name, r.size, r.crc32, r.md5, r.sha1])).toEqual([
      ['a&b <c>.bin', 10, '0000000a', null, 'a'.repeat(40)],
      ['tab\there\nnewline.bin', 11, '0000000b', 'b'.repeat(32), null],
    ]);
  });

  it('lists exactly the missing roms of incomplete releases after a partial scan, and the file reads back', async () => {
    const dir = tempDir();
    const lib = Library.init(path.join(dir, 'lib')).library;
    try {
      const releases = await generateCollection(path.join(dir, 'files'), { systems: 1, titlesPerSystem: 3, regionsPerTitle: 2, manuals: false, boxArt: false, romBytes: [100, 900] });
      await writeDat(path.join(dir, 'sys.dat'), await datFromCollection(releases, { crcOnlyEvery: 5 }), 'clrmamepro');
      await importDats(lib, [path.join(dir, 'sys.dat')]);
      // Scan only half of the releases' folders.
      const have = releases.slice(0, 3);
      await scanFolders(lib, have.map((r) => path.dirname(r.fileSets[0]!.files[0]!.path)));
      const report = buildReport(lib.db, { missing: true });
      expect(report.systems[0]).toMatchObject({ releases: { total: 6, complete: 3, partial: 0, missing: 3 }, files: { total: 6, have: 3, missing: 3 } });
      const missingNames = releases.slice(3).map((r) => r.release).sort();
      expect(report.missing!.map((m) => m.release).sort()).toEqual(missingNames);
      const file = path.join(dir, 'fix.dat');
      const res = await writeFixdat(file, 'S (fixdat)', report.missing!);
      expect(res).toMatchObject({ games: 3, roms: 3, skipped: [] });
      const back = parseXml(fs.readFileSync(file, 'utf8'));
      expect(back.map((g) => g.name).sort()).toEqual(missingNames);
      const expectedRoms = releases.slice(3).flatMap((r) => r.fileSets[0]!.files.map((f) => f.name)).sort();
      expect(back.flatMap((g) => g.roms.map((r) => r.name)).sort()).toEqual(expectedRoms);
    } finally {
      lib.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
