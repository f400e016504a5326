// `trove report` counts against the DATs (QA G3, G12), end to end through the built CLI: releases no
// DAT lists (dropped by a newer DAT but kept for their content, added by hand) and the "(not in DAT)"
// file sets are not in the DAT numbers; a release complete through one alternative dump does not count
// its other alternatives' files as missing.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDat, type FixtureGame } from '../../fixtures/dat-writer.js';
import { runCli, tempDir } from '../helpers/cli.js';

const root = tempDir('trove-report-dat-');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const library = path.join(root, 'lib');
const trove = (...args: string[]) => runCli(['--library', library, ...args]);
const json = async (...args: string[]) => {
  const r = await trove(...args, '--json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};
const content = (name: string) => `content of ${name}\n`;
const rom = (name: string) => ({ name, size: Buffer.byteLength(content(name)), crc32: null, md5: null, sha1: createHash('sha1').update(content(name)).digest('hex') });
const game = (name: string, ...roms: string[]): FixtureGame => ({ name, roms: roms.map(rom) });
/** Write these rom files into a fresh folder and scan it into the system. */
async function scanFiles(system: string, folder: string, names: string[]): Promise<void> {
  const dir = path.join(root, folder);
  fs.mkdirSync(dir, { recursive: true });
  for (const n of names) fs.writeFileSync(path.join(dir, n), content(n));
  const r = await trove('scan', dir, '--system', system);
  expect(r.code, r.stderr).toBe(0);
}

beforeAll(async () => {
  expect((await runCli(['init', '--library', library])).code).toBe(0);
});

describe('trove report against the DAT', () => {
  it('counts only the releases and roms the current DAT lists; the rest apart (QA G3 repro)', async () => {
    const S = 'Test Sys';
    const common = [game('Keep1 (USA)', 'k1.bin'), game('Keep2 (USA)', 'k2.bin'), game('Part (USA)', 'p1.bin', 'p2.bin'), game('Miss (USA)', 'm.bin')];
    await writeDat(path.join(root, 'v1.dat'), { name: S, version: '1', games: [...common, game('Dropped (USA)', 'd.bin'), game('Changed (USA)', 'c-old.bin')] }, 'logiqx');
    await writeDat(path.join(root, 'v2.dat'), { name: S, version: '2', games: [...common, game('Changed (USA)', 'c-new.bin'), game('New (USA)', 'n.bin')] }, 'logiqx');
    await json('dat', 'import', path.join(root, 'v1.dat'));
    await scanFiles(S, 'roms', ['k1.bin', 'k2.bin', 'p1.bin', 'd.bin', 'c-old.bin']);
    await json('dat', 'import', path.join(root, 'v2.dat'));
    fs.writeFileSync(path.join(root, 'hb.bin'), 'homebrew');
    expect((await trove('add', path.join(root, 'hb.bin'), '--system', S, '--release', 'My Homebrew (World)')).code).toBe(0);

    const rep = (await json('report', '--system', S)).systems[0];
    // The DAT lists 6 games of 7 roms: Keep1, Keep2 complete; Part partial; Miss, New and Changed (its
    // new rom; the old dump sits in "rom (not in DAT)") missing.
    expect(rep.releases).toEqual({ total: 6, complete: 2, partial: 1, missing: 3, noFiles: 0 });
    expect(rep.files).toEqual({ total: 7, have: 3, missing: 4, weak: 0, alternatives: { total: 0, have: 0 } });
    expect(rep.notInDat).toBe(2); // Dropped (kept: stored) and My Homebrew
    const text = await trove('report', '--system', S);
    expect(text.stdout).toContain('releases: 2 complete, 1 partial, 3 missing of 6');
    expect(text.stdout).toContain('files:    3 have, 4 missing of 7');
    expect(text.stdout).toContain('2 release(s) no DAT lists, not counted above');
    // --missing lists only what the DAT lists.
    const missing = (await json('report', '--system', S, '--missing')).missing;
    expect(missing.map((m: { release: string; roms: { name: string }[] }) => [m.release, m.roms.map((r) => r.name)])).toEqual([
      ['Changed (USA)', ['c-new.bin']],
      ['Miss (USA)', ['m.bin']],
      ['New (USA)', ['n.bin']],
      ['Part (USA)', ['p2.bin']],
    ]);
  });

  it('does not count the other alternatives of a release as missing files (QA G12)', async () => {
    const S = 'Dup Sys';
    // clrmamepro, each game twice (headered .nes, headerless .unh): alternatives, not parts.
    await writeDat(path.join(root, 'dup.dat'), { name: S, games: [game('X (USA)', 'x.nes'), game('X (USA)', 'x.unh'), game('Y (USA)', 'y.nes'), game('Y (USA)', 'y.unh')] }, 'clrmamepro');
    await json('dat', 'import', path.join(root, 'dup.dat'));
    await scanFiles(S, 'dup', ['x.nes']);
    const rep = (await json('report', '--system', S)).systems[0];
    expect(rep.releases).toEqual({ total: 2, complete: 1, partial: 0, missing: 1, noFiles: 0 });
    // One alternative per release: X by its complete .nes, Y by its first; the other two apart.
    expect(rep.files).toEqual({ total: 2, have: 1, missing: 1, weak: 0, alternatives: { total: 2, have: 0 } });
    const text = await trove('report', '--system', S);
    expect(text.stdout).toContain('releases: 1 complete, 0 partial, 1 missing of 2');
    expect(text.stdout).toContain('files:    1 have, 1 missing of 2');
    expect(text.stdout).toContain('alternatives: 2 file(s) of other dumps of the same games, not counted above (0 held)');
    // Holding the other alternative of X as well counts as held, not as a second "have".
    await scanFiles(S, 'dup2', ['x.unh']);
    expect((await json('report', '--system', S)).systems[0].files).toEqual({ total: 2, have: 1, missing: 1, weak: 0, alternatives: { total: 2, have: 1 } });
  });

  it('says a system without a DAT is not checked against one', async () => {
    fs.writeFileSync(path.join(root, 'solo.bin'), 'solo');
    expect((await trove('add', path.join(root, 'solo.bin'), '--system', 'No Dat Sys', '--release', 'Solo (World)')).code).toBe(0);
    const rep = (await json('report', '--system', 'No Dat Sys')).systems[0];
    expect(rep).toMatchObject({ releases: { total: 0, complete: 0 }, files: { total: 0 }, notInDat: 1 });
    expect((await trove('report', '--system', 'No Dat Sys')).stdout).toContain('No Dat Sys (no DAT imported)\n  1 release(s), not checked against any DAT');
  });
});
