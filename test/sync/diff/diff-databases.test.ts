import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateBigCatalog } from '../../../fixtures/big-catalog.js';
import { mutateCatalog } from '../../../fixtures/catalog-mutation.js';
import { diffSides } from '../../../src/sync/diff/diff-sides.js';
import { renderDiffText } from '../../../src/sync/diff/diff-text.js';
import { createSideResolver } from '../../../src/sync/diff/side-resolver.js';
import { isTroveError } from '../../../src/store/errors.js';
import { tempDir } from '../../helpers/cli.js';
import { latestVersion } from '../../../src/store/migrations/migration.js';
import { COLLECTION_MIGRATIONS } from '../../../src/store/migrations/collection/index.js';

let dir: string;
let base: string;

const sha1Of = (f: string) => createHash('sha1').update(fs.readFileSync(f)).digest('hex');
const copy = (name: string) => {
  const p = path.join(dir, name);
  fs.copyFileSync(base, p);
  return p;
};
const edit = (file: string, sql: string, ...params: unknown[]) => {
  const db = new Database(file);
  db.prepare(sql).run(...params);
  db.close();
};
const resolve = createSideResolver({});
const diff = (a: string, b: string, summaryOnly = false) => diffSides(a, b, { resolve, tmpDir: dir, summaryOnly });

