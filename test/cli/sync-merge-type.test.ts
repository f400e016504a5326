// QA3 H3 end to end through the built CLI: two devices add the same content under different types (a
// manual that is also a ROM), and the merge settles `file.type` for both. The blobs stay where they
// are; where a blob is comes from the records (local_blob.type here, file_sync_log.type on the remote),
// never from the catalogue's label. Afterwards every device can upload, verify, export, drop and
// download it, and nothing at the old paths is lost. docs/store.md "Where a blob is".
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { cliDevice, integrityOk, type CliDevice } from './sync-helpers.js';

const root = tempDir('trove-sync-merge-type-');
const SLOW = 300_000; // many CLI processes; the suite runs files in parallel on 2 cores
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const CONTENT = 'same content, a manual that is also a rom\n';
const SHA1 = '' + (await import('node:crypto')).createHash('sha1').update(CONTENT).digest('hex');
const SYSTEM = 'Nintendo - Game Boy';

/** The `result` line of a transfer command's --json stream (exit 0 required). */
async function result(d: CliDevice, args: string[]) {
  const r = await d.run([...args, '--json']);
  if (r.code !== 0) throw new Error(`trove ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!);
}

function query<T>(d: CliDevice, file: string, sql: string): T[] {
  const db = new Database(path.join(d.dir, file), { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

async function addAs(d: CliDevice, release: string, type: string): Promise<void> {
  const file = path.join(d.dir, 'tmp', 'x.bin');
  fs.writeFileSync(file, CONTENT);
  await d.ok(['add', file, '--system', SYSTEM, '--release', release, '--type', type]);
  fs.rmSync(file);
}

/** The stored blob files of SHA1 under `dir` (relative `type/xx/sha1.zst`). */
function blobsUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((p) => p.endsWith(`${SHA1}.zst`)).map((p) => p.split(path.sep).join('/')).sort();
}

/** Export the release and check the file's content. */
async function exportsRight(d: CliDevice, release: string): Promise<void> {
  const out = path.join(d.dir, '..', `out-${path.basename(d.dir)}-${release.replace(/\W+/g, '_')}`);
  await d.ok(['export', release, out]);
  const files = (fs.readdirSync(out, { recursive: true }) as string[]).map((p) => path.join(out, p)).filter((p) => fs.statSync(p).isFile());
  expect(files.map((p) => fs.readFileSync(p, 'utf8'))).toEqual([CONTENT]);
}

let n = 0;
/**
 * A adds the content as a manual of "M (USA)" (and, in the variant, uploads it, drops its copy and
 * pushes); then B adds it as a rom of "G (USA)" (later: its type wins the field merge), merges A's
 * head and pushes; A and C pull. A's blob (if it kept one) is under manual/, B's under rom/.
 */
async function setup(variant: boolean) {
  const set = path.join(root, `set-${++n}`);
  const remote = ['fs', `root=${path.join(set, 'remote')}`];
  const A = await cliDevice(set, 'alpha', remote);
  const B = await cliDevice(set, 'beta', remote);
  const C = await cliDevice(set, 'gamma', remote);
  await addAs(A, 'M (USA)', 'manual');
  if (variant) {
    expect((await result(A, ['upload'])).uploaded).toBe(1);
    expect((await result(A, ['drop', '--system', SYSTEM])).dropped).toBe(1);
  }
  await A.ok(['sync', 'push']);
  await new Promise((r) => setTimeout(r, 50)); // B's add is the later edit (ordering only)
  await addAs(B, 'G (USA)', 'rom');
  const merged = await B.ok(['sync', 'pull', '--resolve', 'merge']);
  expect(merged.stdout + merged.stderr).toMatch(/type/);
  await B.ok(['sync', 'push']);
  await A.ok(['sync', 'pull']);
  await C.ok(['sync', 'pull']);
  for (const d of [A, B, C]) {
    expect(query<{ type: string }>(d, 'collection.db', `SELECT type FROM file WHERE sha1 = '${SHA1}'`)).toEqual([{ type: 'rom' }]);
    expect(integrityOk(d)).toBe(true);
  }
  return { set, A, B, C };
}

describe('a merge that changes file.type (QA3 H3)', () => {
  it(
    'both devices keep their blob where it is and upload, verify, export, drop and download it',
    async () => {
      const { set, A, B, C } = await setup(false);
      // The blobs stay where they were stored, and the records say so.
      expect(blobsUnder(path.join(A.dir, 'store'))).toEqual([`manual/${SHA1.slice(0, 2)}/${SHA1}.zst`]);
      expect(blobsUnder(path.join(B.dir, 'store'))).toEqual([`rom/${SHA1.slice(0, 2)}/${SHA1}.zst`]);
      expect(query(A, 'state.db', 'SELECT type FROM local_blob')).toEqual([{ type: 'manual' }]);

      // A, whose type lost: adding the content again reuses the blob where it is (no second copy
      // under rom/); verify finds nothing wrong, export and upload read the blob.
      await addAs(A, 'X (USA)', 'other');
      expect(blobsUnder(path.join(A.dir, 'store'))).toEqual([`manual/${SHA1.slice(0, 2)}/${SHA1}.zst`]);
      expect((await A.json(['verify'])).bad).toEqual([]);
      await exportsRight(A, 'M (USA)');
      const up = await result(A, ['upload']);
      expect(up.failed).toEqual([]);
      expect(up.uploaded).toBe(1);
      // B has the same content: nothing more to upload; both drop their copy against the one object.
      expect((await result(B, ['upload'])).failed).toEqual([]);
      await A.ok(['sync', 'push']);
      await B.ok(['sync', 'pull']);
      await C.ok(['sync', 'pull']);
      for (const d of [A, B]) {
        const drop = await result(d, ['drop', '--system', SYSTEM]);
        expect(drop.kept).toEqual([]);
        expect(drop.dropped).toBe(1);
      }
      // Everyone gets it back from the remote, and it exports.
      for (const d of [A, B, C]) {
        const dl = await result(d, ['download-all']);
        expect(dl.failed).toEqual([]);
        expect(dl.downloaded).toBe(1);
        expect((await d.json(['verify'])).bad).toEqual([]);
        await exportsRight(d, 'G (USA)');
        await exportsRight(d, 'M (USA)');
        expect((await result(d, ['upload'])).failed).toEqual([]);
      }
      expect(blobsUnder(path.join(set, 'remote')).length).toBeGreaterThan(0);
    },
    SLOW,
  );

  it(
    'an object uploaded under the old type and dropped stays reachable: download, download-all, drop',
    async () => {
      const { set, A, B, C } = await setup(true);
      // The remote has the object under the type it was uploaded as, and the merged log says so.
      expect(blobsUnder(path.join(set, 'remote'))).toEqual([`manual/${SHA1.slice(0, 2)}/${SHA1}.zst`]);
      for (const d of [A, B, C]) {
        expect(query(d, 'collection.db', `SELECT type, state FROM file_sync_log WHERE file_sha1 = '${SHA1}'`)).toEqual([{ type: 'manual', state: 'UploadCompleted' }]);
      }
      // A (dropped its copy) downloads it by name; C downloads everything.
      const one = await A.run(['download', 'M (USA)']);
      expect(one.stderr).toBe('');
      expect(one.code).toBe(0);
      await exportsRight(A, 'M (USA)');
      const all = await result(C, ['download-all']);
      expect(all.failed).toEqual([]);
      expect(all.downloaded).toBe(1);
      await exportsRight(C, 'G (USA)');
      // B holds it under rom/ and the remote under manual/: B drops its copy against that object.
      expect((await result(B, ['upload'])).failed).toEqual([]);
      const drop = await result(B, ['drop', '--system', SYSTEM]);
      expect(drop.kept).toEqual([]);
      expect(drop.dropped).toBe(1);
      expect(blobsUnder(path.join(B.dir, 'store'))).toEqual([]);
      const back = await result(B, ['download-all']);
      expect(back.downloaded).toBe(1);
      for (const d of [A, B, C]) {
        expect((await d.json(['verify'])).bad).toEqual([]);
        await exportsRight(d, 'M (USA)');
      }
      expect(blobsUnder(path.join(set, 'remote'))).toEqual([`manual/${SHA1.slice(0, 2)}/${SHA1}.zst`]);
    },
    SLOW,
  );
});
