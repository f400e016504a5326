import { describe, expect, it } from 'vitest';
import { LogiqxParser } from '../../../src/store/catalog/logiqx-parser.js';
import type { DatGame, DatHeader } from '../../../src/store/catalog/dat-model.js';
import { isTroveError } from '../../../src/store/errors.js';
import { feedUntilRefused } from './feed-until-refused.js';

function parse(text: string, chunkSize = text.length): { header: DatHeader | null; games: DatGame[] } {
  let header: DatHeader | null = null;
  const games: DatGame[] = [];
  const p = new LogiqxParser('test.xml', { header: (h) => (header = h), game: (g) => games.push(g) });
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

const SAMPLE = `<?xml version="1.0"?>
<!DOCTYPE datafile PUBLIC "-//Logiqx//DTD ROM Management Datafile//EN" "http://www.logiqx.com/Dats/datafile.dtd">
<datafile>
\t<header>
\t\t<name>Nintendo - Super Nintendo Entertainment System (Parent-Clone)</name>
\t\t<version>20240317-134803</version>
\t\t<author>A &amp; B</author>
\t</header>
\t<game name="Tom &amp; Jerry (USA) &quot;x&quot;">
\t\t<description>Tom &amp; Jerry</description>
\t\t<release name="Tom &amp; Jerry (USA)" region="USA"/>
\t\t<rom name="Tom &amp; Jerry (USA).sfc" size="1048576" crc="05FBB855" md5="3369347f7663b133ce445c15200a5afa" sha1="005ccd8362dc41491f89f31fc9326a6688300e0c" status="verified"/>
\t</game>
\t<game name="Tom &amp; Jerry (Europe)" cloneof="Tom &amp; Jerry (USA) &quot;x&quot;">
\t\t<rom name="b.sfc" size="1" crc="00000001"/>
\t</game>
</datafile>
`;

describe('LogiqxParser', () => {
  it('reads header, games, clones, release region and roms, decoding entities', () => {
    const { header, games } = parse(SAMPLE);
    expect(header).toMatchObject({ name: 'Nintendo - Super Nintendo Entertainment System (Parent-Clone)', version: '20240317-134803', author: 'A & B' });
    expect(games).toHaveLength(2);
    expect(games[0]).toMatchObject({ name: 'Tom & Jerry (USA) "x"', description: 'Tom & Jerry', region: 'USA', cloneOf: null, line: 9 });
    expect(games[0]!.roms[0]).toEqual({
      name: 'Tom & Jerry (USA).sfc',
      size: 1048576,
      crc32: '05fbb855',
      md5: '3369347f7663b133ce445c15200a5afa',
      sha1: '005ccd8362dc41491f89f31fc9326a6688300e0c',
      status: 'verified',
      line: 12,
    });
    expect(games[1]).toMatchObject({ cloneOf: 'Tom & Jerry (USA) "x"', roms: [{ name: 'b.sfc', size: 1, crc32: '00000001', sha1: null }] });
  });

  it('gives the same result whatever the chunk boundaries (streaming)', () => {
    const whole = parse(SAMPLE);
    for (const size of [1, 5, 13, 100]) expect(parse(SAMPLE, size)).toEqual(whole);
  });

  it('refuses broken XML with the line of the fault', () => {
    const broken = SAMPLE.replace('\t</game>\n\t<game name="Tom &amp; Jerry (Europe)"', '\t</gam>\n\t<game name="Tom &amp; Jerry (Europe)"');
    const e = errorOf(broken);
    expect(e.message).toMatch(/^test\.xml:13: broken XML/);
  });

  it('refuses a truncated file', () => {
    expect(errorOf(SAMPLE.slice(0, SAMPLE.indexOf('</datafile>'))).message).toMatch(/broken XML/);
  });

  it('refuses a game without a name, naming its line', () => {
    const e = errorOf(SAMPLE.replace('<game name="Tom &amp; Jerry (Europe)" cloneof', '<game cloneof'));
    expect(e).toMatchObject({ line: 14 });
    expect(e.message).toContain('<game> without a name');
  });

  it('refuses XML that is not a Logiqx datafile', () => {
    expect(errorOf('<?xml version="1.0"?>\n<softwarelist name="x"></softwarelist>\n').message).toContain('not a Logiqx DAT');
  });
});

describe('LogiqxParser: text size limit (QA G7)', () => {
  const CHUNK = 16 * 1024;
  const feed = (head: string, piece: string, count: number) =>
    feedUntilRefused(new LogiqxParser('hostile.xml', { header: () => undefined, game: () => undefined }), head, piece, count);
  const HEAD = '<?xml version="1.0"?>\n<datafile>\n<header>\n<name>H</name>\n';

  it.each([
    ['a header description', `${HEAD}<description>`, 'd'.repeat(CHUNK), 5],
    ['a game name attribute', `${HEAD}</header>\n<game name="`, 'n'.repeat(CHUNK), 6],
    ['a text node spanning lines', `${HEAD}<comment>\n`, `${'c'.repeat(CHUNK - 1)}\n`, 5],
  ])('refuses %s as soon as it passes 64 KiB, naming file and line', (_label, head, piece, line) => {
    const r = feed(head, piece, 1024); // up to 16 MiB offered
    // The run counts from the last "<": the tag's own characters, then the chunks; refused at the
    // write that passes 64 KiB.
    const tail = head.length - head.lastIndexOf('<') - 1;
    expect(r.at).toBe(Math.ceil((64 * 1024 - tail + 1) / CHUNK) - 1);
    expect(r.at).toBe(3);
    expect(r.message).toMatch(/^hostile\.xml:\d+: more than 65536 characters of text without markup/);
    expect(r.line).toBe(line);
  });

  it('accepts a name of 64 KiB less its tag, and a DAT of many short pieces', () => {
    const name = 'x'.repeat(64 * 1024 - 20);
    const games = Array.from({ length: 3000 }, (_, i) => `<game name="g${i}"><rom name="r" size="1" crc="00000001"/></game>\n`).join('');
    const { games: parsed } = parse(`${HEAD}</header>\n<game name="${name}"><rom name="a" size="1" crc="00000001"/></game>\n${games}</datafile>\n`, CHUNK);
    expect(parsed).toHaveLength(3001);
    expect(parsed[0]!.name).toBe(name);
  });
});
