// The check of a merged database before it takes its name (merge-check.ts): quick_check of every page
// and the foreign keys of the rows the plan touched. Damaged pages (smashed, truncated), a dangling
// reference from the cloud, and a plan that orphans children are each refused with nothing written;
// the full `integrity` level also sees an index/row disagreement local already had.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mutateCatalog } from '../../../fixtures/catalog-mutation.js';
import { finishMergedDatabase, snapshotCopy } from '../../../src/sync/merge/merge-apply.js';
import { brokenReferencesOfPlan } from '../../../src/sync/merge/merge-check.js';
import { mergeDatabases } from '../../../src/sync/merge/merge-databases.js';
import type { MergePlan, RowOp } from '../../../src/sync/merge/merge-types.js';
import { tempDir } from '../../helpers/cli.js';
import { catalogCopy, flipTextInTable, pagesOf, smashPageHeader, truncatePages } from '../../helpers/damage-db.js';

let dir: string;
let base: string;
let n = 0;
const sha1Of = (f: string) => createHash('sha1').update(fs.readFileSync(f)).digest('hex');

/** A fresh pair of sides, each a copy of base with its own edits. */
function sides(): { local: string; remote: string; out: string } {
  const d = path.join(dir, `case-${n++}`);
  fs.mkdirSync(d);
  const local = path.join(d, 'local.db');
  const remote = path.join(d, 'remote.db');
  fs.copyFileSync(base, local);
  fs.copyFileSync(base, remote);
  mutateCatalog(local, { fraction: 0.05, seed: 'L', at: '2026-06-01T00:00:00.000Z' });
  mutateCatalog(remote, { fraction: 0.05, seed: 'R', at: '2026-06-02T00:00:00.000Z' });
  return { local, remote, out: path.join(d, 'out') };
}

/** The merge is refused with `code` and `message`, its inputs unchanged and nothing left in `out`. */
async function expectRefused(s: { local: string; remote: string; out: string }, code: string, message: RegExp): Promise<void> {
  const before = [base, s.local, s.remote].map(sha1Of);
  const mergedPath = path.join(s.out, 'merged.db');
  await expect(mergeDatabases({ basePath: base, localPath: s.local, remotePath: s.remote, localDevice: 'a', remoteDevice: 'b', mergedPath })).rejects.toMatchObject({
    code,
    message: expect.stringMatching(message),
  });
  expect([base, s.local, s.remote].map(sha1Of)).toEqual(before);
  expect(fs.existsSync(s.out) ? fs.readdirSync(s.out) : []).toEqual([]);
}

