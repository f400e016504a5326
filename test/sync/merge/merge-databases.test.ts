// The I/O shell on real SQLite files: the merged database equals what the pure planner says when given
// whole tables, passes integrity and foreign-key checks, and the inputs are never written.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateBigCatalog } from '../../../fixtures/big-catalog.js';
import { mutateCatalog } from '../../../fixtures/catalog-mutation.js';
import { ALL_TABLES } from '../../../src/sync/diff/catalog-tables.js';
import { mergeDatabases } from '../../../src/sync/merge/merge-databases.js';
import { planMerge } from '../../../src/sync/merge/merge-plan.js';
import type { Row } from '../../../src/sync/merge/merge-types.js';
import { tempDir } from '../../helpers/cli.js';
import { applyToWorld, toInput, type World } from './world.js';

let dir: string;
let base: string;
const sha1Of = (f: string) => createHash('sha1').update(fs.readFileSync(f)).digest('hex');

function readWorld(file: string): World {
  const db = new Database(file, { readonly: true });
  const w = Object.fromEntries(
    ALL_TABLES.map((t) => [t.name, new Map((db.prepare(`SELECT * FROM ${t.name}`).all() as Row[]).map((r) => [String(r[t.key]), r]))]),
  ) as World;
  db.close();
  return w;
}

function copyOf(name: string): string {
  const p = path.join(dir, name);
  fs.copyFileSync(base, p);
  return p;
}

beforeAll(() => {
  dir = tempDir('trove-merge-');
  generateBigCatalog(path.join(dir, 'lib'), { releases: 400, seed: 'm' });
  base = path.join(dir, 'base.db');
  fs.copyFileSync(path.join(dir, 'lib', 'collection.db'), base);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('mergeDatabases', () => {
  it('builds the merged file the planner describes, checked, without writing its inputs', async () => {
    const local = copyOf('local.db');
    const remote = copyOf('remote.db');
    mutateCatalog(local, { fraction: 0.08, seed: 'L', at: '2026-06-01T00:00:00.000Z' });
    mutateCatalog(remote, { fraction: 0.08, seed: 'R', at: '2026-06-02T00:00:00.000Z' });
    // Force clashes: the same release edited on both sides, and deleted on one while edited on the other.
    const ids = new Database(base).prepare('SELECT id FROM release ORDER BY rowid LIMIT 2').pluck().all() as string[];
    for (const [file, region, at] of [[local, 'Local', '2026-06-01T00:00:00.000Z'], [remote, 'Remote', '2026-06-02T00:00:00.000Z']] as const) {
      const db = new Database(file);
      db.prepare('UPDATE release SET region = ?, updated_at = ? WHERE id = ?').run(region, at, ids[0]);
      if (file === local) db.prepare('DELETE FROM release WHERE id = ?').run(ids[1]);
      else db.prepare("UPDATE release SET name = name || ' [!]', updated_at = ? WHERE id = ?").run(at, ids[1]);
      db.close();
    }
    const before = [base, local, remote].map(sha1Of);
    const mergedPath = path.join(dir, 'out', 'merged.db');
    const result = await mergeDatabases({ basePath: base, localPath: local, remotePath: remote, localDevice: 'dev-a', remoteDevice: 'dev-b', mergedPath });
    expect([base, local, remote].map(sha1Of)).toEqual(before);
    expect(result.mergedPath).toBe(mergedPath);
    const kinds = result.conflicts.map((c) => c.kind);
    expect(kinds).toContain('field');
    expect(kinds).toContain('delete_edit');
    const field = result.conflicts.find((c) => c.kind === 'field' && c.key === ids[0])!;
    expect(field).toMatchObject({ local: 'Local', remote: 'Remote', resolution: 'remote' });
    expect(field.label).toMatch(/› Title m 0 \(/);

    const expected = applyToWorld(readWorld(local), planMerge(toInput(readWorld(base), readWorld(local), readWorld(remote)), { localDevice: 'dev-a', remoteDevice: 'dev-b' }));
    const merged = readWorld(mergedPath);
    for (const t of ALL_TABLES) expect(new Map([...merged[t.name]].sort()), t.name).toEqual(new Map([...expected[t.name]].sort()));
    expect(merged.release.get(ids[0]!)!.region).toBe('Remote');
    expect(String(merged.release.get(ids[1]!)!.name)).toMatch(/ \[!\]$/);
    const db = new Database(mergedPath, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    db.close();
    expect(fs.readdirSync(path.join(dir, 'out'))).toEqual(['merged.db']);
  });

  it('applies overrides by conflict id', async () => {
    const local = copyOf('l2.db');
    const remote = copyOf('r2.db');
    const id = new Database(base).prepare('SELECT id FROM release ORDER BY rowid LIMIT 1').pluck().get() as string;
    new Database(local).prepare("UPDATE release SET region = 'L', updated_at = '2026-06-01' WHERE id = ?").run(id);
    new Database(remote).prepare("UPDATE release SET region = 'R', updated_at = '2026-06-02' WHERE id = ?").run(id);
    const first = await mergeDatabases({ basePath: base, localPath: local, remotePath: remote, localDevice: 'a', remoteDevice: 'b', mergedPath: path.join(dir, 'm1.db') });
    const again = await mergeDatabases({
      basePath: base, localPath: local, remotePath: remote, localDevice: 'a', remoteDevice: 'b', mergedPath: path.join(dir, 'm2.db'),
      overrides: { [first.conflicts[0]!.id]: 'local' },
    });
    expect(again.conflicts[0]).toMatchObject({ id: first.conflicts[0]!.id, resolution: 'local', defaultSide: 'remote' });
    expect(new Database(path.join(dir, 'm2.db')).prepare('SELECT region FROM release WHERE id = ?').pluck().get(id)).toBe('L');
  });

  it('refuses a remote from a newer schema and writes nothing', async () => {
    const remote = copyOf('newer.db');
    new Database(remote).pragma('user_version = 9');
    const out = path.join(dir, 'never.db');
    await expect(mergeDatabases({ basePath: base, localPath: base, remotePath: remote, localDevice: 'a', remoteDevice: 'b', mergedPath: out })).rejects.toMatchObject({ code: 'SCHEMA_TOO_NEW' });
    expect(fs.existsSync(out)).toBe(false);
  });
});
