import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importDats } from '../../../src/store/catalog/dat-import.js';
import { Library } from '../../../src/store/library.js';
import { nameId } from '../../../src/store/ids.js';
import { blobPath } from '../../../src/store/blob/blob-key.js';
import { markLocal } from '../../../src/store/repo/files.js';
import { tempDir } from '../../helpers/cli.js';
import { ATARI, NES, SNES } from './real-dats.js';

let dir: string;
let lib: Library;
beforeEach(() => {
  dir = tempDir();
  lib = Library.init(path.join(dir, 'lib')).library;
});
afterEach(() => {
  lib.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const count = (sql: string, ...params: unknown[]) => lib.db.prepare(sql).pluck().get(...params) as number;

/** Every row of every catalogue table, for "nothing changed" comparisons. */
function dump(): string {
  const tables = lib.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  return JSON.stringify(tables.map((t) => [t, lib.db.prepare(`SELECT * FROM "${t}" ORDER BY 1`).all()]));
}

/** The Atari DAT text with edits, as a new file. */
function editedAtari(edit: (text: string) => string, name = 'atari-edited.dat'): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, edit(fs.readFileSync(ATARI, 'utf8')));
  return file;
}

function removeGame(text: string, gameName: string): string {
  const start = text.indexOf(`game (\n\tname "${gameName}"`);
  if (start < 0) throw new Error(`no ${gameName}`);
  const end = text.indexOf('\n)\n', start) + 3;
  return text.slice(0, start) + text.slice(end);
}

