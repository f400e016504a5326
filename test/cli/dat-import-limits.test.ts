// DAT text sizes are bounded (QA G7), end to end through the built CLI with hostile DATs generated here:
// a piece of text past 64 KiB is refused (BAD_INPUT naming file and line, exit 1, nothing changed)
// before it is held whole; a header name past 1,024 characters is refused; other header text past
// 1,024 characters is stored cut short with a marker, and the import says so.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

const root = tempDir('trove-dat-limits-');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const library = path.join(root, 'lib');
const trove = (...args: string[]) => runCli(['--library', library, ...args]);
const dbSha1 = () => createHash('sha1').update(fs.readFileSync(path.join(library, 'collection.db'))).digest('hex');
const ROM = `<game name="A (USA)"><rom name="a.bin" size="1" crc="00000001" sha1="${'1'.repeat(40)}"/></game>`;
const MiB = 1024 * 1024;

beforeAll(async () => {
  expect((await runCli(['init', '--library', library])).code).toBe(0);
});

describe('dat import: text size limits', () => {
  it.each([
    ['huge-description.dat', `<?xml version="1.0"?>\n<datafile>\n<header>\n<name>Huge</name>\n<description>${'d'.repeat(20 * MiB)}</description>\n</header>\n${ROM}\n</datafile>\n`, 5, 'more than 65536 characters of text without markup'],
    ['huge-name.dat', `clrmamepro (\n name "HN"\n)\ngame (\n name "${'n'.repeat(20 * MiB)}"\n rom ( name a size 1 crc 00000001 )\n)\n`, 5, 'a quoted string longer than 65536 characters'],
    ['huge-word.dat', `clrmamepro (\n name "HW"\n)\n\n\ngame ( name ${'w'.repeat(20 * MiB)} )\n`, 6, 'a word longer than 65536 characters'],
    ['long-header-name.dat', `<?xml version="1.0"?>\n<datafile>\n<header>\n<name>${'h'.repeat(2000)}</name>\n</header>\n${ROM}\n</datafile>\n`, 3, 'header name of 2000 characters'],
  ])('refuses %s with BAD_INPUT naming file and line; nothing changes', async (name, text, line, message) => {
    const file = path.join(root, name);
    fs.writeFileSync(file, text);
    const before = dbSha1();
    const r = await trove('dat', 'import', file);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`${file}:${line}: ${message}`);
    expect(r.stderr.length).toBeLessThan(2000); // the text itself is not echoed
    expect(dbSha1()).toBe(before);
    expect((await trove('dat', 'list')).stdout).toContain('no DATs imported');
  });

  it('stores header text past 1,024 characters cut short with a marker, and says so', async () => {
    const file = path.join(root, 'long-description.dat');
    const author = 'a'.repeat(1024); // exactly the limit: kept whole
    fs.writeFileSync(file, `<?xml version="1.0"?>\n<datafile>\n<header>\n<name>Long</name>\n<description>${'é'.repeat(5000)}</description>\n<author>${author}</author>\n</header>\n${ROM}\n</datafile>\n`);
    const dry = await trove('dat', 'import', file, '--dry-run', '--json');
    expect(JSON.parse(dry.stdout).imports[0].headerTruncated).toEqual([{ field: 'description', chars: 5000 }]);
    const r = await trove('dat', 'import', file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('header description of 5000 characters stored cut short to 1024');
    const db = new Database(path.join(library, 'collection.db'), { readonly: true });
    try {
      const row = db.prepare('SELECT description, author FROM dat_source WHERE name = ?').get('Long') as { description: string; author: string };
      expect(row.description).toBe(`${'é'.repeat(1023)}…`);
      expect(row.author).toBe(author);
    } finally {
      db.close();
    }
  });
});
