// Several files under one archive name of one file set, end to end through the built CLI on an fs
// remote: a merge of three heads where each device holds different content under one name (every
// content stays referenced, each copy named after the device that made it), and one device losing a
// second clash on the same name (a numbered copy, not exit 4). Every device converges to one catalogue.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deviceTag } from '../../src/store/ids.js';
import { tempDir } from '../helpers/cli.js';
import { cliDevice, integrityOk, type CliDevice } from './sync-helpers.js';

const root = tempDir('trove-sync-clash-names-');
const SLOW = 240_000; // many CLI processes; the suite runs files in parallel on 2 cores
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function read<T>(d: CliDevice, sql: string): T[] {
  const db = new Database(path.join(d.dir, 'collection.db'), { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

function deviceId(d: CliDevice): string {
  const db = new Database(path.join(d.dir, 'state.db'), { readonly: true });
  try {
    return db.prepare('SELECT id FROM device').pluck().get() as string;
  } finally {
    db.close();
  }
}

/** Members as (name, sha1), sorted. */
function members(d: CliDevice): [string, string][] {
  return read<{ name: string; file_sha1: string }>(d, 'SELECT name, file_sha1 FROM file_set_file ORDER BY name').map((m) => [m.name, m.file_sha1]);
}

/** Contents of `x.bin` each device added: sha1 → device. */
async function addX(d: CliDevice, content: string): Promise<string> {
  const src = path.join(d.dir, 'tmp', 'src', 'x.bin');
  fs.mkdirSync(path.dirname(src), { recursive: true });
  fs.writeFileSync(src, content);
  await d.ok(['add', src, '--system', 'S', '--release', 'X (USA)', '-q']);
  fs.rmSync(src);
  const [row] = read<{ sha1: string }>(d, "SELECT file_sha1 AS sha1 FROM file_set_file WHERE name = 'x.bin'");
  return row!.sha1;
}

async function converge(devices: CliDevice[]): Promise<void> {
  for (let round = 0; round < 2; round++) {
    for (const d of devices) {
      const r = await d.run(['sync', 'pull', '--resolve', 'merge', '-q']);
      expect(r.code, r.stderr).toBe(0);
      await d.ok(['sync', 'push', '-q']);
    }
  }
  for (const d of devices) await d.ok(['sync', 'pull', '-q']);
  // The catalogue's side of `ls files` (availability is each device's own).
  const files = await Promise.all(
    devices.map(async (d) => ((await d.json(['ls', 'files'])) as Record<string, unknown>[]).map(({ availability: _, ...f }) => f)),
  );
  for (const f of files.slice(1)) expect(f).toEqual(files[0]);
  for (const d of devices.slice(1)) expect(members(d)).toEqual(members(devices[0]!));
  for (const d of devices) expect(integrityOk(d)).toBe(true);
}

describe('several files under one archive name', () => {
  it('a merge of three heads keeps all three contents, each copy named after the device that made it', { timeout: SLOW }, async () => {
    const remote = ['fs', `root=${path.join(root, 'three', 'R')}`];
    const [a, b, c] = await Promise.all(['A', 'B', 'C'].map((n) => cliDevice(path.join(root, 'three'), n, remote)));
    const sa = await addX(a!, 'content A\n');
    const sb = await addX(b!, 'content B\n');
    const sc = await addX(c!, 'content C\n');
    await a!.ok(['sync', 'push', '-q']);
    await b!.ok(['sync', 'push', '--force', '-q']);
    await c!.ok(['sync', 'push', '--force', '-q']);

    const r = await a!.run(['sync', 'pull', '--resolve', 'merge']);
    expect(r.code, r.stderr).toBe(0);
    // Every clash line says where the other file is kept.
    const clashLines = r.stdout.split('\n').filter((l) => l.includes('file_sha1:'));
    expect(clashLines).toHaveLength(2);
    for (const l of clashLines) expect(l).toMatch(/the other file is kept as "x \(conflict [0-9a-f]{8}\)\.bin"/);
    expect(members(a!)).toEqual([
      [`x (conflict ${deviceTag(deviceId(a!))}).bin`, sa],
      [`x (conflict ${deviceTag(deviceId(b!))}).bin`, sb],
      ['x.bin', sc],
    ].sort((p, q) => (p[0]! < q[0]! ? -1 : 1)));
    await a!.ok(['sync', 'push', '-q']);
    await converge([a!, b!, c!]);
    const referenced = new Set(members(c!).map((m) => m[1]));
    for (const sha of [sa, sb, sc]) expect(referenced.has(sha)).toBe(true);
  });

  it('a device losing a second clash on one name keeps the new loser under a numbered name, and sync goes on', { timeout: SLOW }, async () => {
    const remote = ['fs', `root=${path.join(root, 'twice', 'R')}`];
    const a = await cliDevice(path.join(root, 'twice'), 'A', remote);
    const b = await cliDevice(path.join(root, 'twice'), 'B', remote);
    const c1 = await addX(a, 'c1\n');
    await a.ok(['sync', 'push', '-q']);
    await b.ok(['sync', 'pull', '-q']);
    const c3 = await addX(a, 'c3\n');
    const c2 = await addX(b, 'c2\n');
    await b.ok(['sync', 'push', '-q']);
    await a.ok(['sync', 'pull', '--resolve', 'merge', '-q']); // B's c2 wins; A's c3 kept as "x (conflict <A>).bin"
    const tagA = deviceTag(deviceId(a));
    expect(members(a)).toEqual([[`x (conflict ${tagA}).bin`, c3], ['x.bin', c2]]);
    const c4 = await addX(a, 'c4\n');
    await b.ok(['sync', 'pull', '-q']);
    await addX(b, 'c1\n');
    await b.ok(['sync', 'push', '-q']);

    const r = await a.run(['sync', 'pull', '--resolve', 'merge']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`the other file is kept as "x (conflict ${tagA} 2).bin"`);
    expect(members(a)).toEqual([
      [`x (conflict ${tagA} 2).bin`, c4],
      [`x (conflict ${tagA}).bin`, c3],
      ['x.bin', c1],
    ]);
    await a.ok(['sync', 'push', '-q']);
    await converge([a, b]);
    const referenced = new Set(members(b).map((m) => m[1]));
    for (const sha of [c1, c2, c3, c4].filter((s) => s !== c2)) expect(referenced.has(sha)).toBe(true);
  });
});
