import { describe, expect, it } from 'vitest';
import { ClrMameProParser } from '../../../src/store/catalog/clrmamepro-parser.js';
import type { DatGame, DatHeader } from '../../../src/store/catalog/dat-model.js';
import { isTroveError } from '../../../src/store/errors.js';
import { feedUntilRefused } from './feed-until-refused.js';

function parse(text: string, chunkSize = text.length): { header: DatHeader | null; games: DatGame[] } {
  let header: DatHeader | null = null;
  const games: DatGame[] = [];
  const p = new ClrMameProParser('test.dat', { header: (h) => (header = h), game: (g) => games.push(g) });
  for (let i = 0; i < text.length; i += chunkSize) p.write(text.slice(i, i + chunkSize));
  p.end();
  return { header, games };
}

function errorOf(text: string): { message: string; line: unknown } {
  try {
    parse(text);
  } catch (err) {
    if (!isTroveError(err, 'BAD_INPUT')) throw err;
    return { message: err.message, line: err.details.line };
  }
  throw new Error('expected a BAD_INPUT error');
}

const SAMPLE = `clrmamepro (
\tname "Nintendo - Nintendo Entertainment System"
\tversion 2026.08.01
)

game (
\tname "!Clik! (World) (Proto 1)"
\tregion "Japan"
\tcloneof "Parent (World)"
\trom ( name "A (B) 'c'.nes" size 16400 crc 865709AB md5 C03268B57E753FBD1D5E86A31C17C549 sha1 953472C36D709D168763F5EBA662C460D74EB925 )
\trom ( name second.bin size 0x10 crc 1ab )
\tdisk ( name ignored sha1 953472C36D709D168763F5EBA662C460D74EB925 )
)
emulator ( name "skipped" )
game (
\tname "Two words"
)
`;

describe('ClrMameProParser', () => {
  it('reads the header, games, their fields and roms with lowercase digests and line numbers', () => {
    const { header, games } = parse(SAMPLE);
    expect(header?.name).toBe('Nintendo - Nintendo Entertainment System');
    expect(header?.version).toBe('2026.08.01');
    expect(games).toHaveLength(2);
    const g = games[0]!;
    expect(g).toMatchObject({ name: '!Clik! (World) (Proto 1)', region: 'Japan', cloneOf: 'Parent (World)', line: 6 });
    expect(g.roms).toEqual([
      { name: "A (B) 'c'.nes", size: 16400, crc32: '865709ab', md5: 'c03268b57e753fbd1d5e86a31c17c549', sha1: '953472c36d709d168763f5eba662c460d74eb925', status: null, line: 10 },
      { name: 'second.bin', size: 16, crc32: '000001ab', md5: null, sha1: null, status: null, line: 11 },
    ]);
    expect(games[1]).toMatchObject({ name: 'Two words', roms: [], line: 15 });
  });

  it('gives the same result whatever the chunk boundaries (streaming)', () => {
    const whole = parse(SAMPLE);
    for (const size of [1, 2, 3, 7, 64]) expect(parse(SAMPLE, size)).toEqual(whole);
  });

  it('counts lines inside quoted strings that span lines', () => {
    const { games } = parse('clrmamepro ( name "x" )\ngame ( name "multi\nline" )\ngame ( name "after" )\n');
    expect(games.map((g) => [g.name, g.line])).toEqual([
      ['multi\nline', 2],
      ['after', 4],
    ]);
  });

  it('refuses an unclosed parenthesis, naming the line it was opened on', () => {
    const e = errorOf('clrmamepro ( name "x" )\n\ngame (\n\tname "open"\n\trom ( name a size 1 crc 00000000 )\n');
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/^test\.dat:3: unclosed parenthesis/);
  });

  it('refuses a stray closing parenthesis', () => {
    expect(errorOf('clrmamepro ( name "x" )\n)\n')).toMatchObject({ line: 2 });
  });

  it('refuses a game without a name', () => {
    const e = errorOf('clrmamepro ( name "x" )\ngame (\n\tdescription "no name"\n)\n');
    expect(e.line).toBe(2);
    expect(e.message).toContain('game without a name');
  });

  it('refuses a field without a value and an unterminated string', () => {
    expect(errorOf('clrmamepro ( name "x" )\ngame ( name "a" region )\n').line).toBe(2);
    expect(errorOf('clrmamepro ( name "x" )\ngame ( name "a )\n').line).toBe(2);
  });

  it('refuses a rom whose sha1 is not 40 hex digits, and a file without a header', () => {
    expect(errorOf('clrmamepro ( name "x" )\ngame ( name "a"\n rom ( name r size 1 sha1 XYZ ) )\n')).toMatchObject({ line: 3 });
    expect(errorOf('game ( name "a" )\n').message).toContain('before the "clrmamepro (" header');
  });
});

describe('ClrMameProParser: token size limit (QA G7)', () => {
  const CHUNK = 16 * 1024;
  const feed = (head: string, piece: string, count: number) =>
    feedUntilRefused(new ClrMameProParser('hostile.dat', { header: () => undefined, game: () => undefined }), head, piece, count);

  it.each([
    ['a quoted string', 'clrmamepro ( name "H" )\ngame (\n name "', 'n'.repeat(CHUNK)],
    ['a bare word', 'clrmamepro ( name "H" )\n\ngame (\n name ', 'w'.repeat(CHUNK)],
    ['a quoted header field spanning lines', 'clrmamepro ( name "H"\n description "', `${'d'.repeat(CHUNK - 1)}\n`],
  ])('refuses %s as soon as it passes 64 KiB, naming file and line where it began', (_label, head, piece) => {
    // 64 KiB = 4 chunks exactly; the 5th passes the limit. Far more are offered (a 16 MiB token).
    const r = feed(head, piece, 1024);
    expect(r.at).toBe(4);
    expect(r.message).toMatch(/^hostile\.dat:\d+: a (quoted string|word) longer than 65536 characters/);
    expect(r.line).toBe(head.split('\n').length);
  });

  it('accepts a token of exactly 64 KiB', () => {
    const name = 'x'.repeat(64 * 1024);
    const { games } = parse(`clrmamepro ( name "H" )\ngame ( name "${name}" rom ( name a size 1 crc 00000001 ) )\n`, CHUNK);
    expect(games[0]!.name).toBe(name);
  });
});