beforeAll(() => {
  dir = tempDir('trove-merge-check-');
  base = catalogCopy(dir, 'base.db', 400, 'c');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('a merge refuses, writing nothing,', () => {
  it('a local with a damaged page no merge step reads: the final quick_check of the result finds it', async () => {
    const s = sides();
    // dat_rom_crc32 is an index the merge neither reads nor writes; its page is copied as is.
    smashPageHeader(s.local, pagesOf(s.local, 'dat_rom_crc32')[0]!);
    await expectRefused(s, 'INTEGRITY', /merged database .*merged\.db: quick_check failed: .*page \d+/);
  });

  it('a local with a damaged table page: found while reading, and local is named', async () => {
    const s = sides();
    smashPageHeader(s.local, pagesOf(s.local, 'file_set_file', 'leaf').at(-1)!);
    await expectRefused(s, 'INTEGRITY', /^local .*local\.db is damaged \(quick_check: /);
  });

  it('a truncated local', async () => {
    const s = sides();
    truncatePages(s.local, 3);
    await expectRefused(s, 'CORRUPT_SNAPSHOT', /local .*local\.db is not a readable SQLite database: database disk image is malformed/);
  });

  it('a cloud side holding a row that points at a parent nobody has (the result would dangle)', async () => {
    const s = sides();
    const db = new Database(s.remote);
    db.pragma('foreign_keys = OFF');
    const set = db.prepare('SELECT id FROM file_set LIMIT 1').pluck().get() as string;
    db.prepare("INSERT INTO file_set_file (id, file_set_id, file_sha1, name, position, created_at, updated_at) VALUES ('dangling', ?, ?, 'ghost.bin', 9, 'x', 'x')").run(set, 'f'.repeat(40));
    db.close();
    await expectRefused(s, 'INTEGRITY', new RegExp(`foreign_key_check found 1 broken reference\\(s\\): file_set_file dangling → missing file ${'f'.repeat(40)}`));
  });
});

describe('finishMergedDatabase', () => {
  it('refuses a plan that deletes a release but leaves its file sets (children would dangle)', async () => {
    const copy = path.join(dir, `plan-copy-${n++}.db`);
    await snapshotCopy(base, copy);
    const db = new Database(copy, { readonly: true });
    const { id } = db.prepare('SELECT r.id FROM release r WHERE EXISTS (SELECT 1 FROM file_set s WHERE s.release_id = r.id) LIMIT 1').get() as { id: string };
    db.close();
    const plan: MergePlan = { ops: { release: [{ op: 'delete', key: id }] }, merged: {}, conflicts: [], counts: { fromLocal: 0, fromRemote: 0, fieldMerged: 0, unchanged: 0 } };
    const out = path.join(dir, `plan-out-${n++}`, 'merged.db');
    expect(() => finishMergedDatabase(copy, plan, out)).toThrow(expect.objectContaining({ code: 'INTEGRITY', message: expect.stringMatching(new RegExp(`file_set .* → missing release ${id}`)) }));
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.existsSync(copy)).toBe(false); // consumed: removed on failure
  });
});

describe('finishMergedDatabase: a row the constraints refuse', () => {
  it('is a CONFLICT naming the row (not INTEGRITY: nothing is corrupt), and nothing is built', async () => {
    const copy = path.join(dir, `plan-copy-${n++}.db`);
    await snapshotCopy(base, copy);
    const db = new Database(copy, { readonly: true });
    const m = db.prepare('SELECT * FROM file_set_file LIMIT 1').get() as Record<string, string | number>;
    db.close();
    // A second member of the same file set under the same name, with another id.
    const row = { ...m, id: 'dup-member' };
    const plan: MergePlan = { ops: { file_set_file: [{ op: 'insert', key: 'dup-member', row }] }, merged: {}, conflicts: [], counts: { fromLocal: 0, fromRemote: 0, fieldMerged: 0, unchanged: 0 } };
    const out = path.join(dir, `plan-out-${n++}`, 'merged.db');
    expect(() => finishMergedDatabase(copy, plan, out)).toThrow(
      expect.objectContaining({ code: 'CONFLICT', message: expect.stringMatching(new RegExp(`file_set_file row dup-member \\(file_set_id "${m.file_set_id}", name ${JSON.stringify(m.name).replace(/[()[\]]/g, '\\$&')}\\)`)) }),
    );
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.existsSync(copy)).toBe(false);
  });
});

describe('brokenReferencesOfPlan', () => {
  let db: Database.Database;
  let ids: { release: string; set: string; member: string; file: string; system: string };
  beforeAll(() => {
    db = new Database(':memory:');
    const src = new Database(base, { readonly: true });
    db.exec(`ATTACH '${base.replace(/'/g, "''")}' AS src`);
    src.close();
    // The same schema and rows, in memory, so each case starts from a consistent catalogue.
    for (const { sql, name } of db.prepare("SELECT sql, name FROM src.sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { sql: string; name: string }[]) {
      db.exec(sql);
      db.exec(`INSERT INTO main.${name} SELECT * FROM src.${name}`);
    }
    for (const { sql } of db.prepare("SELECT sql FROM src.sqlite_schema WHERE type = 'index' AND sql IS NOT NULL").all() as { sql: string }[]) db.exec(sql);
    db.exec('DETACH src');
    db.pragma('foreign_keys = OFF');
    const r = db.prepare('SELECT s.release_id AS release, s.id AS "set", m.id AS member, m.file_sha1 AS file, r.system_id AS system FROM file_set_file m JOIN file_set s ON s.id = m.file_set_id JOIN release r ON r.id = s.release_id WHERE (SELECT count(*) FROM file_set o WHERE o.release_id = r.id) = 1 LIMIT 1').get() as typeof ids;
    ids = r;
  });
  afterAll(() => db.close());

  const plan = (ops: MergePlan['ops']): MergePlan => ({ ops, merged: {}, conflicts: [], counts: { fromLocal: 0, fromRemote: 0, fieldMerged: 0, unchanged: 0 } });
  const cases: { name: string; sql: string; ops: () => Partial<Record<string, RowOp[]>>; broken: number; first?: RegExp }[] = [
    { name: 'no operations: nothing to check', sql: '', ops: () => ({}), broken: 0 },
    {
      name: 'a release updated in place (delete + insert of the same id) keeps its file sets valid',
      sql: "UPDATE release SET region = 'Mars' WHERE id = :release",
      ops: () => ({ release: [{ op: 'update', key: ids.release }] }),
      broken: 0,
    },
    {
      name: 'a release deleted together with its subtree breaks nothing',
      sql: 'DELETE FROM file_set_file WHERE file_set_id IN (SELECT id FROM file_set WHERE release_id = :release); DELETE FROM file_set WHERE release_id = :release; DELETE FROM release WHERE id = :release',
      ops: () => ({ release: [{ op: 'delete', key: ids.release }] }),
      broken: 0,
    },
    {
      name: 'a release deleted without its file sets leaves them dangling',
      sql: 'DELETE FROM release WHERE id = :release',
      ops: () => ({ release: [{ op: 'delete', key: ids.release }] }),
      broken: 1,
      first: /^file_set .* → missing release /,
    },
    {
      name: 'a membership written pointing at a file that does not exist',
      sql: "UPDATE file_set_file SET file_sha1 = '0000000000000000000000000000000000000000' WHERE id = :member",
      ops: () => ({ file_set_file: [{ op: 'update', key: ids.member }] }),
      broken: 1,
      first: /^file_set_file .* → missing file 0{40}$/,
    },
    {
      name: 'a release moved to a system that does not exist',
      sql: "UPDATE release SET system_id = 'nowhere' WHERE id = :release",
      ops: () => ({ release: [{ op: 'update', key: ids.release }] }),
      broken: 1,
      first: /^release .* → missing system nowhere$/,
    },
    {
      name: 'a release with no title is fine (NULL references nothing)',
      sql: 'UPDATE release SET software_title_id = NULL WHERE id = :release',
      ops: () => ({ release: [{ op: 'update', key: ids.release }] }),
      broken: 0,
    },
    {
      name: 'a file deleted while a membership still names it',
      sql: 'DELETE FROM file WHERE sha1 = :file',
      ops: () => ({ file: [{ op: 'delete', key: ids.file }] }),
      broken: 1,
      first: /^file_set_file .* → missing file /,
    },
    {
      name: 'a file set removed while a DAT rom (a table the merge never writes) still names it',
      sql: "DELETE FROM file_set_file WHERE file_set_id = :set; DELETE FROM file_set WHERE id = :set; INSERT INTO dat_rom (id, file_set_id, name, size, crc32, position, created_at, updated_at) VALUES ('rom-1', :set, 'a.bin', 1, '00000000', 0, 'x', 'x')",
      ops: () => ({ file_set: [{ op: 'delete', key: ids.set }] }),
      broken: 1,
      first: /^dat_rom rom-1 → missing file_set /,
    },
    {
      name: 'a broken reference the plan did not touch is not this check’s business (local is written with foreign keys on)',
      sql: "UPDATE file_set_file SET file_sha1 = '0000000000000000000000000000000000000000' WHERE id = :member",
      ops: () => ({ release: [{ op: 'update', key: ids.release }] }),
      broken: 0,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      db.exec('SAVEPOINT c');
      try {
        for (const stmt of c.sql.split(';').filter((x) => x.trim())) db.prepare(stmt).run(Object.fromEntries(Object.entries(ids).filter(([k]) => stmt.includes(`:${k}`))));
        const r = brokenReferencesOfPlan(db, plan(c.ops() as MergePlan['ops']));
        expect(r.count).toBe(c.broken);
        if (c.first) expect(r.first[0]).toMatch(c.first);
      } finally {
        db.exec('ROLLBACK TO c; RELEASE c');
      }
    });
  }
});

describe('verify levels', () => {
  it('quick does not see an index/row disagreement local already had; integrity does', async () => {
    const s = sides();
    const db = new Database(s.local, { readonly: true });
    const name = db.prepare("SELECT name FROM release WHERE name LIKE '%(USA)%' ORDER BY rowid LIMIT 1").pluck().get() as string;
    db.close();
    flipTextInTable(s.local, 'release', name);
    const quick = await mergeDatabases({ basePath: base, localPath: s.local, remotePath: s.remote, localDevice: 'a', remoteDevice: 'b', mergedPath: path.join(s.out, 'quick.db') });
    expect(fs.existsSync(quick.mergedPath)).toBe(true);
    await expect(
      mergeDatabases({ basePath: base, localPath: s.local, remotePath: s.remote, localDevice: 'a', remoteDevice: 'b', mergedPath: path.join(s.out, 'full.db'), verify: 'integrity' }),
    ).rejects.toMatchObject({ code: 'INTEGRITY', message: expect.stringMatching(/integrity_check failed: .*(missing from index|wrong # of entries)/) });
    expect(fs.existsSync(path.join(s.out, 'full.db'))).toBe(false);
  });
});
