import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { datEncoding, detectDatFormat, readDat, Utf8LineFinder } from '../../../src/store/catalog/read-dat.js';
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

describe('datEncoding', () => {
  it.each([
    [Buffer.from('\ufeff<datafile/>'), 'utf-8'],
    [Buffer.from([0xff, 0xfe, 0x3c, 0x00]), 'utf-16le'],
    [Buffer.from([0xfe, 0xff, 0x00, 0x3c]), 'utf-16be'],
    [Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><datafile/>'), 'windows-1252'],
    [Buffer.from("  <?xml version='1.0' encoding='windows-1252' ?>"), 'windows-1252'],
    [Buffer.from('<?xml version="1.0"?><datafile/>'), 'utf-8'],
    [Buffer.from('clrmamepro ( name "x" )'), 'utf-8'],
  ])('%s is read as %s', (head, encoding) => {
    expect(datEncoding(head)).toEqual({ encoding });
  });

  it('refuses an encoding it cannot read, and UTF-16 declared without a byte-order mark', () => {
    expect(datEncoding(Buffer.from('<?xml version="1.0" encoding="EBCDIC-XYZ"?>'))).toEqual({ unknown: expect.stringContaining('EBCDIC-XYZ') });
    expect(datEncoding(Buffer.from('<?xml version="1.0" encoding="UTF-16"?>'))).toEqual({ unknown: expect.stringContaining('byte-order mark') });
  });
});

describe('Utf8LineFinder', () => {
  it('names the line of the first invalid byte, across chunk boundaries', () => {
    const f = new Utf8LineFinder();
    const text = Buffer.from('a\nPokémon\n日本\n');
    // Split inside the two-byte é and inside a three-byte character: still valid.
    expect(f.push(text.subarray(0, 6))).toBe(0);
    expect(f.push(text.subarray(6, 12))).toBe(0);
    expect(f.push(Buffer.concat([text.subarray(12), Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x0a])]))).toBe(4);
    expect(new Utf8LineFinder().push(Buffer.from([0x61, 0x0a, 0x0a, 0xc0, 0x80]))).toBe(3); // an overlong encoding
    expect(new Utf8LineFinder().push(Buffer.from([0x61, 0xe6, 0x97]), true)).toBe(1); // cut short at the end
    expect(new Utf8LineFinder().push(Buffer.from('fine\n'), true)).toBe(0);
  });
});

describe('readDat', () => {
  const latin1 = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, Buffer.from(text, 'latin1'));
    return file;
  };
  const sha = 'a'.repeat(40);

  it('reads a DAT in the encoding its XML declaration names, or as UTF-16 by its byte-order mark', async () => {
    const declared = latin1('latin1-declared.dat', `<?xml version="1.0" encoding="ISO-8859-1"?>\n<datafile><header><name>L</name></header>\n<game name="Pok\u00e9mon"><rom name="p\u00e9.bin" size="3" sha1="${sha}"/></game></datafile>\n`);
    const d = await readDat(declared);
    expect(d.games[0].name).toBe('Pokémon');
    expect(d.games[0].roms[0].name).toBe('pé.bin');
    const utf16 = path.join(dir, 'utf16.dat');
    fs.writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`<?xml version="1.0" encoding="UTF-16"?>\n<datafile><header><name>U</name></header><game name="Café (Japan)"><rom name="c" size="1" sha1="${sha}"/></game></datafile>`, 'utf16le')]));
    const u = await readDat(utf16);
    expect(u.format).toBe('logiqx');
    expect(u.games[0].name).toBe('Café (Japan)');
  });

  it('refuses bytes that are not valid UTF-8 in an undeclared DAT, naming file and line, instead of storing U+FFFD', async () => {
    const xml = latin1('latin1-undeclared.dat', `<?xml version="1.0"?>\n<datafile><header><name>L</name></header>\n<game name="Pok\u00e9mon"><rom name="p" size="3" sha1="${sha}"/></game></datafile>\n`);
    await expect(readDat(xml)).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(new RegExp(`^${xml}:3: not valid utf-8 text.*encoding="ISO-8859-1"`)) });
    const cmp = latin1('latin1.cmp.dat', `clrmamepro (\n\tname "C"\n)\n\ngame (\n\tname "Caf\u00e9"\n\trom ( name c size 1 sha1 ${sha} )\n)\n`);
    await expect(readDat(cmp)).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(new RegExp(`^${cmp}:6: not valid utf-8 text.*iconv`)) });
    const unknown = latin1('ebcdic.dat', '<?xml version="1.0" encoding="EBCDIC-XYZ"?>\n<datafile/>');
    await expect(readDat(unknown)).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining(`${unknown}: declares the text encoding "EBCDIC-XYZ"`) });
  });

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
