// `trove merge` end to end through the built CLI: plan, pending conflicts in state.db, resolve one by
// one, apply after a verified backup, discard; and SIGKILL at each step of an apply.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

const SNES = 'Nintendo - Super Nintendo Entertainment System';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Catalogue content, row by row, ignoring physical layout (what "untouched" means for a database). */
function content(file: string): string {
  const db = new Database(file, { readonly: true });
  const tables = ['system', 'software_title', 'release', 'file_set', 'file', 'file_set_file', 'file_sync_log'];
  const out = JSON.stringify(tables.map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY 1`).all()));
  db.close();
  return out;
}

let template: Promise<string> | undefined;

/** Built once through the CLI: a library with ActRaiser and Pilotwings, base.db copied, then a manual added. */
function buildTemplate(): Promise<string> {
  template ??= (async () => {
    const dir = tempDir('trove-cli-merge-template-');
    dirs.push(dir);
    const lib = path.join(dir, 'lib');
    const trove = (...args: string[]) => runCli(['--library', lib, ...args]);
    for (const [f, body] of [['ActRaiser (USA).sfc', 'actraiser'], ['Pilotwings (USA).sfc', 'pilotwings'], ['ActRaiser (USA).pdf', 'manual']]) fs.writeFileSync(path.join(dir, f!), body!);
    expect((await trove('init')).code).toBe(0);
    expect((await trove('add', path.join(dir, 'ActRaiser (USA).sfc'), '--system', SNES, '--release', 'ActRaiser (USA)')).code).toBe(0);
    expect((await trove('add', path.join(dir, 'Pilotwings (USA).sfc'), '--system', SNES, '--release', 'Pilotwings (USA)')).code).toBe(0);
    fs.copyFileSync(path.join(lib, 'collection.db'), path.join(dir, 'base.db'));
    expect((await trove('add', path.join(dir, 'ActRaiser (USA).pdf'), '--system', SNES, '--release', 'ActRaiser (USA)', '--type', 'manual')).code).toBe(0);
    return dir;
  })();
  return template;
}

/**
 * A copy of the template: `base.db` the common ancestor, `remote.db` the base as another device changed
 * it, and the library's own changes since base (a manual added through trove, and with `conflict` a
 * region edited by hand that the remote edited differently).
 */
async function scenario(opts: { conflict: boolean }) {
  const dir = tempDir('trove-cli-merge-');
  dirs.push(dir);
  fs.cpSync(await buildTemplate(), dir, { recursive: true });
  const lib = path.join(dir, 'lib');
  const trove = (...args: string[]) => runCli(['--library', lib, ...args]);
  const base = path.join(dir, 'base.db');
  const remote = path.join(dir, 'remote.db');
  fs.copyFileSync(base, remote);
  const r = new Database(remote);
  r.prepare("UPDATE release SET region = 'USA, Canada', updated_at = '2099-01-01T00:00:00.000Z' WHERE name = 'Pilotwings (USA)'").run();
  r.prepare("INSERT INTO software_title (id, name, created_at, updated_at) VALUES ('t-remote', 'F-Zero', '2099-01-01', '2099-01-01')").run();
  if (opts.conflict) r.prepare("UPDATE release SET region = 'Japan', updated_at = '2099-01-01T00:00:00.000Z' WHERE name = 'ActRaiser (USA)'").run();
  r.close();
  if (opts.conflict) {
    const l = new Database(path.join(lib, 'collection.db'));
    l.prepare("UPDATE release SET region = 'Europe', updated_at = '2098-01-01T00:00:00.000Z' WHERE name = 'ActRaiser (USA)'").run();
    l.close();
  }
  return { dir, lib, base, remote, db: path.join(lib, 'collection.db'), trove };
}

const region = (file: string, name: string) => new Database(file, { readonly: true }).prepare('SELECT region FROM release WHERE name = ?').pluck().get(name);

describe('trove merge', () => {
  it('applies at once when nothing conflicts, after a verified backup', async () => {
    const s = await scenario({ conflict: false });
    const before = content(s.db);
    const r = await s.trove('merge', s.base, s.remote);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Merged: \d+ change\(s\) applied/);
    expect(region(s.db, 'Pilotwings (USA)')).toBe('USA, Canada');
    const backups = fs.readdirSync(path.join(s.lib, 'backups'));
    expect(backups).toHaveLength(1);
    expect(content(path.join(s.lib, 'backups', backups[0]!))).toBe(before);
    const diff = await s.trove('diff', s.base, 'local');
    expect(diff.stdout).toContain('+ file set'); // local's manual kept
    expect(diff.stdout).toContain('+ title      F-Zero'); // remote's title taken
    expect((await s.trove('merge', '--status')).stdout).toContain('No merge pending.');
    expect((await s.trove('show', 'ActRaiser (USA)')).code).toBe(0);
    expect(fs.readdirSync(path.join(s.lib, 'tmp'))).toEqual([]);
  });

  it('keeps conflicts pending (exit 3), resolves them one by one, then applies', async () => {
    const s = await scenario({ conflict: true });
    const before = content(s.db);
    const r = await s.trove('merge', s.base, s.remote);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(new RegExp(`\\[([0-9a-f]{10})\\] field\\s+${SNES} › ActRaiser \\(USA\\): region: local 'Europe' \\| cloud 'Japan' → cloud \\(default: cloud changed it later`));
    expect(content(s.db)).toBe(before);
    const status = JSON.parse((await s.trove('merge', '--status', '--json')).stdout);
    expect(status.pending.conflicts).toHaveLength(1);
    const id = status.pending.conflicts[0].id as string;
    expect(status.pending.conflicts[0]).toMatchObject({ kind: 'field', field: 'region', local: 'Europe', remote: 'Japan', chosen: null, resolution: 'remote' });
    expect((await s.trove('merge', '--resolve', 'zzz=local')).code).toBe(1);
    const bad = await s.trove('merge', '--resolve', `${id}=sideways`);
    expect(bad.code).toBe(2);
    const res = await s.trove('merge', '--resolve', `${id.slice(0, 4)}=local`);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('→ local (chosen)');
    const applied = await s.trove('merge', '--apply', '--json');
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({ applied: true, conflicts: [{ id, resolution: 'local' }] });
    expect(region(s.db, 'ActRaiser (USA)')).toBe('Europe');
    expect(region(s.db, 'Pilotwings (USA)')).toBe('USA, Canada');
    const db = new Database(s.db, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('--prefer cloud resolves everything to the cloud and applies', async () => {
    const s = await scenario({ conflict: true });
    const r = await s.trove('merge', s.base, s.remote, '--prefer', 'cloud');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('→ cloud (chosen)');
    expect(region(s.db, 'ActRaiser (USA)')).toBe('Japan');
  });

  it('--discard drops the pending merge and leaves the library as it was', async () => {
    const s = await scenario({ conflict: true });
    const before = content(s.db);
    expect((await s.trove('merge', s.base, s.remote)).code).toBe(3);
    expect((await s.trove('merge', s.base, s.remote)).stderr).toContain('already pending');
    const d = await s.trove('merge', '--discard');
    expect(d.code).toBe(0);
    expect(content(s.db)).toBe(before);
    expect(fs.readdirSync(path.join(s.lib, 'tmp'))).toEqual([]);
    expect((await s.trove('merge', '--apply')).stderr).toContain('no merge is pending');
  });

  it.each(['merge:applying', 'merge:merged-built', 'merge:before-replace'])(
    'SIGKILL at %s leaves the library untouched and the merge resumable, then discardable',
    async (fault) => {
      const s = await scenario({ conflict: true });
      const before = content(s.db);
      expect((await s.trove('merge', s.base, s.remote)).code).toBe(3);
      const killed = await runCli(['--library', s.lib, 'merge', '--apply'], { env: { TROVE_FAULT: fault } });
      expect(killed.code).toBe(128); // killed by a signal
      expect(content(s.db)).toBe(before);
      const db = new Database(s.db, { readonly: true });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
      const status = await s.trove('merge', '--status');
      expect(status.stdout).toContain('an apply was interrupted');
      // Resumable: a second apply finishes the job.
      const again = await s.trove('merge', '--apply');
      expect(again.code).toBe(0);
      expect(region(s.db, 'ActRaiser (USA)')).toBe('Japan');
      expect(fs.readdirSync(path.join(s.lib, 'tmp'))).toEqual([]);
    },
  );

  it('SIGKILL after the replace leaves the merged catalogue; --discard then just forgets the merge', async () => {
    const s = await scenario({ conflict: true });
    expect((await s.trove('merge', s.base, s.remote)).code).toBe(3);
    const killed = await runCli(['--library', s.lib, 'merge', '--apply'], { env: { TROVE_FAULT: 'merge:after-replace' } });
    expect(killed.code).toBe(128);
    expect(region(s.db, 'ActRaiser (USA)')).toBe('Japan');
    expect((await s.trove('merge', '--discard')).code).toBe(0);
    expect((await s.trove('show', 'Pilotwings (USA)')).code).toBe(0);
    expect(region(s.db, 'Pilotwings (USA)')).toBe('USA, Canada');
  });
});