beforeAll(() => {
  dir = tempDir('trove-diff-');
  generateBigCatalog(path.join(dir, 'lib'), { releases: 300, seed: 'd' });
  base = path.join(dir, 'base.db');
  fs.copyFileSync(path.join(dir, 'lib', 'collection.db'), base);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('diffDatabases', () => {
  it('reports nothing between a database and its copy', async () => {
    const r = await diff(base, copy('same.db'));
    expect(r.changes).toEqual([]);
    expect(renderDiffText(r)).toContain('No catalogue changes.');
  });

  it('labels a field change through the system and shows before → after', async () => {
    const b = copy('region.db');
    const id = (new Database(b).prepare('SELECT id FROM release ORDER BY rowid LIMIT 1').pluck().get()) as string;
    edit(b, "UPDATE release SET region = 'USA, Canada' WHERE id = ?", id);
    const r = await diff(base, b);
    expect(r.summary.release).toEqual({ added: 0, removed: 0, modified: 1 });
    const c = r.changes![0]!;
    expect(c).toMatchObject({ entity: 'release', id, change: 'modified', fields: [{ field: 'region', after: 'USA, Canada' }] });
    expect(c.label).toMatch(/^Nintendo - Super Nintendo Entertainment System › Title d 0 \(/);
    expect(renderDiffText(r).join('\n')).toMatch(/~ release\s+Nintendo - Super Nintendo Entertainment System › Title d 0 .*: region '\w+' → 'USA, Canada'/);
  });

  it('labels a removed release through the side that still has it, and its file sets and memberships too', async () => {
    const b = copy('removed.db');
    const row = new Database(base).prepare('SELECT id, name FROM release ORDER BY name LIMIT 1 OFFSET 5').get() as { id: string; name: string };
    edit(b, 'DELETE FROM release WHERE id = ?', row.id); // ON DELETE CASCADE removes file sets and memberships
    const r = await diff(base, b);
    const removed = r.changes!.filter((c) => c.change === 'removed');
    expect(removed.find((c) => c.entity === 'release')!.label).toContain(`› ${row.name}`);
    expect(removed.find((c) => c.entity === 'file_set')!.label).toContain(`› ${row.name} › rom`);
    expect(removed.find((c) => c.entity === 'file_set_file')!.label).toContain(`› ${row.name} › rom › ${row.name}`);
    expect(r.summary.file).toEqual({ added: 0, removed: 0, modified: 0 });
  });

  it('resolves a changed reference to names on each side', async () => {
    const b = copy('retitle.db');
    const id = new Database(base).prepare('SELECT id FROM release ORDER BY name LIMIT 1').pluck().get() as string;
    edit(b, "INSERT INTO software_title (id, name, created_at, updated_at) VALUES ('t-new', 'Brand New', 'x', 'x')");
    edit(b, "UPDATE release SET software_title_id = 't-new' WHERE id = ?", id);
    const r = await diff(base, b);
    const f = r.changes!.find((c) => c.entity === 'release')!.fields[0]!;
    expect(f).toMatchObject({ field: 'software_title_id', after: 't-new', beforeLabel: 'Title d 0', afterLabel: 'Brand New' });
    expect(r.changes!.find((c) => c.entity === 'software_title')).toMatchObject({ change: 'added', label: 'Brand New' });
  });

  it('ignores timestamp-only changes and counts cloud status churn apart from the catalogue', async () => {
    const b = copy('touch.db');
    edit(b, "UPDATE system SET updated_at = '2030-01-01T00:00:00.000Z'");
    edit(b, "INSERT INTO file_sync_log (file_sha1, type, state, attempts, created_at, updated_at) SELECT sha1, type, 'UploadCompleted', 1, 'x', 'x' FROM file LIMIT 3");
    const r = await diff(base, b);
    expect(r.changes).toEqual([]);
    expect(r.syncStatus).toEqual({ added: 3, removed: 0, modified: 0 });
    expect(renderDiffText(r).join('\n')).toContain('3 added, 0 removed, 0 changed in file_sync_log');
  });

  it('finds rows by stable id even when every rowid moved (rebuilt database)', async () => {
    const b = path.join(dir, 'rebuilt.db');
    const m = copy('rebuilt-src.db');
    mutateCatalog(m, { fraction: 0.05, seed: 'x' });
    // Rebuild every table in reverse order so no row keeps its rowid.
    const db = new Database(b);
    db.exec(`ATTACH '${m}' AS m`);
    // Version 1's columns (file_sync_log.stored_bytes came with collection migration 3).
    const v1Columns = (t: string) => (t === 'file_sync_log' ? 'file_sha1, type, state, attempts, last_error, created_at, updated_at' : '*');
    for (const t of ['system', 'software_title', 'release', 'file_set', 'file', 'file_set_file', 'file_sync_log']) {
      db.exec(`CREATE TABLE ${t} AS SELECT ${v1Columns(t)} FROM m.${t} WHERE 0`);
      db.exec(`INSERT INTO ${t} SELECT ${v1Columns(t)} FROM m.${t} ORDER BY rowid DESC`);
      if (t === 'file') db.exec('CREATE UNIQUE INDEX file_pk ON file(sha1)');
      else if (t === 'file_sync_log') db.exec('CREATE UNIQUE INDEX fsl_pk ON file_sync_log(file_sha1)');
      else db.exec(`CREATE UNIQUE INDEX ${t}_pk ON ${t}(id)`);
    }
    db.pragma(`user_version = 1`);
    db.close();
    const direct = await diff(base, m);
    const rebuilt = await diff(base, b);
    expect(rebuilt.summary).toEqual(direct.summary);
    expect(rebuilt.changes!.map((c) => [c.entity, c.id, c.change])).toEqual(direct.changes!.map((c) => [c.entity, c.id, c.change]));
    expect(direct.summary.release.modified + direct.summary.release.added + direct.summary.release.removed).toBeGreaterThan(5);
  });

  it('summary counts equal the full report', async () => {
    const b = copy('mut.db');
    mutateCatalog(b, { fraction: 0.1, seed: 's' });
    const full = await diff(base, b);
    const summary = await diff(base, b, true);
    expect(summary.summary).toEqual(full.summary);
    expect(summary.changes).toBeUndefined();
  });

  it('compares an older schema through a migrated temporary copy and leaves the original alone', async () => {
    const old = path.join(dir, 'v0.db');
    new Database(old).close();
    const before = sha1Of(old);
    const r = await diff(old, base, true);
    expect(r.a).toMatchObject({ migrated: true, schemaVersion: latestVersion(COLLECTION_MIGRATIONS) });
    expect(r.summary.release.added).toBe(300);
    expect(sha1Of(old)).toBe(before);
    expect(fs.readdirSync(dir).filter((f) => f.includes('migrated'))).toEqual([]);
  });

  it('refuses a database from a newer schema, naming it, without touching it', async () => {
    const newer = copy('newer.db');
    edit(newer, 'PRAGMA user_version = 99');
    const before = sha1Of(newer);
    const err = await diff(base, newer).catch((e) => e);
    expect(isTroveError(err, 'SCHEMA_TOO_NEW')).toBe(true);
    expect(err.message).toContain('newer.db');
    expect(sha1Of(newer)).toBe(before);
  });

  it('refuses a SQLite file that is not a trove catalogue, and a file that is not SQLite', async () => {
    const other = path.join(dir, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE t (x)');
    db.close();
    await expect(diff(base, other)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    const junk = path.join(dir, 'junk.db');
    fs.writeFileSync(junk, 'not a database at all, just text that is long enough to look like a header');
    await expect(diff(base, junk)).rejects.toMatchObject({ code: 'CORRUPT_SNAPSHOT' });
  });
});
