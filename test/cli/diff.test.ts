// `trove diff` end to end through the built CLI, on libraries built with `trove add` and direct edits.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiffReport } from '../../src/sync/diff/diff-report.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { latestVersion } from '../../src/store/migrations/migration.js';
import { COLLECTION_MIGRATIONS } from '../../src/store/migrations/collection/index.js';

const SNES = 'Nintendo - Super Nintendo Entertainment System';
let dir: string;
let lib: string;
let base: string;
const trove = (...args: string[]) => runCli(['--library', lib, ...args]);
const sha1Of = (f: string) => createHash('sha1').update(fs.readFileSync(f)).digest('hex');

beforeAll(async () => {
  dir = tempDir('trove-cli-diff-');
  lib = path.join(dir, 'lib');
  fs.writeFileSync(path.join(dir, 'ActRaiser (USA).sfc'), 'actraiser rom bytes');
  fs.writeFileSync(path.join(dir, 'ActRaiser (USA).pdf'), 'actraiser manual');
  fs.writeFileSync(path.join(dir, 'Pilotwings (USA).sfc'), 'pilotwings rom bytes');
  expect((await trove('init')).code).toBe(0);
  expect((await trove('add', path.join(dir, 'ActRaiser (USA).sfc'), '--system', SNES, '--release', 'ActRaiser (USA)')).code).toBe(0);
  expect((await trove('add', path.join(dir, 'Pilotwings (USA).sfc'), '--system', SNES, '--release', 'Pilotwings (USA)')).code).toBe(0);
  base = path.join(dir, 'base.db');
  fs.copyFileSync(path.join(lib, 'collection.db'), base);
  // After the copy: a manual added through trove, a region edited by hand, a release removed by hand.
  expect((await trove('add', path.join(dir, 'ActRaiser (USA).pdf'), '--system', SNES, '--release', 'ActRaiser (USA)', '--type', 'manual')).code).toBe(0);
  const db = new Database(path.join(lib, 'collection.db'));
  db.prepare("UPDATE release SET region = 'USA, Canada' WHERE name = 'ActRaiser (USA)'").run();
  db.prepare("DELETE FROM release WHERE name = 'Pilotwings (USA)'").run();
  db.close();
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('trove diff', () => {
  it('prints one labelled line per change, with field before → after', async () => {
    const r = await trove('diff', base, 'local');
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toContain(`~ release    ${SNES} › ActRaiser (USA): region 'USA' → 'USA, Canada'`);
    expect(out).toContain(`- release    ${SNES} › Pilotwings (USA)`);
    expect(out).toContain(`+ file set   ${SNES} › ActRaiser (USA) › manual`);
    expect(out).toContain(`+ membership ${SNES} › ActRaiser (USA) › manual › ActRaiser (USA).pdf`);
    expect(out).toContain(`- membership ${SNES} › Pilotwings (USA) › rom › Pilotwings (USA).sfc`);
  });

  it('--json gives the documented shape', async () => {
    const r = await trove('diff', base, 'local', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as DiffReport;
    expect(report.format).toBe(1);
    expect(report.a).toMatchObject({ ref: base, schemaVersion: latestVersion(COLLECTION_MIGRATIONS), migrated: false });
    expect(report.b.ref).toBe('local');
    expect(report.summary.release).toEqual({ added: 0, removed: 1, modified: 1 });
    const mod = report.changes!.find((c) => c.change === 'modified')!;
    expect(mod).toMatchObject({ entity: 'release', label: `${SNES} › ActRaiser (USA)`, fields: [{ field: 'region', before: 'USA', after: 'USA, Canada' }] });
    expect(mod.updatedAt.before).toMatch(/^\d{4}-/);
    const added = report.changes!.find((c) => c.entity === 'file' && c.change === 'added')!;
    expect(added.row).toMatchObject({ size: 'actraiser manual'.length, type: 'manual' });
  });

  it('--summary prints counts per entity', async () => {
    const r = await trove('diff', base, 'local', '--summary');
    expect(r.stdout).toMatch(/releases\s+0\s+1\s+1/);
    expect(r.stdout).toMatch(/file sets\s+1\s+1\s+0/);
    const j = JSON.parse((await trove('diff', base, 'local', '--summary', '--json')).stdout) as DiffReport;
    expect(j.changes).toBeUndefined();
    expect(j.summary.file_set_file).toEqual({ added: 1, removed: 1, modified: 0 });
  });

  it('never writes the databases it compares', async () => {
    const before = [sha1Of(base), sha1Of(path.join(lib, 'collection.db'))];
    await trove('diff', 'local', base);
    expect([sha1Of(base), sha1Of(path.join(lib, 'collection.db'))]).toEqual(before);
  });

  it('an unknown side is NOT_FOUND naming the closest choices; a missing file names its path', async () => {
    const r = await trove('diff', base, 'locl');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown side "locl".*closest: local/);
    const j = await trove('diff', base, 'locl', '--json');
    expect(JSON.parse(j.stdout).error).toMatchObject({ code: 'NOT_FOUND', candidates: ['local'] });
    const m = await trove('diff', base, path.join(dir, 'nope.db'));
    expect(m.stderr).toContain(`no database file at ${path.join(dir, 'nope.db')}`);
  });

  it('a database from a newer schema exits 6 and is left as it was', async () => {
    const newer = path.join(dir, 'newer.db');
    fs.copyFileSync(base, newer);
    const db = new Database(newer);
    db.pragma('user_version = 42');
    db.close();
    const before = sha1Of(newer);
    const r = await trove('diff', newer, 'local');
    expect(r.code).toBe(6);
    expect(r.stderr).toContain('schema version 42');
    expect(sha1Of(newer)).toBe(before);
  });
});
