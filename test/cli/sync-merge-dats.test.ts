// The DAT tables (dat_source, dat_game, dat_rom) through `trove diff` and `trove sync pull --resolve
// merge`, end to end with the real Atari 2600 DAT: one device imports (or re-imports a version with
// games removed), the other adds a release offline, the merge keeps both and the result is consistent.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { ATARI } from '../store/catalog/real-dats.js';
import { addRelease, cliDevice, integrityOk, releases, type CliDevice } from './sync-helpers.js';

const root = tempDir('trove-merge-dats-');
const SLOW = 240_000;
let a: CliDevice;
let b: CliDevice;

function datCounts(d: CliDevice): { sources: number; games: number; roms: number } {
  const db = new Database(path.join(d.dir, 'collection.db'), { readonly: true });
  try {
    return db.prepare('SELECT (SELECT count(*) FROM dat_source) AS sources, (SELECT count(*) FROM dat_game) AS games, (SELECT count(*) FROM dat_rom) AS roms').get() as {
      sources: number;
      games: number;
      roms: number;
    };
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  const remote = ['fs', `root=${path.join(root, 'remote')}`];
  a = await cliDevice(root, 'alpha', remote);
  b = await cliDevice(root, 'beta', remote);
  await addRelease(a, 'Alpha (USA)');
  await a.ok(['sync', 'push']);
  await b.ok(['sync', 'pull']);
}, SLOW);
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('DAT tables in diff and merge', () => {
  it("a merge keeps the other device's DAT import, and diff shows it", async () => {
    const before = (await a.json(['sync', 'status'])).base as string;
    await a.ok(['dat', 'import', ATARI]);
    const imported = datCounts(a);
    expect(imported.sources).toBe(1);
    expect(imported.games).toBe(905);
    await a.ok(['sync', 'push']);
    const summary = await a.json(['diff', before, 'head', '--summary']);
    expect(summary.summary.dat_source).toEqual({ added: 1, removed: 0, modified: 0 });
    expect(summary.summary.dat_game).toEqual({ added: 905, removed: 0, modified: 0 });
    expect((await a.ok(['diff', before, 'head', '--summary'])).stdout).toMatch(/DAT games\s+905\s+0\s+0/);

    await addRelease(b, 'B only (USA)');
    const merged = await b.run(['sync', 'pull', '--resolve', 'merge']);
    expect(merged.code, merged.stderr).toBe(0);
    expect(datCounts(b)).toEqual(imported);
    expect((await b.json(['dat', 'list'])).sources).toHaveLength(1);
    expect(releases(b)).toContain('B only (USA)');
    expect(integrityOk(b)).toBe(true);

    await a.ok(['sync', 'pull']); // fast-forward to the merge: A keeps its own import
    expect(datCounts(a)).toEqual(imported);
    expect(releases(a)).toContain('B only (USA)');
  }, SLOW);

  it('a merge after the other side re-imported the DAT with games removed cascades the removals (no dangling dat_game)', async () => {
    const src = fs.readFileSync(ATARI, 'utf8');
    const parts = src.split('\ngame (');
    const v2 = path.join(root, 'atari-v2.dat');
    fs.writeFileSync(v2, parts[0]!.replace(/version "[^"]*"/, 'version "2099.01.01"') + parts.slice(6).map((g) => '\ngame (' + g).join(''));
    await a.ok(['dat', 'import', v2]);
    const after = datCounts(a);
    expect(after.games).toBe(900);
    await a.ok(['sync', 'push']);

    await addRelease(b, 'B again (USA)');
    const merged = await b.run(['sync', 'pull', '--resolve', 'merge']);
    expect(merged.code, merged.stderr).toBe(0);
    expect(datCounts(b)).toEqual(after);
    expect(integrityOk(b)).toBe(true);
    expect(releases(b)).toContain('B again (USA)');
    const list = await b.json(['dat', 'list']);
    expect(list.sources[0].version).toBe('2099.01.01');
  }, SLOW);
});
