// `trove diff` / `trove merge` / `trove sync log` given things they cannot use: a clean error naming the
// input and the documented exit code, never an internal error with a stack trace.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

const dir = tempDir('trove-bad-sides-');
const lib = path.join(dir, 'lib');
const trove = (...args: string[]) => runCli(['--library', lib, ...args], { cwd: dir });

beforeAll(async () => {
  expect((await runCli(['init', '--library', lib])).code).toBe(0);
  const foreign = new Database(path.join(dir, 'foreign2.db'));
  foreign.exec('CREATE TABLE t (x); PRAGMA user_version = 2;');
  foreign.close();
  fs.writeFileSync(path.join(dir, 'garbage.db'), 'not a database at all, just text that is long enough');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const noStack = (stderr: string) => expect(stderr).not.toMatch(/internal error|\n\s+at /);

describe('bad sides', () => {
  it('merge with a missing file or a word: NOT_FOUND naming it (exit 1), JSON error with --json', async () => {
    for (const args of [['merge', 'nonexist.db', 'other.db'], ['merge', 'base', 'head']]) {
      const r = await trove(...args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`base ${args[1]}: no such file.*trove sync pull --resolve merge`));
      noStack(r.stderr);
    }
    const j = await trove('--json', 'merge', 'nonexist.db', 'other.db');
    expect(JSON.parse(j.stdout).error).toMatchObject({ code: 'NOT_FOUND' });
  });
  it('diff or merge of a SQLite file that is not a catalogue: "not a trove catalogue", exit 1', async () => {
    for (const args of [['diff', 'foreign2.db', 'local'], ['merge', 'foreign2.db', 'foreign2.db']]) {
      const r = await trove(...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/foreign2\.db is not a trove catalogue/);
      noStack(r.stderr);
    }
  });
  it('an empty side or id is a usage error (exit 2), not the current folder or "matches every backup" (qa-b 12)', async () => {
    for (const args of [['diff', '', 'local'], ['diff', 'local', ' '], ['backups', 'restore', '']]) {
      const r = await trove(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/an empty side|give a backup id/);
      noStack(r.stderr);
    }
  });
  it("state.db is named for what it is, not as a newer schema", async () => {
    const r = await trove('diff', path.join(lib, 'state.db'), 'local');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not a trove catalogue \(it is a library's state\.db/);
  });
  it('a file that is not SQLite: exit 4, named', async () => {
    const r = await trove('merge', 'garbage.db', 'garbage.db');
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/garbage\.db is not a readable SQLite database/);
    noStack(r.stderr);
  });
  it('sync log --limit that is not a positive whole number: usage error, exit 2', async () => {
    for (const v of ['abc', '0', '-1']) {
      const r = await trove('sync', 'log', '--limit', v);
      expect(r.code, v).toBe(2);
      expect(r.stderr).toMatch(/--limit needs a whole number/); // checked where the command line is read
      noStack(r.stderr);
    }
    expect((await trove('sync', 'log', '--limit', '3')).code).toBe(0);
  });
});
