// The integrity check shared out over worker threads finds what one integrity_check finds: damage in a
// table's pages or indexes (per-table tasks), pages no b-tree uses (only the whole-file quick_check
// sees them), and broken references (foreign_key_check).
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTasks, runChecks, type CheckTask } from '../../../src/sync/snapshot/integrity-pool.js';
import { tempDir } from '../../helpers/cli.js';
import { catalogCopy, flipTextInTable, pagesOf, smashPageHeader } from '../../helpers/damage-db.js';

let dir: string;
let good: string;
let n = 0;

function copy(): string {
  const p = path.join(dir, `copy-${n++}.db`);
  fs.copyFileSync(good, p);
  return p;
}

function tasksOf(file: string): CheckTask[] {
  const db = new Database(file, { readonly: true });
  try {
    return checkTasks(db);
  } finally {
    db.close();
  }
}

beforeAll(() => {
  dir = tempDir('trove-integrity-pool-');
  good = catalogCopy(dir, 'good.db', 300, 'p');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('runChecks', () => {
  it('has one task per table, the whole-file quick_check and foreign_key_check, largest first', () => {
    const tasks = tasksOf(good);
    expect(tasks).toContainEqual({ kind: 'quick' });
    expect(tasks).toContainEqual({ kind: 'foreign_keys' });
    expect(tasks).toContainEqual({ kind: 'table', table: 'file_set_file' });
    expect(tasks.filter((t) => t.kind === 'table').length).toBe(new Database(good, { readonly: true }).prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").pluck().get());
    expect(tasks.findIndex((t) => t.kind === 'table' && t.table === 'file_set_file')).toBeLessThan(tasks.findIndex((t) => t.kind === 'table' && t.table === 'system'));
  });

  it('passes a healthy database, on one worker or several', async () => {
    for (const workers of [1, 2, 3]) expect(await runChecks(good, tasksOf(good), workers)).toEqual({ integrity: [], foreignKeyViolations: 0 });
  });

  it('finds an index entry that disagrees with its row (the per-table task of that table)', async () => {
    const f = copy();
    const name = new Database(f, { readonly: true }).prepare('SELECT name FROM release ORDER BY rowid LIMIT 1 OFFSET 7').pluck().get() as string;
    flipTextInTable(f, 'release', name);
    const r = await runChecks(f, tasksOf(f), 2);
    expect(r.integrity.join('\n')).toMatch(/missing from index sqlite_autoindex_release_2|wrong # of entries in index sqlite_autoindex_release_2/);
    const onlyRelease = await runChecks(f, [{ kind: 'table', table: 'release' }], 1);
    expect(onlyRelease.integrity.length).toBeGreaterThan(0);
    expect((await runChecks(f, [{ kind: 'quick' }], 1)).integrity).toEqual([]); // which quick_check alone misses
  });

  it('finds a smashed page', async () => {
    const f = copy();
    smashPageHeader(f, pagesOf(f, 'file_set', 'leaf')[2]!);
    expect((await runChecks(f, tasksOf(f), 2)).integrity.join('\n')).toMatch(/btreeInitPage|malformed/);
  });

  it('finds pages no b-tree uses, which only the whole-file quick_check sees', async () => {
    const f = copy();
    // Drop an index from the schema without freeing its pages: they become orphans.
    const db = new Database(f);
    db.unsafeMode(true); // lifts SQLite's defensive mode, which forbids writing the schema
    db.pragma('writable_schema = ON');
    db.prepare("DELETE FROM sqlite_schema WHERE name = 'file_set_file_sha1'").run();
    db.close();
    const tables = tasksOf(f).filter((t) => t.kind === 'table');
    expect((await runChecks(f, tables, 2)).integrity).toEqual([]);
    expect((await runChecks(f, tasksOf(f), 2)).integrity.join('\n')).toMatch(/Page \d+: never used/);
  });

  it('counts broken references', async () => {
    const f = copy();
    const db = new Database(f);
    db.pragma('foreign_keys = OFF');
    db.prepare("UPDATE file_set SET release_id = 'gone-' || rowid WHERE rowid IN (SELECT rowid FROM file_set LIMIT 3)").run();
    db.close();
    expect(await runChecks(f, tasksOf(f), 2)).toEqual({ integrity: [], foreignKeyViolations: 3 });
  });

  it('reports a file it cannot open as a problem, not a crash', async () => {
    const f = path.join(dir, 'not-a-db.db');
    fs.writeFileSync(f, 'hello');
    expect((await runChecks(f, [{ kind: 'quick' }], 1)).integrity.join('\n')).toMatch(/not a database|file is not a database/);
  });
});
