// `trove dat import` never drops stored content from the catalogue (QA G2), end to end through the built
// CLI on an fs remote: a file added by hand under a release a DAT later lists, and a stored dump a
// re-import replaces, move to the release's "rom (not in DAT)" file set — still referenced, so
// prune-blobs keeps their only copy.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDat, type FixtureGame } from '../../fixtures/dat-writer.js';
import { tempDir } from '../helpers/cli.js';
import { cliDevice, type CliDevice } from './sync-helpers.js';

const root = tempDir('trove-dat-keep-');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const sha1 = (s: string | Buffer) => createHash('sha1').update(s).digest('hex');
const SYSTEM = 'Test Sys';
const romOf = (name: string, content: string) => ({ name, size: Buffer.byteLength(content), crc32: null, md5: null, sha1: sha1(content) });

/** Which file sets (release › file set › member) reference this sha1, read straight from collection.db. */
function referencedBy(d: CliDevice, sha: string): string[] {
  const db = new Database(path.join(d.dir, 'collection.db'), { readonly: true });
  try {
    return (
      db
        .prepare(`SELECT r.name || ' › ' || fs.name || ' › ' || fsf.name AS ref FROM file_set_file fsf JOIN file_set fs ON fs.id = fsf.file_set_id JOIN release r ON r.id = fs.release_id WHERE fsf.file_sha1 = ? ORDER BY 1`)
        .all(sha) as { ref: string }[]
    ).map((r) => r.ref);
  } finally {
    db.close();
  }
}

describe('trove dat import keeps members whose content is stored', () => {
  let d: CliDevice;
  let remoteRoot: string;
  const mine = 'my own dump\n';
  const game7v1 = 'game 7, first dump';
  const game7v2 = 'game 7, corrected dump!';
  const games = (v: 1 | 2): FixtureGame[] => [
    { name: 'Alpha (USA)', roms: [romOf('Alpha (USA).bin', 'the DAT dump of alpha')] },
    { name: 'Game7 (USA)', roms: [romOf('Game7 (USA).bin', v === 1 ? game7v1 : game7v2)] },
  ];

  beforeAll(async () => {
    remoteRoot = path.join(root, 'remote');
    d = await cliDevice(root, 'lib', ['fs', `root=${remoteRoot}`]);
    await writeDat(path.join(root, 'v1.dat'), { name: SYSTEM, version: '1', games: games(1) }, 'logiqx');
    await writeDat(path.join(root, 'v2.dat'), { name: SYSTEM, version: '2', games: games(2) }, 'logiqx');
  });

  it('keeps a hand-added file under a release the DAT lists (only copy on the remote); prune-blobs keeps its blob', async () => {
    const file = path.join(root, 'Alpha (USA).bin');
    fs.writeFileSync(file, mine);
    await d.ok(['add', file, '--system', SYSTEM, '--release', 'Alpha (USA)']);
    await d.ok(['upload']);
    await d.ok(['sync', 'push']);
    await d.ok(['drop', 'Alpha (USA)']);
    const blob = path.join(remoteRoot, 'rom', sha1(mine).slice(0, 2), `${sha1(mine)}.zst`);
    expect(fs.existsSync(blob)).toBe(true);

    const kept = [{ release: 'Alpha (USA)', fileSet: 'rom', name: 'Alpha (USA).bin', sha1: sha1(mine), movedTo: 'rom (not in DAT)', movedAs: 'Alpha (USA).bin', reason: 'its content is uploaded to the remote' }];
    // --dry-run says exactly what the import will say, and changes nothing.
    const dry = await d.json(['dat', 'import', path.join(root, 'v1.dat'), '--dry-run']);
    expect(dry.imports[0]).toMatchObject({ addedGames: 2, addedIntoExisting: 1, keptMembers: kept });
    expect(referencedBy(d, sha1(mine))).toEqual(['Alpha (USA) › rom › Alpha (USA).bin']);
    const text = await d.ok(['dat', 'import', path.join(root, 'v1.dat'), '--dry-run']);
    expect(text.stdout).toContain('games: 2 added (1 into a file set already in the catalogue)');
    expect(text.stdout).toContain('1 stored file(s) the DAT does not list kept');
    expect(text.stdout).toContain(`kept     Alpha (USA) › rom › Alpha (USA).bin (${sha1(mine).slice(0, 8)}) → rom (not in DAT) › Alpha (USA).bin: its content is uploaded to the remote`);

    const real = await d.json(['dat', 'import', path.join(root, 'v1.dat')]);
    expect(real.imports[0]).toMatchObject({ addedGames: 2, addedIntoExisting: 1, keptMembers: kept });
    expect(referencedBy(d, sha1(mine))).toEqual(['Alpha (USA) › rom (not in DAT) › Alpha (USA).bin']);
    const show = await d.ok(['show', 'Alpha (USA)']);
    expect(show.stdout).toContain(sha1(mine));

    await d.ok(['sync', 'push']);
    await d.ok(['snapshots', 'prune', '--keep-last', '1', '--grace', '0s']);
    const gc = await d.json(['prune-blobs', '--grace', '0s']);
    expect(gc.deleted ?? []).not.toContainEqual(expect.stringContaining(sha1(mine)));
    expect(fs.existsSync(blob)).toBe(true);
    // A second import of the same DAT changes nothing and keeps nothing more.
    const again = await d.json(['dat', 'import', path.join(root, 'v1.dat')]);
    expect(again.imports[0]).toMatchObject({ unchanged: 2, keptMembers: [] });
  });

  it('keeps a stored dump a re-import replaces with other content', async () => {
    const file = path.join(root, 'scan', 'Game7 (USA).bin');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, game7v1);
    await d.ok(['scan', path.dirname(file), '--system', SYSTEM]);
    expect(referencedBy(d, sha1(game7v1))).toEqual(['Game7 (USA) › rom › Game7 (USA).bin']);
    const out = await d.json(['dat', 'import', path.join(root, 'v2.dat')]);
    expect(out.imports[0].changed).toEqual([{ name: 'Game7 (USA)', changes: ['roms'] }]);
    expect(out.imports[0].keptMembers).toEqual([
      { release: 'Game7 (USA)', fileSet: 'rom', name: 'Game7 (USA).bin', sha1: sha1(game7v1), movedTo: 'rom (not in DAT)', movedAs: 'Game7 (USA).bin', reason: 'its content is stored on this device' },
    ]);
    expect(referencedBy(d, sha1(game7v1))).toEqual(['Game7 (USA) › rom (not in DAT) › Game7 (USA).bin']);
    expect(referencedBy(d, sha1(game7v2))).toEqual(['Game7 (USA) › rom › Game7 (USA).bin']);
    // Back to v1: the old dump is a member of the DAT's set again (and stays in "not in DAT" too);
    // then v2 again: nothing new to keep, it is already kept there.
    await d.ok(['dat', 'import', path.join(root, 'v1.dat')]);
    const back = await d.json(['dat', 'import', path.join(root, 'v2.dat')]);
    expect(back.imports[0].keptMembers).toEqual([]);
    expect(referencedBy(d, sha1(game7v1))).toEqual(['Game7 (USA) › rom (not in DAT) › Game7 (USA).bin']);
    await d.ok(['sync', 'push']);
    const gc = await d.json(['prune-blobs', '--grace', '0s', '--dry-run']);
    expect(JSON.stringify(gc)).not.toContain(`${sha1(game7v1)}.zst`);
  });
});
