import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectDatFormat, readDat } from '../../../src/store/catalog/read-dat.js';
import { systemNameOf } from '../../../src/store/catalog/dat-system-name.js';
import { tempDir } from '../../helpers/cli.js';
import { ATARI, NES, SNES } from './real-dats.js';

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));


describe('detectDatFormat', () => {
  it.each([
    ['<?xml version="1.0"?><datafile/>', 'logiqx'],
    ['\ufeff\n  <datafile>', 'logiqx'],
    ['clrmamepro (\n\tname "x"\n)', 'clrmamepro'],
    ['\r\n game(', 'clrmamepro'],
  ])('%j is %s', (text, format) => {
    expect(detectDatFormat(Buffer.from(text))).toBe(format);
  });

  it.each([
    [Buffer.from('PK\u0003\u0004rest'), /zip/],
    [Buffer.from('hello world'), /neither/],
    [Buffer.from(''), /empty/],
  ])('refuses %s', (bytes, reason) => {
    const r = detectDatFormat(bytes);
    expect(typeof r).toBe('object');
    expect((r as { unknown: string }).unknown).toMatch(reason);
  });
});

describe('readDat', () => {
  it('detects the format by content, not by extension', async () => {
    const xmlAsTxt = path.join(dir, 'really-xml.txt');
    fs.writeFileSync(xmlAsTxt, '<?xml version="1.0"?>\n<datafile><header><name>S</name></header><game name="g"><rom name="r" size="1" crc="00000000"/></game></datafile>\n');
    const textAsXml = path.join(dir, 'really-text.xml');
    fs.writeFileSync(textAsXml, 'clrmamepro ( name "S" )\ngame ( name "g" rom ( name r size 1 crc 0 ) )\n');
    expect((await readDat(xmlAsTxt)).format).toBe('logiqx');
    expect((await readDat(textAsXml)).format).toBe('clrmamepro');
  });

  it('names the file when it is not a DAT or cannot be read', async () => {
    const junk = path.join(dir, 'junk.dat');
    fs.writeFileSync(junk, 'just some text');
    await expect(readDat(junk)).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining(junk) });
    await expect(readDat(path.join(dir, 'absent.dat'))).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('absent.dat') });
  });

  it('reads the real NES DAT: 14,132 games under 7,053 names', async () => {
    const dat = await readDat(NES);
    expect(dat.format).toBe('clrmamepro');
    expect(dat.header.name).toBe('Nintendo - Nintendo Entertainment System');
    expect(dat.games).toHaveLength(14132);
    expect(new Set(dat.games.map((g) => g.name)).size).toBe(7053);
    expect(dat.games.every((g) => g.roms.length === 1 && g.roms[0]!.sha1 !== null)).toBe(true);
  });

  it('reads the real SNES parent/clone DAT: 4,110 games, 2,151 clones', async () => {
    const dat = await readDat(SNES);
    expect(dat.format).toBe('logiqx');
    expect(dat.games).toHaveLength(4110);
    expect(dat.games.filter((g) => g.cloneOf).length).toBe(2151);
    expect(systemNameOf(dat.header.name)).toBe('Nintendo - Super Nintendo Entertainment System');
  });

  it('reads the real Atari 2600 DAT: 905 games', async () => {
    const dat = await readDat(ATARI);
    expect(dat.games).toHaveLength(905);
    expect(new Set(dat.games.map((g) => g.name)).size).toBe(898);
  });
});

describe('systemNameOf', () => {
  it.each([
    ['Nintendo - Super Nintendo Entertainment System (Parent-Clone)', 'Nintendo - Super Nintendo Entertainment System'],
    ['Nintendo - Nintendo Entertainment System (Headered) (20240101-000000)', 'Nintendo - Nintendo Entertainment System'],
    ['Atari - 2600', 'Atari - 2600'],
    ['Sony - PlayStation (Japan)', 'Sony - PlayStation (Japan)'],
  ])('%s → %s', (header, system) => expect(systemNameOf(header)).toBe(system));
});