describe('importDats with the real DATs', () => {
  it('imports NES, SNES and Atari with the expected counts', async () => {
    const [nes, snes, atari] = await importDats(lib, [NES, SNES, ATARI]);
    expect(nes).toMatchObject({ system: 'Nintendo - Nintendo Entertainment System', games: 14132, releases: 7053, unchanged: 0 });
    expect(nes!.added).toHaveLength(7053);
    expect(nes!.duplicates).toHaveLength(7047);
    expect(snes).toMatchObject({ system: 'Nintendo - Super Nintendo Entertainment System', games: 4110, releases: 4110 });
    expect(atari).toMatchObject({ system: 'Atari - 2600', games: 905, releases: 898 });
    expect(atari!.duplicates.reduce((a, d) => a + d.count - 1, 0)).toBe(7);

    const nesId = nameId('system', 'Nintendo - Nintendo Entertainment System');
    expect(count('SELECT count(*) FROM release WHERE system_id = ?', nesId)).toBe(7053);
    expect(count('SELECT count(*) FROM dat_game dg JOIN release r ON r.id = dg.release_id WHERE r.system_id = ?', nesId)).toBe(14132);
    expect(count(`SELECT count(*) FROM file_set_file fsf JOIN file_set fs ON fs.id = fsf.file_set_id JOIN release r ON r.id = fs.release_id WHERE r.system_id = ?`, nesId)).toBe(14132);
    // Every rom is a catalogue file that is missing (no content yet).
    expect(count('SELECT count(*) FROM file f WHERE NOT EXISTS (SELECT 1 FROM state.local_blob lb WHERE lb.sha1 = f.sha1)')).toBe(count('SELECT count(*) FROM file'));
    // SNES: 2,151 clones, each sharing its parent's software title.
    const snesId = nameId('system', 'Nintendo - Super Nintendo Entertainment System');
    expect(count('SELECT count(*) FROM dat_game dg JOIN release r ON r.id = dg.release_id WHERE r.system_id = ? AND dg.clone_of IS NOT NULL', snesId)).toBe(2151);
    expect(
      count(
        `SELECT count(*) FROM dat_game c JOIN release cr ON cr.id = c.release_id
         JOIN release pr ON pr.system_id = cr.system_id AND pr.name = c.clone_of
         WHERE cr.system_id = ? AND cr.software_title_id IS NOT pr.software_title_id`,
        snesId,
      ),
    ).toBe(0);
    expect(count('SELECT count(DISTINCT software_title_id) FROM release WHERE system_id = ?', snesId)).toBeLessThanOrEqual(4110 - 2151);
    expect(count('SELECT count(*) FROM dat_source')).toBe(3);
  });

  it('re-importing the same DAT changes nothing', async () => {
    await importDats(lib, [ATARI]);
    const before = dump();
    const [again] = await importDats(lib, [ATARI]);
    expect(again).toMatchObject({ added: [], changed: [], removed: [], unchanged: 905 });
    expect(dump().replace(/"imported_at":"[^"]*"|"updated_at":"[^"]*"/g, '')).toBe(before.replace(/"imported_at":"[^"]*"|"updated_at":"[^"]*"/g, ''));
    expect(count('SELECT count(*) FROM release')).toBe(898);
  });

  it('updates a newer DAT in place: added, changed, removed (deleted without content, kept with), stored content untouched', async () => {
    await importDats(lib, [ATARI]);
    const systemId = nameId('system', 'Atari - 2600');
    const keptName = '3-D Tic-Tac-Toe (USA)';
    const keptSha1 = '21d983f2f52b84c22ecae84b0943678ae2c31c10';
    // This device has the content of the game the new DAT drops.
    const blob = blobPath(lib.paths.storeDir, 'rom', keptSha1);
    fs.mkdirSync(path.dirname(blob), { recursive: true });
    fs.writeFileSync(blob, 'stand-in blob');
    markLocal(lib.db, 'state', { sha1: keptSha1, type: 'rom', size: 2048, storedBytes: 13 });
    const releaseIdsBefore = new Map((lib.db.prepare('SELECT name, id FROM release WHERE system_id = ?').all(systemId) as { name: string; id: string }[]).map((r) => [r.name, r.id]));

    const newer = editedAtari((t) =>
      removeGame(removeGame(t, keptName), '3-D Tic-Tac-Toe (Europe)')
        .replace('version "2026.08.01"', 'version "2026.09.01"')
        .replace('sha1 0E146E5EB1A68CBA4F8FA55EC6F125438EFCFCB4', 'sha1 1111111111111111111111111111111111111111')
        .concat('game (\n\tname "Brand New (USA)"\n\trom ( name "Brand New (USA).a26" size 4096 crc 12345678 sha1 2222222222222222222222222222222222222222 )\n)\n'),
    );
    const [r] = await importDats(lib, [newer]);
    expect(r!.source).toMatchObject({ version: '2026.09.01', previousVersion: '2026.08.01', new: false });
    expect(r!.added).toEqual(['Brand New (USA)']);
    expect(r!.changed).toEqual([{ name: '3-D Genesis (USA) (Proto)', changes: ['roms'] }]);
    expect(r!.removed).toEqual([
      expect.objectContaining({ gameName: '3-D Tic-Tac-Toe (Europe)', action: 'deleted', releaseDeleted: true }),
      expect.objectContaining({ gameName: keptName, action: 'kept', reason: 'it holds stored content' }),
    ]);
    // In place: same ids for the releases that stayed; the kept one is still there; the blob too.
    for (const [name, id] of releaseIdsBefore) {
      if (name === '3-D Tic-Tac-Toe (Europe)') expect(count('SELECT count(*) FROM release WHERE id = ?', id)).toBe(0);
      else expect(count('SELECT count(*) FROM release WHERE id = ? AND name = ?', id, name)).toBe(1);
    }
    expect(fs.readFileSync(blob, 'utf8')).toBe('stand-in blob');
    expect(count('SELECT count(*) FROM file WHERE sha1 = ?', keptSha1)).toBe(1);
    // The changed game's old rom file is gone from the catalogue (nobody had it); the new one is missing.
    expect(count("SELECT count(*) FROM file WHERE sha1 = '0e146e5eb1a68cba4f8fa55ec6f125438efcfcb4'")).toBe(0);
    expect(count("SELECT count(*) FROM file WHERE sha1 = '1111111111111111111111111111111111111111'")).toBe(1);
    expect(count("SELECT version FROM dat_source WHERE system_id = ?", systemId)).toBe('2026.09.01' as unknown as number);
    // The kept release is flagged by having no DAT listing it.
    expect(count('SELECT count(*) FROM release r WHERE r.system_id = ? AND NOT EXISTS (SELECT 1 FROM dat_game WHERE release_id = r.id)', systemId)).toBe(1);
  });

  it('refuses a malformed DAT among several with file and line, and imports none of them', async () => {
    await importDats(lib, [ATARI]);
    const before = dump();
    const good = editedAtari((t) => t.replace('version "2026.08.01"', 'version "2099"'), 'good.dat');
    const bad = editedAtari((t) => t.replace('game (\n\tname "3-D Havoc (USA) (Proto)"', 'game (\n\tdescription "no name here"'), 'bad.dat');
    const lineOfBad = fs.readFileSync(bad, 'utf8').split('\n').findIndex((l) => l.includes('no name here'));
    await expect(importDats(lib, [good, bad])).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining(`${bad}:${lineOfBad}: game without a name`) });
    const unclosed = editedAtari((t) => t.replace(/\)\s*$/, ''), 'unclosed.dat');
    await expect(importDats(lib, [unclosed])).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/unclosed\.dat:\d+: unclosed parenthesis/) });
    const clash = editedAtari((t) => t.replace('rom ( name "3-D Havoc (USA) (Proto).a26"', 'rom ( name "3-D Havoc (USA) (Proto).a26" size 1 crc 00000000 sha1 3333333333333333333333333333333333333333 )\n\trom ( name "3-D Havoc (USA) (Proto).a26"'), 'clash.dat');
    await expect(importDats(lib, [clash])).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('twice with different content') });
    expect(dump()).toBe(before);
  });

  it('merges a second DAT source for the same system by name and records both sources', async () => {
    await importDats(lib, [ATARI]);
    const second = path.join(dir, 'second.dat');
    fs.writeFileSync(
      second,
      'clrmamepro (\n\tname "Atari - 2600 (Headerless)"\n\tversion "7"\n)\ngame (\n\tname "3-D Genesis (USA) (Proto)"\n\trom ( name "3-D Genesis (USA) (Proto).a26" size 8192 crc 931A0BDC sha1 0E146E5EB1A68CBA4F8FA55EC6F125438EFCFCB4 )\n)\n' +
        'game (\n\tname "Only In Second (USA)"\n\trom ( name "x.a26" size 4 crc 00000001 sha1 4444444444444444444444444444444444444444 )\n)\n',
    );
    const [r] = await importDats(lib, [second]);
    expect(r).toMatchObject({ system: 'Atari - 2600', source: { name: 'Atari - 2600 (Headerless)', new: true } });
    expect(r!.added.sort()).toEqual(['3-D Genesis (USA) (Proto)', 'Only In Second (USA)']);
    expect(r!.removed).toEqual([]);
    const systemId = nameId('system', 'Atari - 2600');
    expect(lib.db.prepare('SELECT name FROM dat_source WHERE system_id = ? ORDER BY name').pluck().all(systemId)).toEqual(['Atari - 2600', 'Atari - 2600 (Headerless)']);
    expect(count('SELECT count(*) FROM system')).toBe(1);
    expect(count('SELECT count(*) FROM release WHERE system_id = ?', systemId)).toBe(899);
    // The first DAT dropping a game the second still lists keeps it.
    const [again] = await importDats(lib, [editedAtari((t) => removeGame(t, '3-D Genesis (USA) (Proto)'))]);
    expect(again!.removed).toEqual([expect.objectContaining({ gameName: '3-D Genesis (USA) (Proto)', action: 'kept', reason: 'another DAT lists it' })]);
  });

  it('files repeated game names as alternative ROM file sets of one release', async () => {
    await importDats(lib, [NES]);
    const releaseId = nameId('release', nameId('system', 'Nintendo - Nintendo Entertainment System'), '!Clik! (World) (Proto 1)');
    const sets = lib.db
      .prepare('SELECT fs.name, fsf.name AS rom FROM file_set fs JOIN file_set_file fsf ON fsf.file_set_id = fs.id WHERE fs.release_id = ? ORDER BY fs.name')
      .all(releaseId);
    expect(sets).toEqual([
      { name: 'rom', rom: '!Clik! (World) (Proto 1) (Aftermarket) (Unl).nes' },
      { name: 'rom 2', rom: '!Clik! (World) (Proto 1) (Aftermarket) (Unl).unh' },
    ]);
  });

  it('--system overrides the header and --dry-run changes nothing', async () => {
    const [dry] = await importDats(lib, [ATARI], { system: 'My Atari', dryRun: true });
    expect(dry).toMatchObject({ system: 'My Atari', releases: 898 });
    expect(count('SELECT count(*) FROM release')).toBe(0);
    await importDats(lib, [ATARI], { system: 'My Atari' });
    expect(lib.db.prepare('SELECT name FROM system').pluck().all()).toEqual(['My Atari']);
  });

  it('a corrected DAT corrects the size of a rom nobody has content for; stored content keeps its real size', async () => {
    const sha1 = 'b'.repeat(40);
    const version = (size: number, name: string) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, `<?xml version="1.0"?>\n<datafile><header><name>Fix</name></header>\n<game name="G1"><rom name="g.bin" size="${size}" sha1="${sha1}"/></game></datafile>\n`);
      return file;
    };
    await importDats(lib, [version(1006, 'v1.dat')]);
    const [second] = await importDats(lib, [version(1007, 'v2.dat')]);
    expect(second.changed).toEqual([{ name: 'G1', changes: ['roms'] }]);
    expect(count('SELECT size FROM file WHERE sha1 = ?', sha1)).toBe(1007);
    // Once content with that sha1 is stored, its size is a fact: a DAT that disagrees is refused.
    markLocal(lib.state, 'main', { sha1, type: 'rom', size: 1007, storedBytes: 500 });
    const before = dump();
    await expect(importDats(lib, [version(1006, 'v3.dat')])).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('the stored content with that sha1 is 1007 bytes') });
    expect(dump()).toBe(before);
  });
});
